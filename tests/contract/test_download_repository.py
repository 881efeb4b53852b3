"""DownloadRepository contract: claiming, guarded transitions, parking, retries and queries."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from dispatch_domain import DownloadFilter, NotFound, Transition
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, RemoteState
from tests.contract.conftest import NOW, torrent

S = DownloadStatus
E = DownloadEvent
LEASE = timedelta(minutes=5)


# claim_due


async def test_claims_due_downloads_oldest_due_first_up_to_the_limit(store, given):
    first = await given.downloads(3)
    late = await given.download()
    await given.move(first[0], E.UNREACHABLE, retry_at=given.later(minutes=1))

    claimed = await store.downloads.claim_due(given.later(minutes=2), 3, LEASE)

    assert [c.download_id for c in claimed] == [first[1], first[2], late]


async def test_a_claim_carries_url_type_and_save_path(store, given):
    stored = await given.post(torrent(4), save_path="shows/A")

    (claimed,) = await store.downloads.claim_due(NOW, 10, LEASE)

    assert claimed.download_id == stored.download_ids[0]
    assert (claimed.url, claimed.download_type) == (torrent(4), DownloadType.TORRENT)
    assert claimed.save_path == "shows/A"


async def test_a_claimed_download_is_leased_until_the_lease_ends(store, given):
    (download_id,) = await given.downloads(1)
    await store.downloads.claim_due(NOW, 10, LEASE)

    assert await store.downloads.claim_due(NOW + LEASE - timedelta(seconds=1), 10, LEASE) == []
    again = await store.downloads.claim_due(NOW + LEASE, 10, LEASE)
    assert [c.download_id for c in again] == [download_id]
    assert (await store.downloads.get(download_id)).next_attempt_at == NOW + 2 * LEASE


async def test_only_pending_downloads_that_are_due_are_claimed(store, given):
    await given.download(E.ACCEPTED, module_id=None, remote_id="aa" * 20)
    await given.download(E.NO_DOWNLOADER)
    await given.download(E.UNREACHABLE, retry_at=given.later(hours=1))

    assert await store.downloads.claim_due(given.later(minutes=59), 10, LEASE) == []


# apply


async def test_an_accepted_download_records_its_downloader_and_hash(store, given):
    module = await given.downloader()
    (download_id,) = await given.downloads(1)
    accepted = Transition(download_id, E.ACCEPTED, module_id=module.module_id, remote_id="h1")

    applied = await store.downloads.apply([accepted], given.later(seconds=5))

    assert applied == [download_id]
    view = await store.downloads.get(download_id)
    assert view.status is S.DOWNLOADING
    assert (view.module_id, view.downloader, view.remote_id) == (module.module_id, "qbit", "h1")
    assert view.updated_at == given.later(seconds=5)
    assert view.created_at == NOW
    assert view.next_attempt_at is None


async def test_a_transition_from_a_status_it_does_not_leave_is_ignored(store, given):
    download_id = await given.download(E.CANCEL, reason="user")

    applied = await store.downloads.apply(
        [Transition(download_id, E.ACCEPTED, remote_id="h")], given.later(seconds=1)
    )

    assert applied == []
    view = await store.downloads.get(download_id)
    assert (view.status, view.reason, view.remote_id) == (S.CANCELLED, "user", None)
    assert view.updated_at == NOW


async def test_a_batch_applies_only_what_each_current_status_allows(store, given):
    pending = await given.download()
    downloading = await given.download(E.ACCEPTED, remote_id="cc" * 20)
    completed = await given.download(E.ACCEPTED, E.REPORTED_COMPLETED)

    applied = await store.downloads.apply(
        [
            Transition(pending, E.REPORTED_COMPLETED),
            Transition(downloading, E.REPORTED_COMPLETED, progress=1.0),
            Transition(completed, E.CANCEL),
            Transition(999_999, E.ACCEPTED),
        ],
        NOW,
    )

    assert applied == [downloading]
    statuses = [(await store.downloads.get(i)).status for i in (pending, downloading, completed)]
    assert statuses == [S.PENDING, S.COMPLETED, S.COMPLETED]


async def test_two_changes_to_one_download_in_a_batch_apply_in_order(store, given):
    (download_id,) = await given.downloads(1)

    applied = await store.downloads.apply(
        [
            Transition(download_id, E.ACCEPTED, remote_id="dd" * 20),
            Transition(download_id, E.REPORTED_COMPLETED, progress=1.0, size=10),
        ],
        NOW,
    )

    assert applied == [download_id, download_id]
    view = await store.downloads.get(download_id)
    assert (view.status, view.remote_id, view.progress) == (S.COMPLETED, "dd" * 20, 1.0)


async def test_reason_and_remote_state_are_always_written_other_fields_only_when_given(
    store, given
):
    module = await given.downloader()
    download_id = await given.at_downloader(module)
    report = Transition(
        download_id,
        E.REPORTED_DOWNLOADING,
        reason="stalled",
        progress=0.25,
        size=1000,
        remote_state=RemoteState.PAUSED,
        content_path="/data/Show/ep1.mkv",
    )
    await store.downloads.apply([report], NOW)

    await store.downloads.apply([Transition(download_id, E.POLL_UNREACHABLE)], NOW)

    view = await store.downloads.get(download_id)
    assert view.status is S.DOWNLOADER_ERROR
    assert (view.reason, view.remote_state) == (None, None)
    assert (view.progress, view.size, view.content_path) == (0.25, 1000, "/data/Show/ep1.mkv")
    assert (view.module_id, view.remote_id) == (module.module_id, "ab" * 20)


async def test_a_batch_may_mix_whole_and_fractional_progress(store, given):
    first = await given.download(E.ACCEPTED)
    second = await given.download(E.ACCEPTED)

    applied = await store.downloads.apply(
        [
            Transition(first, E.REPORTED_DOWNLOADING, progress=0.5),
            Transition(second, E.REPORTED_COMPLETED, progress=1),
        ],
        NOW,
    )

    assert sorted(applied) == sorted([first, second])
    assert [v.progress for v in await store.downloads.views([first, second])] == [0.5, 1.0]


async def test_an_unreachable_round_keeps_the_download_pending_until_its_retry_time(store, given):
    (download_id,) = await given.downloads(1)
    retry_at = given.later(minutes=1)

    await store.downloads.apply(
        [Transition(download_id, E.UNREACHABLE, reason="qbit: unreachable", retry_at=retry_at)],
        NOW,
    )

    view = await store.downloads.get(download_id)
    assert (view.status, view.reason, view.next_attempt_at) == (
        S.PENDING,
        "qbit: unreachable",
        retry_at,
    )
    assert await store.downloads.claim_due(given.later(seconds=59), 10, LEASE) == []
    assert len(await store.downloads.claim_due(retry_at, 10, LEASE)) == 1


async def test_a_rejected_download_fails_with_every_reason(store, given):
    (download_id,) = await given.downloads(1)

    await store.downloads.apply(
        [Transition(download_id, E.REJECTED, reason="a: bad; b: worse")], NOW
    )

    view = await store.downloads.get(download_id)
    assert (view.status, view.reason) == (S.FAILED, "a: bad; b: worse")


async def test_applying_nothing_changes_nothing(store):
    assert await store.downloads.apply([], NOW) == []


# release_parked


async def test_parked_downloads_of_the_given_types_become_pending_and_due(store, given):
    parked_magnet = await given.download(E.NO_DOWNLOADER, reason="no downloader")
    parked_torrent = (await given.post(torrent(5))).download_ids[0]
    await given.move(parked_torrent, E.NO_DOWNLOADER)
    waiting = await given.download()

    released = await store.downloads.release_parked({DownloadType.MAGNET}, given.later(hours=1))

    assert released == 1
    view = await store.downloads.get(parked_magnet)
    assert (view.status, view.reason, view.next_attempt_at) == (
        S.PENDING,
        None,
        given.later(hours=1),
    )
    assert view.updated_at == given.later(hours=1)
    assert (await store.downloads.get(parked_torrent)).status is S.NO_DOWNLOADER
    assert (await store.downloads.get(waiting)).updated_at == NOW


async def test_releasing_twice_releases_each_parked_download_once(store, given):
    for _ in range(3):
        await given.download(E.NO_DOWNLOADER)

    first = await store.downloads.release_parked({DownloadType.MAGNET}, NOW)
    second = await store.downloads.release_parked({DownloadType.MAGNET}, NOW)

    assert (first, second) == (3, 0)


# count_by_status, get, views, ids_with_status


async def test_counts_by_status_among_the_given_downloads_only(store, given):
    pending = await given.downloads(2)
    failed = await given.download(E.REJECTED, reason="no")
    elsewhere = await given.download(E.REJECTED, reason="no")

    counts = await store.downloads.count_by_status([*pending, failed, failed, 424_242])

    assert dict(counts) == {S.PENDING: 2, S.FAILED: 1}
    assert (await store.downloads.count_by_status([elsewhere]))[S.FAILED] == 1


async def test_status_totals_count_every_download_by_status(store, given):
    assert dict(await store.downloads.status_totals()) == {}
    await given.downloads(2)
    await given.download(E.REJECTED, reason="no")
    await given.download(E.NO_DOWNLOADER)

    totals = await store.downloads.status_totals()

    assert dict(totals) == {S.PENDING: 2, S.FAILED: 1, S.NO_DOWNLOADER: 1}


async def test_getting_an_unknown_download_raises_not_found(store):
    with pytest.raises(NotFound):
        await store.downloads.get(424_242)


async def test_views_are_the_existing_downloads_in_id_order(store, given):
    ids = await given.downloads(3)

    views = await store.downloads.views([ids[2], 424_242, ids[0], ids[2]])

    assert [view.download_id for view in views] == [ids[0], ids[2]]


async def test_ids_with_status_are_sorted(store, given):
    pending = await given.downloads(2)
    parked = await given.download(E.NO_DOWNLOADER)
    await given.download(E.REJECTED)

    assert await store.downloads.ids_with_status({S.PENDING, S.NO_DOWNLOADER}) == [
        *pending,
        parked,
    ]
    assert await store.downloads.ids_with_status(set()) == []


# find


async def test_find_lists_newest_first_with_the_total_of_all_matches(store, given):
    ids = await given.downloads(5)

    page = await store.downloads.find(DownloadFilter(limit=2, offset=1))

    assert [v.download_id for v in page.items] == [ids[3], ids[2]]
    assert (page.total, page.limit, page.offset) == (5, 2, 1)


async def test_find_past_the_end_is_empty_but_still_counts(store, given):
    await given.downloads(2)

    page = await store.downloads.find(DownloadFilter(limit=10, offset=10))

    assert (page.items, page.total) == ((), 2)


async def test_find_filters_by_status_downloader_and_link(store, given):
    module = await given.downloader()
    other = await given.downloader("other", host="10.0.0.3")
    placed = await given.at_downloader(module)
    await given.at_downloader(other, remote_id="ef" * 20)
    (waiting,) = await given.downloads(1)
    link_id = (await store.downloads.get(waiting)).link_id

    by_status = await store.downloads.find(DownloadFilter(status=S.PENDING))
    by_module = await store.downloads.find(DownloadFilter(module_id=module.module_id))
    by_link = await store.downloads.find(DownloadFilter(link_id=link_id))
    both = await store.downloads.find(DownloadFilter(status=S.PENDING, module_id=module.module_id))

    assert [v.download_id for v in by_status.items] == [waiting]
    assert [v.download_id for v in by_module.items] == [placed]
    assert [v.download_id for v in by_link.items] == [waiting]
    assert (both.items, both.total) == ((), 0)


# retry


@pytest.mark.parametrize(
    "events",
    [(E.REJECTED,), (E.CANCEL,), (E.ACCEPTED, E.REPORTED_FAILED)],
    ids=["failed", "cancelled", "failed-at-downloader"],
)
async def test_a_closed_download_is_retried_as_a_new_pending_attempt(store, given, events):
    old = await given.download(*events)
    before = await store.downloads.get(old)

    retried = await store.downloads.retry([old], given.later(hours=1))

    new = retried[old]
    view = await store.downloads.get(new)
    assert (view.status, view.attempts, view.link_id) == (S.PENDING, 2, before.link_id)
    assert view.created_at == view.next_attempt_at == given.later(hours=1)
    assert (view.module_id, view.remote_id, view.reason) == (None, None, None)
    assert await store.downloads.get(old) == before
    claimed = await store.downloads.claim_due(given.later(hours=1), 10, LEASE)
    assert [c.download_id for c in claimed] == [new]


@pytest.mark.parametrize(
    "events",
    [(E.NO_DOWNLOADER,), (E.ACCEPTED, E.POLL_UNREACHABLE)],
    ids=["no_downloader", "downloader_error"],
)
async def test_retrying_an_open_download_closes_it_as_superseded(store, given, events):
    old = await given.download(*events)

    retried = await store.downloads.retry([old], given.later(minutes=3))

    superseded = await store.downloads.get(old)
    assert (superseded.status, superseded.reason) == (S.CANCELLED, "superseded by a retry")
    assert superseded.updated_at == given.later(minutes=3)
    assert (await store.downloads.get(retried[old])).status is S.PENDING


@pytest.mark.parametrize(
    "events",
    [(), (E.ACCEPTED,), (E.ACCEPTED, E.REPORTED_COMPLETED)],
    ids=["pending", "downloading", "completed"],
)
async def test_an_active_or_completed_download_is_not_retried(store, given, events):
    download_id = await given.download(*events)

    assert await store.downloads.retry([download_id], NOW) == {}
    assert (await store.downloads.find(DownloadFilter())).total == 1


async def test_only_the_latest_attempt_of_a_link_is_retried(store, given):
    first = await given.download(E.REJECTED)
    second = (await store.downloads.retry([first], NOW))[first]
    await given.move(second, E.REJECTED)

    retried = await store.downloads.retry([first, second, 424_242], NOW)

    assert list(retried) == [second]
    assert (await store.downloads.get(retried[second])).attempts == 3


async def test_a_download_whose_link_has_another_active_attempt_is_not_retried(store, given):
    first = await given.download(E.NO_DOWNLOADER)
    second = (await store.downloads.retry([first], NOW))[first]
    await given.move(second, E.REJECTED)
    await given.move(first, E.RETRY)  # the old attempt is open again

    assert await store.downloads.retry([second], NOW) == {}


async def test_retrying_the_same_download_twice_starts_one_new_attempt(store, given):
    old = await given.download(E.REJECTED)

    first = await store.downloads.retry([old, old], NOW)
    second = await store.downloads.retry([old], NOW)

    assert list(first) == [old]
    assert second == {}
    link_id = (await store.downloads.get(old)).link_id
    page = await store.downloads.find(DownloadFilter(link_id=link_id))
    assert [v.attempts for v in page.items] == [2, 1]


async def test_retrying_many_maps_each_old_id_to_its_new_one(store, given):
    olds = [await given.download(E.REJECTED) for _ in range(3)]

    retried = await store.downloads.retry(reversed(olds), NOW)

    assert list(retried) == olds
    assert sorted(retried.values()) == list(retried.values())
    for old, new in retried.items():
        assert (await store.downloads.get(new)).link_id == (await store.downloads.get(old)).link_id


async def test_retrying_nothing_returns_nothing(store):
    assert await store.downloads.retry([], NOW) == {}


# tracked


async def test_tracked_are_the_hashed_downloads_at_the_given_downloaders(store, given):
    module = await given.downloader()
    other = await given.downloader("other", host="10.0.0.3")
    downloading = await given.at_downloader(module, "01" * 20)
    unreachable = await given.at_downloader(module, "02" * 20)
    await given.move(unreachable, E.POLL_UNREACHABLE)
    done = await given.at_downloader(module, "03" * 20)
    await given.move(done, E.REPORTED_COMPLETED)
    await given.at_downloader(other, "04" * 20)
    await given.download(E.ACCEPTED, module_id=module.module_id)  # accepted without a hash

    tracked = await store.downloads.tracked([module.module_id])

    assert [(t.download_id, t.module_id, t.remote_id, t.status) for t in tracked] == [
        (downloading, module.module_id, "01" * 20, S.DOWNLOADING),
        (unreachable, module.module_id, "02" * 20, S.DOWNLOADER_ERROR),
    ]
    assert await store.downloads.tracked([]) == []


async def test_tracked_downloads_carry_any_downloader_s_id_exactly_as_given(store, given):
    module = await given.downloader("aria", (DownloadType.HTTP,))
    gid = await given.at_downloader(module, "2089b05ecca3d829")
    job = await given.at_downloader(module, "Job-7")

    tracked = await store.downloads.tracked([module.module_id])

    assert [(t.download_id, t.remote_id) for t in tracked] == [
        (gid, "2089b05ecca3d829"),
        (job, "Job-7"),
    ]
    assert (await store.downloads.get(job)).remote_id == "Job-7"


async def test_a_change_that_would_make_a_second_active_attempt_is_not_applied(store, given):
    first = await given.at_downloader(await given.downloader())
    await given.move(first, E.REPORTED_FAILED)
    (second,) = (await store.downloads.retry([first], NOW)).values()

    applied = await store.downloads.apply([Transition(first, E.RETRY)], NOW)

    assert applied == []
    assert (await store.downloads.get(first)).status is S.FAILED
    assert (await store.downloads.get(second)).status is S.PENDING


async def test_a_report_that_changes_nothing_writes_nothing(store, given):
    module = await given.downloader()
    download_id = await given.at_downloader(module)
    report = Transition(
        download_id,
        E.REPORTED_DOWNLOADING,
        progress=0.5,
        size=10,
        remote_state=RemoteState.DOWNLOADING,
    )
    assert await store.downloads.apply([report], NOW) == [download_id]

    again = await store.downloads.apply([report], given.later(minutes=1))

    assert again == []
    assert (await store.downloads.get(download_id)).updated_at == NOW
    progressed = attrs.evolve(report, progress=0.75)
    assert await store.downloads.apply([progressed], given.later(minutes=2)) == [download_id]
    assert (await store.downloads.get(download_id)).progress == 0.75


# shared_remote_ids


async def test_a_remote_id_another_active_download_holds_at_that_downloader_is_shared(store, given):
    module, other = await given.downloader(), await given.downloader("qbit-2", port=8082)
    by_file = await given.at_downloader(module, "ab" * 20)
    by_magnet = await given.at_downloader(module, "ab" * 20)
    alone = await given.at_downloader(module, "cd" * 20)
    elsewhere = await given.at_downloader(other, "ef" * 20)
    await given.at_downloader(module, "ef" * 20)  # the same id at another downloader
    held = {
        (module.module_id, "ab" * 20),
        (module.module_id, "cd" * 20),
        (other.module_id, "ef" * 20),
    }

    shared = await store.downloads.shared_remote_ids(held, [by_file, alone, elsewhere])

    assert shared == {(module.module_id, "ab" * 20)}
    assert (
        await store.downloads.shared_remote_ids(held, [by_file, by_magnet, alone, elsewhere])
        == set()
    )


async def test_a_download_no_longer_active_holds_no_remote_id(store, given):
    module = await given.downloader()
    cancelling = await given.at_downloader(module, "ab" * 20)
    for event in (E.CANCEL, E.REPORTED_COMPLETED, E.REPORTED_FAILED):
        await given.move(await given.at_downloader(module, "ab" * 20), event)
    unreachable = await given.at_downloader(module, "cd" * 20)
    await given.move(unreachable, E.POLL_UNREACHABLE)
    held = {(module.module_id, "ab" * 20), (module.module_id, "cd" * 20)}

    assert await store.downloads.shared_remote_ids(held, [cancelling]) == {
        (module.module_id, "cd" * 20)
    }
    assert await store.downloads.shared_remote_ids(set(), [cancelling]) == set()
