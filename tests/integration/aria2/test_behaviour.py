"""aria2 as it really answers: refusals, removal behind our back, files, and batch costs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.aria2 import Aria2Backend, Aria2Refused, Aria2Rpc
from adapters.bittorrent.fetch import TorrentFetcher
from dispatch_domain import Accepted, AddRequest, Rejected, RemoteState
from tests.support.aria2 import Aria2Process
from tests.support.aria2_backend import connected_backend, until_state
from tests.support.real import free_port
from tests.support.torrents import TorrentServer, magnet, random_hash

pytestmark = pytest.mark.real


@contextlib.asynccontextmanager
async def counted(aria2: Aria2Process) -> AsyncIterator[tuple[Aria2Backend, list[httpx.Request]]]:
    """The backend with every request it sends to aria2 recorded."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with (
        httpx.AsyncClient(event_hooks={"request": [record]}) as http,
        httpx.AsyncClient() as fetch_http,
    ):
        rpc = Aria2Rpc(http, aria2.url, aria2.secret)
        yield Aria2Backend(rpc, TorrentFetcher(fetch_http)), sent


@pytest.mark.parametrize("size", [1, 40])
async def test_a_batch_costs_the_same_requests_whatever_its_size(
    aria2: Aria2Process, size: int
) -> None:
    links = [magnet(random_hash()) for _ in range(size)]
    async with counted(aria2) as (backend, sent):
        results = await backend.add([AddRequest(link) for link in links])
        added = len(sent)
        ids = [r.remote_id for r in results.values() if isinstance(r, Accepted)]
        statuses = await backend.statuses(ids)
        polled = len(sent) - added
        await backend.cancel(ids)
    assert len(ids) == size
    assert {s.state for s in statuses} == {RemoteState.DOWNLOADING}
    assert (added, polled) == (2, 2)  # the listing, then one multicall


async def test_a_missing_file_is_an_error_with_aria2s_reason(
    aria2: Aria2Process, file_server: TorrentServer
) -> None:
    missing = file_server.base_url + "/gone.mkv"
    async with connected_backend(aria2) as backend:
        [result] = (await backend.add([AddRequest(missing)])).values()
        assert isinstance(result, Accepted)
        status = await until_state(backend, result.remote_id, RemoteState.ERROR)
    assert status.reason == "Resource not found"


async def test_a_download_removed_behind_our_back_is_not_found(aria2: Aria2Process) -> None:
    torrent = random_hash()
    async with connected_backend(aria2) as backend:
        await backend.add([AddRequest(magnet(torrent))])
        [entry] = await _rpc_call(aria2, "aria2.tellActive", ["gid", "infoHash"], torrent)
        await _rpc_call(aria2, "aria2.forceRemove", entry["gid"])
        await until_state(backend, torrent, RemoteState.NOT_FOUND, timeout=10)


async def test_deleting_with_files_removes_the_file_from_disk(
    aria2: Aria2Process, file_server: TorrentServer
) -> None:
    link = file_server.serve("/delete-me.mkv", os.urandom(20_000))
    async with connected_backend(aria2) as backend:
        [result] = (await backend.add([AddRequest(link, "deleting")])).values()
        assert isinstance(result, Accepted)
        status = await until_state(backend, result.remote_id, RemoteState.COMPLETED)
        content = aria2.downloads / "deleting" / "delete-me.mkv"
        assert status.content_path == str(content)
        assert content.is_file()
        assert await backend.delete(result.remote_id, delete_files=True)
        [after] = await backend.statuses([result.remote_id])
    assert after.state is RemoteState.NOT_FOUND
    assert not content.exists()
    assert not content.with_name("delete-me.mkv.aria2").exists()


async def test_links_aria2_cannot_take_are_rejected_one_by_one(aria2: Aria2Process) -> None:
    torrent = random_hash()
    v2_only = "magnet:?xt=urn:btmh:1220" + "ab" * 32
    dead_torrent_url = f"http://127.0.0.1:{free_port()}/episode.torrent"
    urls = ["ftp://files.example/a.mkv", v2_only, dead_torrent_url, magnet(torrent)]
    async with connected_backend(aria2) as backend:
        results = await backend.add([AddRequest(url) for url in urls])
        await backend.cancel([torrent])
    assert results[magnet(torrent)] == Accepted(torrent)
    reasons = {url: r.reason for url, r in results.items() if isinstance(r, Rejected)}
    assert reasons == {
        "ftp://files.example/a.mkv": "neither a magnet link nor an http(s) URL",
        v2_only: "aria2 does not support BitTorrent v2-only torrents",
        dead_torrent_url: "could not fetch the .torrent file (ConnectError)",
    }


async def test_a_wrong_secret_is_reported_not_blamed_on_the_links(aria2: Aria2Process) -> None:
    async with connected_backend(aria2, secret="not-the-secret") as backend:
        health = await backend.health()
        with pytest.raises(Aria2Refused, match="refused the RPC secret"):
            await backend.add([AddRequest(magnet(random_hash()))])
    assert (health.reachable, health.logged_in) == (True, False)
    assert health.reason is not None
    assert "not-the-secret" not in health.reason


async def test_health_says_unreachable_when_nothing_listens() -> None:
    down = Aria2Process(Path("."), free_port(), free_port(), "any-secret")
    async with connected_backend(down) as backend:
        health = await backend.health()
    assert (health.reachable, health.logged_in) == (False, False)
    assert health.reason is not None and "unreachable" in health.reason


async def test_health_names_the_version(aria2: Aria2Process) -> None:
    async with connected_backend(aria2) as backend:
        health = await backend.health()
    assert (health.reachable, health.logged_in) == (True, True)
    assert health.version is not None and health.version.startswith("1.")


async def _rpc_call(aria2: Aria2Process, method: str, *params: object) -> object:
    async with httpx.AsyncClient() as http:
        rpc = Aria2Rpc(http, aria2.url, aria2.secret)
        return await rpc.call(method, *params)


async def test_adding_a_finished_http_link_again_finds_it_instead_of_fetching_it_twice(
    aria2: Aria2Process, file_server: TorrentServer
) -> None:
    link = file_server.serve("/twice/episode.mkv", os.urandom(30_000))
    async with connected_backend(aria2) as backend:
        [first] = (await backend.add([AddRequest(link, "twice")])).values()
        assert isinstance(first, Accepted)
        await until_state(backend, first.remote_id, RemoteState.COMPLETED)
        assert await backend.add([AddRequest(link, "twice")]) == {link: first}
        [status] = await backend.statuses([first.remote_id])
    assert status.state is RemoteState.COMPLETED
    assert sorted(p.name for p in (aria2.downloads / "twice").iterdir()) == ["episode.mkv"]
