"""Planning a batch for any BitTorrent client: one result per URL, the root asked only if needed."""

from __future__ import annotations

import httpx

from adapters.bittorrent import Planner, TorrentFetcher
from dispatch_domain import AddRequest, Rejected
from tests.support.torrents import magnet

HASH = "0123456789abcdef0123456789abcdef01234567"


class Root:
    def __init__(self) -> None:
        self.asked = 0

    async def __call__(self) -> str:
        self.asked += 1
        return "/srv/torrents"


async def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no network in unit tests")


async def test_without_save_paths_the_root_is_never_asked_and_the_default_is_used() -> None:
    root = Root()
    async with httpx.AsyncClient(transport=httpx.MockTransport(_unreachable)) as http:
        planner = Planner(TorrentFetcher(http), root, default="/srv/default")
        prepared = await planner.prepare([AddRequest(magnet(HASH)), AddRequest(magnet(HASH))])
    assert root.asked == 0
    assert prepared.urls == (magnet(HASH),)
    assert [(p.client_id, p.save_path) for p in prepared.planned] == [(HASH, "/srv/default")]


async def test_save_paths_go_under_the_root_and_bad_ones_are_rejected_alone() -> None:
    root = Root()
    bad_path, bad_scheme = magnet("ab" * 20), "ftp://example.invalid/x"
    async with httpx.AsyncClient(transport=httpx.MockTransport(_unreachable)) as http:
        prepared = await Planner(TorrentFetcher(http), root).prepare(
            [
                AddRequest(magnet(HASH), "show/s1"),
                AddRequest(bad_path, "../etc"),
                AddRequest(bad_scheme),
                AddRequest("https://tracker.invalid/1.torrent"),
            ]
        )
    assert root.asked == 1
    assert [p.save_path for p in prepared.planned] == ["/srv/torrents/show/s1"]
    assert set(prepared.rejected) == {bad_path, bad_scheme, "https://tracker.invalid/1.torrent"}
    assert all(isinstance(r, Rejected) for r in prepared.rejected.values())
    assert prepared.rejected["https://tracker.invalid/1.torrent"] == Rejected(
        "could not fetch the .torrent file (ConnectError)"
    )
