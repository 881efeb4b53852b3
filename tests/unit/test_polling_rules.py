"""The poller's rules, each pinned with the values written out: what a report of each word
becomes, the reasons recorded, the claim a cycle takes and the counts it returns."""

from __future__ import annotations

from collections import Counter
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
from dispatch_domain.answers import RemoteStatus, StatusReport
from dispatch_domain.model import Tracked
from dispatch_domain.services.polling import Poller, transitions_from_report
from dispatch_domain.status import DownloadEvent
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore

S = DownloadStatus
START = datetime(2026, 1, 1, tzinfo=UTC)
HASHES = ["c12fe1c06bba254a9dc9f519b335aa7c1367a88a", "0123456789abcdef0123456789abcdef01234567"]


class World:
    """One Core on fakes with a downloader called qb that accepts every magnet."""

    def __init__(self) -> None:
        self.store, self.clock, self.gateway = InMemoryStore(), FakeClock(START), FakeGateway()
        self.qb = self.gateway.add_service("qb")
        self.poller = Poller(self.store.downloads, self.store.services, self.gateway, self.clock)

    async def start(self, count: int = 1) -> list[int]:
        types = Capabilities(frozenset({DownloadType.MAGNET}))
        registration = Registration(ServiceType.DOWNLOADER, "qb", "127.0.0.1", 1, types)
        await register_service(registration, self.store.services, self.store.downloads, self.clock)
        items = tuple(
            FetchedItem(i, f"t{i}", f"magnet:?xt=urn:btih:{h}")
            for i, h in enumerate(HASHES[:count])
        )
        result = await ingest_fetcher_results(
            FetcherReport("rss", items=items), self.store.links, self.clock
        )
        dispatcher = Dispatcher(self.store.downloads, self.store.services, self.gateway, self.clock)
        await dispatcher.drain()
        return list(result.download_ids)

    async def poll(self) -> Counter[DownloadStatus]:
        self.clock.advance(timedelta(minutes=1))
        return await self.poller.poll_cycle()

    async def health(self) -> tuple[int, datetime | None, datetime | None, str | None]:
        (module,) = await self.store.services.modules()
        h = module.health
        return (h.failures, h.backoff_until, h.last_seen, h.last_error)


@pytest.fixture
async def world() -> World:
    return World()


async def test_a_plain_downloading_report_keeps_the_download_downloading(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.DOWNLOADING, progress=0.25, size=2048)
    counts = await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.remote_state, view.progress, view.size, view.reason) == (
        S.DOWNLOADING,
        RemoteState.DOWNLOADING,
        0.25,
        2048,
        None,
    )
    assert counts == Counter({S.DOWNLOADING: 1})


async def test_a_completed_report_counts_as_fully_downloaded_whatever_its_progress(
    world: World,
) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.COMPLETED, progress=0.4)
    counts = await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.progress) == (S.COMPLETED, 1.0)
    assert counts == Counter({S.COMPLETED: 1})


async def test_an_error_report_fails_the_download_with_the_client_s_own_words(
    world: World,
) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.ERROR, reason="No space left on device")
    await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.reason) == (S.FAILED, "No space left on device")


async def test_an_error_report_without_words_still_says_the_downloader_reports_an_error(
    world: World,
) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.ERROR)
    await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.reason) == (S.FAILED, "the downloader reports an error")


def test_only_error_and_gone_reports_carry_a_reason() -> None:
    tracked = [Tracked(i, 1, f"r{i}", S.DOWNLOADING) for i in range(1, 6)]
    states = [
        RemoteState.DOWNLOADING,
        RemoteState.PAUSED,
        RemoteState.COMPLETED,
        RemoteState.ERROR,
    ]
    statuses = {f"r{i}": RemoteStatus(f"r{i}", s, reason="words") for i, s in enumerate(states, 1)}
    changes = transitions_from_report(tracked, StatusReport(statuses))
    assert [(c.download_id, c.event, c.reason) for c in changes] == [
        (1, DownloadEvent.REPORTED_DOWNLOADING, None),
        (2, DownloadEvent.REPORTED_DOWNLOADING, None),
        (3, DownloadEvent.REPORTED_COMPLETED, None),
        (4, DownloadEvent.REPORTED_FAILED, "words"),
        (5, DownloadEvent.REPORTED_FAILED, "no longer in the downloader"),
    ]


def test_a_download_reported_in_an_unknown_word_costs_the_others_nothing() -> None:
    tracked = [Tracked(1, 1, "r1", S.DOWNLOADING), Tracked(2, 1, "r2", S.DOWNLOADING)]
    report = StatusReport(
        {"r2": RemoteStatus("r2", RemoteState.COMPLETED)}, unclear=frozenset({"r1"})
    )
    changes = transitions_from_report(tracked, report)
    assert [(c.download_id, c.event) for c in changes] == [(2, DownloadEvent.REPORTED_COMPLETED)]


async def test_an_unreachable_downloader_is_named_with_its_error_in_reason_and_health(
    world: World,
) -> None:
    (download_id,) = await world.start()
    world.qb.down = True
    counts = await world.poll()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.reason) == (
        S.DOWNLOADER_ERROR,
        "qb did not answer a status poll: connection refused",
    )
    assert counts == Counter({S.DOWNLOADER_ERROR: 1})
    failures, backoff_until, _, last_error = await world.health()
    assert (failures, last_error) == (1, "connection refused")
    assert backoff_until is not None and backoff_until > START + timedelta(minutes=1)


async def test_a_downloader_that_answers_is_seen_at_the_time_of_the_poll(world: World) -> None:
    await world.start()
    await world.poll()
    assert await world.health() == (0, None, START + timedelta(minutes=1), None)


async def test_a_poll_records_its_changes_at_the_time_of_the_poll(world: World) -> None:
    (download_id,) = await world.start()
    world.qb.report(HASHES[0], RemoteState.COMPLETED)
    await world.poll()
    view = await world.store.downloads.get(download_id)
    assert view.updated_at == START + timedelta(minutes=1)


async def test_a_cycle_counts_only_the_changes_it_applied(world: World) -> None:
    first, second = await world.start(count=2)
    world.qb.report(HASHES[0], RemoteState.COMPLETED)
    await world.poll()
    # Polled again: the completed one is no longer followed, the other is unchanged.
    assert await world.poll() == Counter()
    views = await world.store.downloads.views([first, second])
    assert [view.status for view in views] == [S.COMPLETED, S.DOWNLOADING]


async def test_a_claimed_downloader_is_not_polled_again_until_the_claim_ends(
    world: World,
) -> None:
    """Two Core processes: the second one polling within the claim (50 s) finds nothing due."""
    (download_id,) = await world.start()
    await world.poll()
    other = Poller(world.store.downloads, world.store.services, world.gateway, world.clock)
    world.qb.report(HASHES[0], RemoteState.COMPLETED)
    world.clock.advance(timedelta(seconds=49))
    assert await other.poll_cycle() == Counter()
    assert (await world.store.downloads.get(download_id)).status is S.DOWNLOADING
    world.clock.advance(timedelta(seconds=1))
    assert await other.poll_cycle() == Counter({S.COMPLETED: 1})
