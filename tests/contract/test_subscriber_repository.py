"""SubscriberRepository contract: subscribers, their claims, and where their deliveries stand."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from dispatch_domain import NotFound
from dispatch_domain.delivery import DeliveryState, NewSubscriber, Settlement, SubscriberKind
from dispatch_domain.events import EventType
from dispatch_domain.status import DownloadEvent
from tests.contract.conftest import NOW

E = DownloadEvent
K = SubscriberKind
HOOK = NewSubscriber(K.WEBHOOK, "https://hooks.example/in?token=abc", "s3cret")
LEASE = NOW + timedelta(minutes=2)


async def test_a_subscriber_round_trips_and_starts_after_the_newest_event(store, given):
    await given.download(E.NO_DOWNLOADER)
    newest = await store.events.latest_id()
    wanted = frozenset({EventType.DOWNLOAD_FAILED, EventType.DOWNLOADER_DOWN})

    added = await store.subscribers.add(attrs.evolve(HOOK, event_types=wanted), NOW)

    assert (added.kind, added.target, added.secret, added.event_types, added.created_at) == (
        K.WEBHOOK,
        "https://hooks.example/in?token=abc",
        "s3cret",
        wanted,
        NOW,
    )
    assert added.state == DeliveryState(cursor=newest)
    assert await store.subscribers.of_kind(K.WEBHOOK) == [added]
    assert await store.subscribers.of_kind(K.APPRISE) == []


async def test_removing_takes_only_a_subscriber_of_that_kind(store):
    hook = await store.subscribers.add(HOOK, NOW)

    with pytest.raises(NotFound):
        await store.subscribers.remove(K.APPRISE, hook.subscriber_id)
    await store.subscribers.remove(K.WEBHOOK, hook.subscriber_id)

    assert await store.subscribers.of_kind(K.WEBHOOK) == []
    with pytest.raises(NotFound):
        await store.subscribers.remove(K.WEBHOOK, hook.subscriber_id)


async def test_a_claim_holds_the_subscriber_with_its_next_wanted_events_in_order(store, given):
    only_failed = NewSubscriber(
        K.WEBHOOK, "http://127.0.0.1:9/", event_types=frozenset({EventType.DOWNLOAD_FAILED})
    )
    everything = await store.subscribers.add(HOOK, NOW)
    failures = await store.subscribers.add(only_failed, NOW)
    parked = [await given.download(E.NO_DOWNLOADER) for _ in range(3)]
    failed = await given.download(E.REJECTED, reason="refused")

    claims = await store.subscribers.claim(NOW, LEASE, 2)
    again = await store.subscribers.claim(NOW, LEASE, 2)

    by_id = {c.subscriber.subscriber_id: c for c in claims}
    assert [e.download.download_id for e in by_id[everything.subscriber_id].events] == parked[:2]
    assert [e.download.download_id for e in by_id[failures.subscriber_id].events] == [failed]
    assert again == []


async def test_settling_saves_the_state_and_ends_the_claim(store, given):
    hook = await store.subscribers.add(HOOK, NOW)
    ids = [await given.download(E.NO_DOWNLOADER) for _ in range(2)]
    (claim,) = await store.subscribers.claim(NOW, LEASE, 10)
    first = claim.events[0].event_id
    failing = DeliveryState(
        cursor=first,
        failures=1,
        last_error="HTTP 500",
        next_try_at=NOW + timedelta(seconds=10),
        failing_since=NOW,
        delivered=1,
    )

    await store.subscribers.settle([Settlement(hook.subscriber_id, failing)])

    (saved,) = await store.subscribers.of_kind(K.WEBHOOK)
    assert saved.state == failing
    assert await store.subscribers.claim(NOW, LEASE, 10) == []  # not due before next_try_at
    (retried,) = await store.subscribers.claim(NOW + timedelta(seconds=10), LEASE, 10)
    assert [e.download.download_id for e in retried.events] == ids[1:]


async def test_a_late_settlement_never_moves_the_cursor_back(store, given):
    hook = await store.subscribers.add(HOOK, NOW)
    await given.download(E.NO_DOWNLOADER)
    (claim,) = await store.subscribers.claim(NOW, LEASE, 10)
    ahead = DeliveryState(cursor=claim.events[-1].event_id, delivered=1)

    await store.subscribers.settle([Settlement(hook.subscriber_id, ahead)])
    await store.subscribers.settle([Settlement(hook.subscriber_id, DeliveryState(cursor=0))])

    (saved,) = await store.subscribers.of_kind(K.WEBHOOK)
    assert saved.state.cursor == ahead.cursor


async def test_a_subscriber_with_nothing_waiting_is_not_claimed(store, given):
    await given.download(E.NO_DOWNLOADER)
    await store.subscribers.add(HOOK, NOW)

    assert await store.subscribers.claim(NOW, LEASE, 10) == []
