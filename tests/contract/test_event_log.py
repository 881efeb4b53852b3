"""EventLog contract: every status change and health change is an event, read in order."""

from __future__ import annotations

from datetime import timedelta

from dispatch_domain import Health
from dispatch_domain.events import DownloaderFacts, DownloadFacts, Event, EventType
from dispatch_domain.status import DownloadEvent
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus
from tests.contract.conftest import NOW, magnet

E = DownloadEvent
T = EventType
S = DownloadStatus


async def _types(store, after: int = 0) -> list[tuple[EventType, int | None]]:
    events = await store.events.after(after, 1000)
    return [(e.type, e.download.download_id if e.download else None) for e in events]


async def test_a_dispatch_records_one_event_with_the_download_it_is_about(store, given):
    qbit = await given.downloader("qbittorrent")
    (download_id,) = (await given.post(magnet(7))).download_ids

    await given.move(download_id, E.ACCEPTED, module_id=qbit.module_id, remote_id="ab" * 20)

    (event,) = await store.events.after(0, 10)
    link_id = (await store.downloads.get(download_id)).link_id
    assert event == Event(
        event.event_id,
        T.DOWNLOAD_DISPATCHED,
        NOW,
        download=DownloadFacts(
            download_id,
            link_id,
            f"title of {magnet(7)}",
            magnet(7),
            S.DOWNLOADING,
            "qbittorrent",
            None,
            1,
        ),
    )


async def test_each_outcome_records_its_type_and_reason(store, given):
    qbit = await given.downloader()
    done = await given.at_downloader(qbit, "aa" * 20)
    failed = await given.at_downloader(qbit, "bb" * 20)
    parked = await given.download(E.NO_DOWNLOADER)
    start = await store.events.latest_id()

    await store.downloads.apply(
        [
            Transition(done, E.REPORTED_COMPLETED),
            Transition(failed, E.REPORTED_FAILED, reason="no seeds"),
            Transition(parked, E.CANCEL),
        ],
        NOW,
    )

    events = await store.events.after(start, 10)
    assert [(e.type, e.download.download_id, e.download.reason) for e in events] == [
        (T.DOWNLOAD_COMPLETED, done, None),
        (T.DOWNLOAD_FAILED, failed, "no seeds"),
        (T.DOWNLOAD_CANCELLED, parked, None),
    ]


async def test_a_rejection_is_a_failure_and_no_capable_downloader_is_its_own_event(store, given):
    rejected = await given.download(E.REJECTED, reason="bad torrent")
    parked = await given.download(E.NO_DOWNLOADER)

    assert await _types(store) == [
        (T.DOWNLOAD_FAILED, rejected),
        (T.DOWNLOAD_NO_DOWNLOADER, parked),
    ]


async def test_progress_back_offs_and_changes_that_change_nothing_record_nothing(store, given):
    qbit = await given.downloader()
    download_id = await given.at_downloader(qbit)
    pending = await given.download()
    start = await store.events.latest_id()

    await store.downloads.apply(
        [
            Transition(download_id, E.REPORTED_DOWNLOADING, progress=0.5),
            Transition(pending, E.UNREACHABLE),
        ],
        NOW,
    )
    await store.downloads.apply(
        [Transition(download_id, E.REPORTED_DOWNLOADING, progress=0.5)], NOW
    )

    assert await store.events.after(start, 10) == []


async def test_a_retry_that_supersedes_an_open_attempt_records_its_cancel(store, given):
    parked = await given.download(E.NO_DOWNLOADER)

    await store.downloads.retry([parked], NOW)

    assert await _types(store) == [
        (T.DOWNLOAD_NO_DOWNLOADER, parked),
        (T.DOWNLOAD_CANCELLED, parked),
    ]


async def test_a_downloader_going_down_and_up_records_one_event_each(store, given):
    qbit = await given.downloader("qbittorrent")
    down = Health().down(NOW, "connection refused")
    later = given.later(minutes=1)

    await store.services.save_health({qbit.module_id: down}, NOW)
    await store.services.save_health({qbit.module_id: down.down(later, "timed out")}, later)
    await store.services.save_health({qbit.module_id: down.up(later)}, later)
    await store.services.save_health({qbit.module_id: Health().up(later)}, later)

    events = await store.events.after(0, 10)
    assert [(e.type, e.occurred_at, e.downloader) for e in events] == [
        (
            T.DOWNLOADER_DOWN,
            NOW,
            DownloaderFacts(qbit.module_id, "qbittorrent", "connection refused"),
        ),
        (T.DOWNLOADER_UP, later, DownloaderFacts(qbit.module_id, "qbittorrent", None)),
    ]


async def test_a_down_downloader_that_registers_again_is_up(store, given):
    qbit = await given.downloader("qbittorrent")
    await store.services.save_health({qbit.module_id: Health().down(NOW, "refused")}, NOW)

    await given.downloader("qbittorrent")
    await given.downloader("qbittorrent")  # already up: nothing more

    assert [e.type for e in await store.events.after(0, 10)] == [
        T.DOWNLOADER_DOWN,
        T.DOWNLOADER_UP,
    ]


async def test_events_page_by_id_in_order(store, given):
    ids = [await given.download(E.NO_DOWNLOADER) for _ in range(5)]
    everything = await store.events.after(0, 100)

    first = await store.events.after(0, 2)
    rest = await store.events.after(first[-1].event_id, 100)

    assert [e.download.download_id for e in everything] == ids
    assert first + rest == everything
    assert await store.events.latest_id() == everything[-1].event_id
    assert [e.event_id for e in everything] == sorted(e.event_id for e in everything)


async def test_pruning_removes_only_the_events_older_than_the_limit(store, given):
    old = await given.download(E.NO_DOWNLOADER)
    given.now = NOW + timedelta(days=31)
    new = await given.download(E.NO_DOWNLOADER)

    pruned = await store.events.prune(NOW + timedelta(days=1))

    assert pruned == 1
    assert await _types(store) == [(T.DOWNLOAD_NO_DOWNLOADER, new)]
    assert old != new


async def test_an_empty_log_has_latest_id_zero(store):
    assert (await store.events.latest_id(), await store.events.after(0, 10)) == (0, [])
