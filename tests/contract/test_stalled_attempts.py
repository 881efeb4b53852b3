"""DownloadRepository contract for stalls: the downloaders a link stalled at travel with its
next attempt's claim (never offered it again) and with each followed attempt."""

from __future__ import annotations

from datetime import timedelta

from dispatch_domain import Transition
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import DownloadStatus, DownloadType

E = DownloadEvent
LEASE = timedelta(minutes=5)
STALLED = "stalled: no progress for 6 h at qbit (last 12 %)"


async def stall(store, download_id, now):
    """Fail `download_id` as stalled and make a new attempt of its link; the new id."""
    stalled = Transition(download_id, E.STALLED, reason=STALLED)
    assert await store.downloads.apply([stalled], now) == [download_id]
    retried = await store.downloads.retry([download_id], now)
    return retried[download_id]


async def test_a_fresh_claim_excludes_no_downloader(store, given):
    await given.downloads(1)

    (claimed,) = await store.downloads.claim_due(given.now, 10, LEASE)

    assert claimed.excluded == frozenset()


async def test_the_next_attempt_is_claimed_excluding_the_downloader_it_stalled_at(store, given):
    qbit = await given.downloader("qbit")
    await given.downloader("transmission", port=9091)
    first = await given.at_downloader(qbit)

    second = await stall(store, first, given.later(hours=6))
    (claimed,) = await store.downloads.claim_due(given.later(hours=6), 10, LEASE)

    assert claimed.download_id == second
    assert claimed.excluded == frozenset({qbit.module_id})


async def test_every_downloader_a_link_stalled_at_is_excluded_and_no_other_links(store, given):
    qbit = await given.downloader("qbit")
    transmission = await given.downloader("transmission", port=9091)
    first = await given.at_downloader(qbit)
    second = await stall(store, first, given.later(hours=6))
    await store.downloads.claim_due(given.later(hours=6), 10, LEASE)
    accepted = Transition(second, E.ACCEPTED, module_id=transmission.module_id, remote_id="ab" * 20)
    await store.downloads.apply([accepted], given.later(hours=6))
    third = await stall(store, second, given.later(hours=12))
    await given.downloads(1, start=500)  # another link, never stalled

    claimed = await store.downloads.claim_due(given.later(hours=12), 10, LEASE)

    assert {c.download_id: c.excluded for c in claimed if c.download_id == third} == {
        third: frozenset({qbit.module_id, transmission.module_id})
    }
    assert [c.excluded for c in claimed if c.download_id != third] == [frozenset()]


async def test_a_followed_attempt_knows_its_type_and_where_its_link_stalled(store, given):
    qbit = await given.downloader("qbit")
    transmission = await given.downloader("transmission", port=9091)
    first = await given.at_downloader(qbit)
    second = await stall(store, first, given.later(hours=6))
    await store.downloads.claim_due(given.later(hours=6), 10, LEASE)
    accepted = Transition(second, E.ACCEPTED, module_id=transmission.module_id, remote_id="cd" * 20)
    await store.downloads.apply([accepted], given.later(hours=6))

    (followed,) = await store.downloads.tracked([transmission.module_id])

    assert (followed.download_id, followed.status) == (second, DownloadStatus.DOWNLOADING)
    assert followed.download_type is DownloadType.MAGNET
    assert followed.stalled_at == frozenset({qbit.module_id})
