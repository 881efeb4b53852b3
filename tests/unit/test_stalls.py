"""Stalls: the rule, and the poller acting on it (the cascade excluding: next door)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dispatch_domain import (
    Capabilities,
    Dispatcher,
    DownloadFilter,
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
from dispatch_domain.answers import RemoteStatus
from dispatch_domain.model import Tracked
from dispatch_domain.services.polling import Poller
from dispatch_domain.stalls import StallRule, progress_mark
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)
RULE = StallRule(stall_after=timedelta(hours=6), metadata_within=timedelta(minutes=60))
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
TRACKED = Tracked(1, 1, HASH, DownloadStatus.DOWNLOADING, progress=0.12)
waits = st.integers(min_value=0, max_value=10 * 24 * 3600).map(lambda s: timedelta(seconds=s))


@given(
    waited=waits,
    state=st.sampled_from([RemoteState.PAUSED, RemoteState.COMPLETED, RemoteState.ERROR]),
    metadata=st.sampled_from([None, True, False]),
)
def test_a_paused_or_finished_download_never_stalls(
    waited: timedelta, state: RemoteState, metadata: bool | None
) -> None:
    status = RemoteStatus(HASH, state, has_metadata=metadata)
    assert RULE.verdict(TRACKED, status, NOW - waited, NOW, "qbittorrent") is None


@given(waited=waits)
def test_a_download_stalls_exactly_when_it_waited_the_stall_timeout(waited: timedelta) -> None:
    status = RemoteStatus(HASH, RemoteState.DOWNLOADING, progress=0.12, has_metadata=True)
    verdict = RULE.verdict(TRACKED, status, NOW - waited, NOW, "qbittorrent")
    assert (verdict is not None) == (waited >= timedelta(hours=6))


@given(waited=waits)
def test_a_magnet_without_metadata_stalls_after_the_metadata_timeout(waited: timedelta) -> None:
    status = RemoteStatus(HASH, RemoteState.DOWNLOADING, has_metadata=False)
    verdict = RULE.verdict(TRACKED, status, NOW - waited, NOW, "qbittorrent")
    assert (verdict is not None) == (waited >= timedelta(minutes=60))


@given(waited=waits)
def test_with_both_timeouts_off_nothing_ever_stalls(waited: timedelta) -> None:
    status = RemoteStatus(HASH, RemoteState.DOWNLOADING, has_metadata=False)
    assert StallRule(None, None).verdict(TRACKED, status, NOW - waited, NOW, "qb") is None


def test_the_reasons_say_what_happened_where() -> None:
    moving = RemoteStatus(HASH, RemoteState.DOWNLOADING, progress=0.12, has_metadata=True)
    magnet = RemoteStatus(HASH, RemoteState.DOWNLOADING, has_metadata=False)
    long_ago = NOW - timedelta(hours=7)
    assert RULE.verdict(TRACKED, moving, long_ago, NOW, "qbittorrent") == (
        "stalled: no progress for 6 h at qbittorrent (last 12 %)"
    )
    assert RULE.verdict(TRACKED, magnet, long_ago, NOW, "qbittorrent") == (
        "no metadata after 60 min at qbittorrent"
    )


def test_progress_is_bytes_or_progress_rising_and_a_first_poll_sets_the_mark() -> None:
    seen = Tracked(1, 1, HASH, DownloadStatus.DOWNLOADING, 0.5, downloaded=500, progress_at=NOW)
    later = NOW + timedelta(minutes=1)
    same = RemoteStatus(HASH, RemoteState.DOWNLOADING, progress=0.5, downloaded=500)
    more = RemoteStatus(HASH, RemoteState.DOWNLOADING, progress=0.5, downloaded=501)
    assert progress_mark(seen, same, later) is None
    assert progress_mark(seen, more, later) == later
    assert progress_mark(TRACKED, same, later) == later


async def test_a_download_that_never_moves_fails_and_goes_to_the_other_downloader() -> None:
    store, clock, gateway = InMemoryStore(), FakeClock(), FakeGateway()
    qb, tr = gateway.add_service("qbittorrent"), gateway.add_service("transmission")
    for name, priority in (("qbittorrent", 90), ("transmission", 10)):
        registration = Registration(
            ServiceType.DOWNLOADER,
            name,
            "127.0.0.1",
            1,
            Capabilities(frozenset({DownloadType.MAGNET})),
            priority=priority,
        )
        await register_service(registration, store.services, store.downloads, clock)
    item = FetchedItem(0, "Show - 01", f"magnet:?xt=urn:btih:{HASH}")
    result = await ingest_fetcher_results(FetcherReport("rss", items=(item,)), store.links, clock)
    dispatcher = Dispatcher(store.downloads, store.services, gateway, clock)
    await dispatcher.drain()
    poller = Poller(store.downloads, store.services, gateway, clock, stalls=RULE)
    (first,) = result.download_ids
    qb.report(HASH, RemoteState.DOWNLOADING, progress=0.12, downloaded=120, has_metadata=True)

    for _ in range(8):  # 8 polls an hour apart; the progress never moves
        await poller.poll_cycle()
        clock.advance(timedelta(hours=1))
    await dispatcher.drain()

    failed = await store.downloads.get(first)
    assert (failed.status, failed.reason) == (
        DownloadStatus.FAILED,
        "stalled: no progress for 6 h at qbittorrent (last 12 %)",
    )
    assert HASH not in qb.torrents  # removed from its client
    page = await store.downloads.find(DownloadFilter())
    again = [v for v in page.items if v.download_id != first]
    assert [(v.status, v.downloader, v.attempts) for v in again] == [
        (DownloadStatus.DOWNLOADING, "transmission", 2)
    ]
    assert HASH in tr.torrents
