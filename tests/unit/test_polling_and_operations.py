"""The poller and the operator's actions on the in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch_domain import (
    Accepted,
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
from dispatch_domain.errors import Conflict
from dispatch_domain.services.operations import (
    DownloaderUnavailable,
    cancel_downloads,
    retry_downloads,
    set_paused,
)
from dispatch_domain.services.polling import GONE, Poller
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore, rejecting

S = DownloadStatus
HASHES = ["c12fe1c06bba254a9dc9f519b335aa7c1367a88a", "0123456789abcdef0123456789abcdef01234567"]


class World:
    """One Core on fakes with a downloader called qb that accepts everything."""

    def __init__(self) -> None:
        self.store, self.clock, self.gateway = InMemoryStore(), FakeClock(), FakeGateway()
        self.qb = self.gateway.add_service("qb")
        self.dispatcher = Dispatcher(
            self.store.downloads, self.store.services, self.gateway, self.clock
        )
        self.poller = Poller(self.store.downloads, self.store.services, self.gateway, self.clock)

    async def start(self, count: int = 1) -> list[int]:
        registration = Registration(
            ServiceType.DOWNLOADER,
            "qb",
            "127.0.0.1",
            1,
            Capabilities(frozenset({DownloadType.MAGNET})),
        )  # type: ignore[arg-type]
        await register_service(registration, self.store.services, self.store.downloads, self.clock)
        items = tuple(
            FetchedItem(i, f"t{i}", f"magnet:?xt=urn:btih:{h}")
            for i, h in enumerate(HASHES[:count])
        )
        result = await ingest_fetcher_results(
            FetcherReport("rss", items=items), self.store.links, self.clock
        )
        await self.dispatcher.drain()
        return list(result.download_ids)

    async def status(self, download_id: int) -> DownloadStatus:
        return (await self.store.downloads.get(download_id)).status

    async def poll(self) -> None:
        self.clock.advance(timedelta(minutes=1))
        await self.poller.poll_cycle()


@pytest.fixture
async def world() -> World:
    return World()


async def test_a_completed_report_completes_the_download_with_size_and_path(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.COMPLETED, progress=1.0, size=1234, content_path="/d/x")
    await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.progress, view.size, view.content_path) == (
        S.COMPLETED,
        1.0,
        1234,
        "/d/x",
    )


async def test_a_download_the_client_no_longer_knows_fails_with_a_reason(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.torrents.clear()
    await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.reason) == (S.FAILED, GONE)


async def test_a_paused_download_stays_downloading_and_shows_paused(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.PAUSED, progress=0.5)
    await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.remote_state, view.progress) == (
        S.DOWNLOADING,
        RemoteState.PAUSED,
        0.5,
    )


async def test_an_outage_marks_downloader_error_and_recovery_sees_completion(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.down = True
    await world.poll()
    assert await world.status(download_id) is S.DOWNLOADER_ERROR
    assert "did not answer a status poll" in (
        (await world.store.downloads.get(download_id)).reason or ""
    )
    world.qb.down = False
    world.qb.report(HASHES[0], RemoteState.COMPLETED, progress=1.0, size=10)
    await world.poll()  # a minute later the first back-off step has passed
    assert await world.status(download_id) is S.COMPLETED


async def test_a_downloader_in_backoff_is_not_polled(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.down = True
    await world.poll()
    world.qb.down = False
    world.qb.report(HASHES[0], RemoteState.COMPLETED, progress=1.0)
    await world.poller.poll_cycle()  # same instant: the claim and the back-off both hold
    assert await world.status(download_id) is S.DOWNLOADER_ERROR


async def test_cancel_asks_the_downloader_and_marks_cancelled(world: World) -> None:
    (download_id,) = await world.start()
    (result,) = await cancel_downloads(
        [download_id], world.store.downloads, world.store.services, world.gateway, world.clock
    )
    assert (result.done, result.status) == (True, S.CANCELLED)
    assert HASHES[0] not in world.qb.torrents


async def test_cancel_changes_nothing_when_the_downloader_is_down(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.down = True
    (result,) = await cancel_downloads(
        [download_id], world.store.downloads, world.store.services, world.gateway, world.clock
    )
    assert (result.done, result.status) == (False, S.DOWNLOADING)
    assert "did not answer" in (result.reason or "")


async def test_cancel_of_unknown_or_completed_downloads_says_why(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.COMPLETED, progress=1.0)
    await world.poll()
    results = await cancel_downloads(
        [download_id, 999], world.store.downloads, world.store.services, world.gateway, world.clock
    )
    assert [(r.download_id, r.done, r.reason) for r in results] == [
        (download_id, False, "a completed download cannot be cancelled"),
        (999, False, "no such download"),
    ]


async def test_retry_makes_a_new_attempt_and_keeps_the_old_one(world: World) -> None:
    world.qb.decide = rejecting("disk full")
    (download_id,) = await world.start()
    assert await world.status(download_id) is S.FAILED
    world.qb.decide = FakeGateway().add_service("x").decide  # accepts again
    (result,) = await retry_downloads([download_id], world.store.downloads, world.clock)
    assert result.done and result.new_download_id is not None
    await world.dispatcher.drain()
    old, new = await world.store.downloads.views([download_id, result.new_download_id])
    assert (old.status, new.status, new.attempts, new.link_id) == (
        S.FAILED,
        S.DOWNLOADING,
        2,
        old.link_id,
    )


async def test_retry_refuses_an_active_download(world: World) -> None:
    (download_id,) = await world.start()
    (result,) = await retry_downloads([download_id], world.store.downloads, world.clock)
    assert (result.done, result.reason) == (False, "a downloading download cannot be retried")


async def test_pause_and_resume_pass_through_to_the_downloader(world: World) -> None:
    (download_id,) = await world.start()
    args = (world.store.downloads, world.store.services, world.gateway, world.clock)
    paused = await set_paused(download_id, True, *args)
    assert (paused.status, paused.remote_state) == (S.DOWNLOADING, RemoteState.PAUSED)
    assert world.qb.torrents[HASHES[0]].state is RemoteState.PAUSED
    resumed = await set_paused(download_id, False, *args)
    assert resumed.remote_state is RemoteState.DOWNLOADING
    world.qb.down = True
    with pytest.raises(DownloaderUnavailable):
        await set_paused(download_id, True, *args)
    world.qb.down = False
    world.qb.torrents.clear()
    with pytest.raises(Conflict):
        await set_paused(download_id, True, *args)


async def test_an_http_download_is_followed_by_its_downloader_s_id_to_completed() -> None:
    store, clock, gateway = InMemoryStore(), FakeClock(), FakeGateway()
    aria = gateway.add_service("aria")
    aria.decide = lambda item: Accepted("2089b05ecca3d829")  # aria2's gid, no info-hash
    registration = Registration(
        ServiceType.DOWNLOADER, "aria", "127.0.0.1", 1, Capabilities(frozenset({DownloadType.HTTP}))
    )
    await register_service(registration, store.services, store.downloads, clock)
    item = FetchedItem(0, "episode 1", "https://files.example.org/ep1.mkv")
    result = await ingest_fetcher_results(FetcherReport("rss", items=(item,)), store.links, clock)
    await Dispatcher(store.downloads, store.services, gateway, clock).drain()
    (download_id,) = result.download_ids
    accepted = await store.downloads.get(download_id)
    assert (accepted.status, accepted.remote_id) == (S.DOWNLOADING, "2089b05ecca3d829")

    aria.report("2089b05ecca3d829", RemoteState.COMPLETED, progress=1.0, size=4096)
    clock.advance(timedelta(minutes=1))
    await Poller(store.downloads, store.services, gateway, clock).poll_cycle()

    done = await store.downloads.get(download_id)
    assert (done.status, done.progress, done.size) == (S.COMPLETED, 1.0, 4096)
