"""Adding through aria2, against a scripted JSON-RPC: what each link's answer becomes."""

from __future__ import annotations

import json
from typing import Any

import attrs
import httpx

from adapters.aria2 import Aria2Backend, Aria2Rpc
from adapters.aria2.adding import http_gid
from adapters.bittorrent.fetch import TorrentFetcher
from dispatch_domain import Accepted, AddRequest, Rejected
from tests.support.torrents import magnet

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


@attrs.define
class ScriptedAria2:
    """Answers each multicall: listings empty, adds with `add_answer` (a result or a fault)."""

    add_answer: Any = attrs.field(factory=lambda: ["2089b05ecca3d829"])
    methods: list[list[str]] = attrs.field(factory=list)
    calls: list[dict[str, Any]] = attrs.field(factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        [calls] = json.loads(request.content)["params"]
        self.calls.extend(calls)
        self.methods.append([c["methodName"] for c in calls])
        answers = [[[]] if "tell" in c["methodName"] else self.add_answer for c in calls]
        return httpx.Response(200, json={"id": "1", "jsonrpc": "2.0", "result": answers})

    def backend(self) -> Aria2Backend:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        rpc = Aria2Rpc(http, "http://127.0.0.1:6800/jsonrpc", "s")
        return Aria2Backend(rpc, TorrentFetcher(http), download_root="/srv")


LISTING = ["aria2.tellActive", "aria2.tellWaiting", "aria2.tellStopped"]


async def test_an_http_link_is_known_by_aria2s_gid() -> None:
    aria2 = ScriptedAria2()
    results = await aria2.backend().add([AddRequest("https://files.example/e1.mkv")])
    assert results == {"https://files.example/e1.mkv": Accepted("2089b05ecca3d829")}
    assert aria2.methods == [LISTING, ["aria2.addUri"]]


def test_an_http_links_gid_is_derived_from_its_url() -> None:
    assert (
        http_gid("https://files.example/e1.mkv") == "43e7ee8678d4f304"
    )  # sha256 of the URL, 16 digits
    assert http_gid("https://files.example/e2.mkv") != http_gid("https://files.example/e1.mkv")


async def test_two_links_of_one_torrent_are_added_once_and_share_its_result() -> None:
    aria2 = ScriptedAria2()
    hex_link, base32_link = magnet(HASH), magnet(HASH, base32=True)
    results = await aria2.backend().add([AddRequest(hex_link), AddRequest(base32_link)])
    assert results == {hex_link: Accepted(HASH), base32_link: Accepted(HASH)}
    assert aria2.methods == [LISTING, ["aria2.addUri"]]


async def test_a_refusal_reaches_every_link_of_that_torrent() -> None:
    aria2 = ScriptedAria2(add_answer={"code": 1, "message": "Bad URI"})
    hex_link, base32_link = magnet(HASH), magnet(HASH, base32=True)
    results = await aria2.backend().add([AddRequest(hex_link), AddRequest(base32_link)])
    assert results == {
        hex_link: Rejected("aria2 refused it: Bad URI"),
        base32_link: Rejected("aria2 refused it: Bad URI"),
    }


async def test_an_answer_without_a_gid_is_no_acceptance() -> None:
    aria2 = ScriptedAria2(add_answer=[""])
    results = await aria2.backend().add([AddRequest("https://files.example/e1.mkv")])
    assert results == {"https://files.example/e1.mkv": Rejected("accepted without an id")}


async def test_a_save_path_goes_under_the_root_as_aria2s_dir() -> None:
    aria2 = ScriptedAria2()
    await aria2.backend().add([AddRequest("https://files.example/e1.mkv", "shows/s1")])
    add = aria2.calls[-1]
    assert add["params"] == [
        "token:s",
        ["https://files.example/e1.mkv"],
        {
            "follow-torrent": "false",
            "follow-metalink": "false",
            "dir": "/srv/shows/s1",
            "gid": http_gid("https://files.example/e1.mkv"),
        },
    ]
