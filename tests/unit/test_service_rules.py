"""Registration, ingest and the operator's actions, each rule pinned with its values written
out: claims at ingest, which registrations release parked downloads, and what a cancel, a
retry and a pause record and answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch_domain import (
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
from dispatch_domain.cascade import LinkToPlace
from dispatch_domain.errors import Conflict
from dispatch_domain.model import ServicePatch
from dispatch_domain.services.operations import (
    ActionResult,
    DownloaderUnavailable,
    cancel_downloads,
    retry_downloads,
    set_paused,
)
from dispatch_domain.services.polling import Poller
from dispatch_domain.services.registration import update_service
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore, rejecting

S = DownloadStatus
START = datetime(2026, 1, 1, tzinfo=UTC)
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET_URL = f"magnet:?xt=urn:btih:{HASH}"
MAGNETS = Capabilities(frozenset({DownloadType.MAGNET}))


class Refusing:
    """A repository that fails the test if `name` is called, and otherwise is `inner`."""

    def __init__(self, inner: object, name: str) -> None:
        self._inner, self._name = inner, name

    def __getattr__(self, attribute: str) -> object:
        if attribute == self._name:
            raise AssertionError(f"{attribute} was called")
        return getattr(self._inner, attribute)


class World:
    def __init__(self) -> None:
        self.store, self.clock, self.gateway = InMemoryStore(), FakeClock(START), FakeGateway()
        self.qb = self.gateway.add_service("qb")
        self.dispatcher = Dispatcher(
            self.store.downloads, self.store.services, self.gateway, self.clock
        )

    async def register(
        self, kind: ServiceType = ServiceType.DOWNLOADER, capabilities: Capabilities = MAGNETS
    ) -> int:
        registration = Registration(kind, "qb", "127.0.0.1", 1, capabilities)
        registered = await register_service(
            registration, self.store.services, self.store.downloads, self.clock
        )
        return registered.released

    async def ingest(self, claim_for: timedelta | None = None) -> tuple[int, tuple[object, ...]]:
        item = FetchedItem(0, "t", MAGNET_URL)
        result = await ingest_fetcher_results(
            FetcherReport("rss", items=(item,)), self.store.links, self.clock, claim_for=claim_for
        )
        return result.download_ids[0], result.claimed

    async def status(self, download_id: int) -> DownloadStatus:
        return (await self.store.downloads.get(download_id)).status

    @property
    def args(self) -> tuple[object, ...]:
        return (self.store.downloads, self.store.services, self.gateway, self.clock)


@pytest.fixture
async def world() -> World:
    return World()


async def test_an_ingest_with_a_claim_hands_back_its_downloads_and_holds_them(
    world: World,
) -> None:
    await world.register()
    download_id, claimed = await world.ingest(claim_for=timedelta(minutes=5))
    assert claimed == (LinkToPlace(download_id, MAGNET_URL, DownloadType.MAGNET),)
    view = await world.store.downloads.get(download_id)
    assert view.next_attempt_at == START + timedelta(minutes=5)
    world.clock.advance(timedelta(minutes=4, seconds=59))
    assert not await world.dispatcher.run_round()
    world.clock.advance(timedelta(seconds=1))
    await world.dispatcher.run_round()
    assert await world.status(download_id) is S.DOWNLOADING


async def test_an_ingest_without_a_claim_leaves_its_downloads_due_at_once(world: World) -> None:
    await world.register()
    download_id, claimed = await world.ingest()
    assert claimed == ()
    assert (await world.store.downloads.get(download_id)).next_attempt_at == START


async def test_a_registration_is_recorded_at_its_time(world: World) -> None:
    world.clock.advance(timedelta(hours=1))
    await world.register()
    (module,) = await world.store.services.modules()
    assert (module.registered_at, module.updated_at) == (START + timedelta(hours=1),) * 2


async def test_a_fetcher_that_names_download_types_releases_nothing(world: World) -> None:
    download_id, _ = await world.ingest()
    await world.dispatcher.run_round()
    assert await world.status(download_id) is S.NO_DOWNLOADER
    assert await world.register(ServiceType.FETCHER) == 0
    assert await world.status(download_id) is S.NO_DOWNLOADER


async def test_a_downloader_registering_releases_its_parked_downloads(world: World) -> None:
    download_id, _ = await world.ingest()
    await world.dispatcher.run_round()
    assert await world.register() == 1
    assert await world.status(download_id) is S.PENDING


async def test_a_disabled_downloader_releases_nothing_until_enabled(world: World) -> None:
    await world.register()
    (module,) = await world.store.services.modules()
    off = ServicePatch(is_enabled=False)
    _, released = await update_service(
        module.module_id, off, world.store.services, world.store.downloads, world.clock
    )
    assert released == 0
    download_id, _ = await world.ingest()
    await world.dispatcher.run_round()
    assert await world.status(download_id) is S.NO_DOWNLOADER
    assert await world.register() == 0  # registering again leaves it disabled
    assert await world.status(download_id) is S.NO_DOWNLOADER
    world.clock.advance(timedelta(minutes=3))
    on = ServicePatch(is_enabled=True)
    updated, released = await update_service(
        module.module_id, on, world.store.services, world.store.downloads, world.clock
    )
    assert (released, updated.updated_at) == (1, START + timedelta(minutes=3))
    assert await world.status(download_id) is S.PENDING


async def test_changing_only_the_priority_releases_nothing_and_asks_nothing(
    world: World,
) -> None:
    await world.register()
    (module,) = await world.store.services.modules()
    downloads = Refusing(world.store.downloads, "release_parked")
    _, released = await update_service(
        module.module_id,
        ServicePatch(priority=70),
        world.store.services,
        downloads,  # type: ignore[arg-type]
        world.clock,
    )
    assert released == 0


async def placed(world: World) -> int:
    await world.register()
    download_id, _ = await world.ingest()
    await world.dispatcher.drain()
    return download_id


async def test_a_cancel_records_the_operator_and_its_time(world: World) -> None:
    download_id = await placed(world)
    world.clock.advance(timedelta(minutes=2))
    results = await cancel_downloads([download_id], *world.args)  # type: ignore[arg-type]
    assert results == [ActionResult(download_id, True, S.CANCELLED)]
    view = await world.store.downloads.get(download_id)
    assert (view.reason, view.updated_at) == (
        "cancelled by the operator",
        START + timedelta(minutes=2),
    )


async def test_a_cancel_the_downloader_refuses_is_not_done_and_says_why(world: World) -> None:
    download_id = await placed(world)
    world.qb.cancel_failures[HASH] = "torrent is locked"
    results = await cancel_downloads([download_id], *world.args)  # type: ignore[arg-type]
    assert results == [
        ActionResult(download_id, False, S.DOWNLOADING, "qb could not cancel it: torrent is locked")
    ]


async def test_a_cancel_of_a_download_not_at_a_downloader_asks_no_downloader(
    world: World,
) -> None:
    download_id, _ = await world.ingest()
    world.qb.down = True  # would refuse a cancel
    downloads = Refusing(world.store.downloads, "shared_remote_ids")  # nothing held anywhere
    results = await cancel_downloads(
        [download_id],
        downloads,  # type: ignore[arg-type]
        world.store.services,
        world.gateway,
        world.clock,
    )
    assert results == [ActionResult(download_id, True, S.CANCELLED)]


async def test_cancelling_a_cancelled_download_again_is_not_done(world: World) -> None:
    download_id = await placed(world)
    await cancel_downloads([download_id], *world.args)  # type: ignore[arg-type]
    again = await cancel_downloads([download_id], *world.args)  # type: ignore[arg-type]
    assert again == [
        ActionResult(download_id, False, S.CANCELLED, "a cancelled download cannot be cancelled")
    ]


async def test_a_retry_answers_each_download_in_id_order(world: World) -> None:
    await world.register()
    world.qb.decide = rejecting("disk full")
    failed, _ = await world.ingest()
    await world.dispatcher.drain()
    results = await retry_downloads([999, failed, failed], world.store.downloads, world.clock)
    (new_id,) = [r.new_download_id for r in results if r.new_download_id is not None]
    assert results == [
        ActionResult(failed, True, S.PENDING, new_download_id=new_id),
        ActionResult(999, False, reason="no such download"),
    ]
    again = await retry_downloads([failed], world.store.downloads, world.clock)
    assert again == [
        ActionResult(failed, False, S.FAILED, "its link already has a newer or active attempt")
    ]


async def test_pause_and_resume_reach_the_downloader_and_are_recorded(world: World) -> None:
    download_id = await placed(world)
    world.clock.advance(timedelta(minutes=1))
    paused = await set_paused(download_id, True, *world.args)  # type: ignore[arg-type]
    assert (world.qb.torrents[HASH].state, paused.remote_state, paused.updated_at) == (
        RemoteState.PAUSED,
        RemoteState.PAUSED,
        START + timedelta(minutes=1),
    )
    await set_paused(download_id, False, *world.args)  # type: ignore[arg-type]
    assert world.qb.torrents[HASH].state is RemoteState.DOWNLOADING


async def test_pause_says_why_it_cannot_be_done(world: World) -> None:
    download_id = await placed(world)
    world.qb.down = True
    with pytest.raises(DownloaderUnavailable, match=r"^qb did not answer: connection refused$"):
        await set_paused(download_id, True, *world.args)  # type: ignore[arg-type]
    world.qb.down = False
    world.qb.torrents.clear()
    with pytest.raises(Conflict, match=f"^qb no longer has download {download_id}$"):
        await set_paused(download_id, True, *world.args)  # type: ignore[arg-type]


async def test_a_download_whose_downloader_was_unreachable_cannot_be_paused(
    world: World,
) -> None:
    download_id = await placed(world)
    world.qb.down = True
    world.clock.advance(timedelta(minutes=1))
    await Poller(
        world.store.downloads, world.store.services, world.gateway, world.clock
    ).poll_cycle()
    world.qb.down = False
    with pytest.raises(
        Conflict,
        match=f"^download {download_id} is downloader_error, not downloading at a downloader$",
    ):
        await set_paused(download_id, True, *world.args)  # type: ignore[arg-type]
    assert world.qb.torrents[HASH].state is RemoteState.DOWNLOADING


async def test_only_a_download_downloading_at_a_downloader_can_be_paused(world: World) -> None:
    download_id = await placed(world)
    world.qb.report(HASH, RemoteState.ERROR, reason="boom")
    world.clock.advance(timedelta(minutes=1))
    await Poller(
        world.store.downloads, world.store.services, world.gateway, world.clock
    ).poll_cycle()
    assert await world.status(download_id) is S.FAILED
    with pytest.raises(
        Conflict, match=f"^download {download_id} is failed, not downloading at a downloader$"
    ):
        await set_paused(download_id, True, *world.args)  # type: ignore[arg-type]
