"""One torrent, two downloads (a .torrent URL and a magnet of it): neither is cancelled under
the other; and a downloader that cannot cancel one id costs the others nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch_domain import (
    Accepted,
    AddRequest,
    AddResult,
    Capabilities,
    Dispatcher,
    DownloadStatus,
    DownloadType,
    FetchedItem,
    FetcherReport,
    Registration,
    RemoteState,
    ServiceType,
    ingest_fetcher_results,
    register_service,
)
from dispatch_domain.services.operations import cancel_downloads
from dispatch_domain.services.polling import Poller
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore

S = DownloadStatus
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
OTHER = "0123456789abcdef0123456789abcdef01234567"
MAGNET = f"magnet:?xt=urn:btih:{HASH}"
TORRENT_URL = "https://example.com/episode-1.torrent"


def same_torrent(item: AddRequest) -> AddResult:
    """A client keys torrents by info-hash: the .torrent URL is the magnet's torrent."""
    return Accepted(HASH if item.url in (MAGNET, TORRENT_URL) else OTHER)


class World:
    """One Core on fakes; the downloader qb holds the magnet and the .torrent URL as one."""

    def __init__(self) -> None:
        self.store, self.clock, self.gateway = InMemoryStore(), FakeClock(), FakeGateway()
        self.qb = self.gateway.add_service("qb")
        self.qb.decide = same_torrent
        self.dispatcher = Dispatcher(
            self.store.downloads, self.store.services, self.gateway, self.clock
        )

    async def start(self, *urls: str) -> list[int]:
        types = frozenset({DownloadType.MAGNET, DownloadType.TORRENT})
        registration = Registration(
            ServiceType.DOWNLOADER, "qb", "127.0.0.1", 1, Capabilities(types)
        )
        await register_service(registration, self.store.services, self.store.downloads, self.clock)
        items = tuple(FetchedItem(i, f"t{i}", url) for i, url in enumerate(urls))
        result = await ingest_fetcher_results(
            FetcherReport("rss", items=items), self.store.links, self.clock
        )
        await self.dispatcher.drain()
        return list(result.download_ids)

    async def cancel(self, *download_ids: int) -> list[tuple[bool, str | None]]:
        results = await cancel_downloads(
            download_ids, self.store.downloads, self.store.services, self.gateway, self.clock
        )
        return [(r.done, r.reason) for r in results]

    async def status(self, download_id: int) -> DownloadStatus:
        return (await self.store.downloads.get(download_id)).status


@pytest.fixture
async def world() -> World:
    return World()


async def test_cancelling_one_of_two_downloads_of_a_torrent_keeps_it_for_the_other(
    world: World,
) -> None:
    by_file, by_magnet = await world.start(TORRENT_URL, MAGNET)
    assert [await world.status(by_file), await world.status(by_magnet)] == [S.DOWNLOADING] * 2

    assert await world.cancel(by_file) == [(True, None)]

    assert HASH in world.qb.torrents, "the downloader was not asked to drop the shared torrent"
    world.qb.report(HASH, RemoteState.COMPLETED, progress=1.0, size=10)
    world.clock.advance(timedelta(minutes=1))
    await Poller(
        world.store.downloads, world.store.services, world.gateway, world.clock
    ).poll_cycle()
    assert [await world.status(by_file), await world.status(by_magnet)] == [
        S.CANCELLED,
        S.COMPLETED,
    ]


async def test_cancelling_every_download_of_a_torrent_drops_it_at_the_downloader(
    world: World,
) -> None:
    by_file, by_magnet = await world.start(TORRENT_URL, MAGNET)

    assert await world.cancel(by_file, by_magnet) == [(True, None), (True, None)]

    assert world.qb.torrents == {}


async def test_the_last_of_two_downloads_cancelled_drops_the_torrent(world: World) -> None:
    by_file, by_magnet = await world.start(TORRENT_URL, MAGNET)
    await world.cancel(by_file)

    await world.cancel(by_magnet)

    assert world.qb.torrents == {}


async def test_an_id_the_downloader_cannot_cancel_fails_alone_with_its_reason(
    world: World,
) -> None:
    first, second = await world.start(MAGNET, "magnet:?xt=urn:btih:" + "ab" * 20)
    world.qb.cancel_failures[HASH] = "failed: torrent is locked"

    results = await world.cancel(first, second)

    assert results == [(False, "qb could not cancel it: failed: torrent is locked"), (True, None)]
    assert [await world.status(first), await world.status(second)] == [
        S.DOWNLOADING,
        S.CANCELLED,
    ]


async def test_a_download_cancelled_during_dispatch_is_not_withdrawn_while_its_twin_holds_it(
    world: World,
) -> None:
    """Both links are placed in one batch as one torrent; the operator cancels one meanwhile:
    the torrent stays, as the other download needs it."""
    store = world.store
    types = frozenset({DownloadType.MAGNET, DownloadType.TORRENT})
    registration = Registration(ServiceType.DOWNLOADER, "qb", "127.0.0.1", 1, Capabilities(types))
    await register_service(registration, store.services, store.downloads, world.clock)
    items = (FetchedItem(0, "by file", TORRENT_URL), FetchedItem(1, "by magnet", MAGNET))
    result = await ingest_fetcher_results(
        FetcherReport("rss", items=items), store.links, world.clock
    )
    by_file, by_magnet = result.download_ids

    def accept_while_the_operator_cancels(item: AddRequest) -> AddResult:
        store.state.downloads[by_file].status = S.CANCELLED  # the operator, meanwhile
        return same_torrent(item)

    world.qb.decide = accept_while_the_operator_cancels
    world.clock.advance(timedelta(minutes=10))  # past the ingest's claim

    await world.dispatcher.run_round()

    assert [await world.status(by_file), await world.status(by_magnet)] == [
        S.CANCELLED,
        S.DOWNLOADING,
    ]
    assert HASH in world.qb.torrents
