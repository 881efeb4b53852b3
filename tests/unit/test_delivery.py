"""Delivering events: in order per subscriber, retried with back-off, given up after a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dispatch_domain.delivery import (
    Claim,
    Delivered,
    DeliveryState,
    NewSubscriber,
    NotDelivered,
    Subscriber,
    SubscriberKind,
    retry_delay,
    settle,
)
from dispatch_domain.events import Event, EventType
from dispatch_domain.services.delivery import Deliverer
from dispatch_domain.status import DownloadEvent
from dispatch_domain.testing import FakeClock, FakeEventSender, InMemoryStore
from dispatch_domain.transition import Transition
from tests.contract.conftest import Given

E = DownloadEvent
T = EventType
WEBHOOK = NewSubscriber(SubscriberKind.WEBHOOK, "http://127.0.0.1:9/hook")


def test_a_failed_delivery_waits_10_s_then_doubles_up_to_an_hour():
    waits = [retry_delay(n).total_seconds() for n in range(1, 12)]

    assert waits == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
    assert retry_delay(10_000) == timedelta(hours=1)


@pytest.fixture
def world():
    store = InMemoryStore()
    clock = FakeClock()
    sender = FakeEventSender()
    given = Given(store, now=clock.now())
    deliverer = Deliverer(store.subscribers, sender, clock, batch=3)
    return store, clock, sender, given, deliverer


async def _parked(given: Given, count: int, start: int = 500) -> list[int]:
    """`count` downloads parked as no_downloader: one event each."""
    ids = await given.downloads(count, start=start)
    await given.store.downloads.apply([Transition(i, E.NO_DOWNLOADER) for i in ids], given.now)
    return ids


async def _event_ids(store: InMemoryStore) -> list[int]:
    return [event.event_id for event in await store.events.after(0, 100)]


async def test_a_subscriber_receives_only_events_recorded_after_it_was_added(world):
    store, clock, sender, given, deliverer = world
    await _parked(given, 2)
    hook = await store.subscribers.add(WEBHOOK, clock.now())
    await _parked(given, 4, start=900)

    while await deliverer.run_round():
        pass

    later = (await _event_ids(store))[2:]
    assert len(later) == 4
    assert sender.sent == [(hook.subscriber_id, event_id) for event_id in later]


async def test_events_go_out_in_order_in_batches(world):
    store, clock, sender, given, deliverer = world
    hook = await store.subscribers.add(WEBHOOK, clock.now())
    await _parked(given, 7)

    rounds = [await deliverer.run_round() for _ in range(4)]

    assert rounds == [3, 3, 1, 0]
    assert sender.sent == [(hook.subscriber_id, e) for e in await _event_ids(store)]
    (listed,) = await store.subscribers.of_kind(SubscriberKind.WEBHOOK)
    assert (listed.state.delivered, listed.state.cursor) == (7, (await _event_ids(store))[-1])


async def test_a_failure_stops_the_batch_and_is_retried_after_10_s_not_before(world):
    store, clock, sender, given, deliverer = world
    hook = await store.subscribers.add(WEBHOOK, clock.now())
    await _parked(given, 2)
    sender.down[hook.subscriber_id] = "HTTP 503 from http://127.0.0.1:9/hook"

    assert await deliverer.run_round() == 0
    (failing,) = await store.subscribers.of_kind(SubscriberKind.WEBHOOK)
    assert (failing.state.failures, failing.state.last_error) == (
        1,
        "HTTP 503 from http://127.0.0.1:9/hook",
    )
    assert failing.state.next_try_at == clock.now() + timedelta(seconds=10)
    assert sender.tries == 1

    del sender.down[hook.subscriber_id]
    clock.advance(timedelta(seconds=9))
    assert await deliverer.run_round() == 0
    clock.advance(timedelta(seconds=1))
    assert await deliverer.run_round() == 2
    (healthy,) = await store.subscribers.of_kind(SubscriberKind.WEBHOOK)
    assert (healthy.state.failures, healthy.state.next_try_at) == (0, None)


async def test_failures_back_off_and_the_event_is_given_up_after_24_h(world):
    store, clock, sender, given, deliverer = world
    hook = await store.subscribers.add(WEBHOOK, clock.now())
    await _parked(given, 2)
    sender.down[hook.subscriber_id] = "connection refused"
    started = clock.now()

    waits = []
    while clock.now() - started < timedelta(hours=24):
        await deliverer.run_round()
        (state,) = [s.state for s in await store.subscribers.of_kind(SubscriberKind.WEBHOOK)]
        if state.next_try_at is None:
            break
        waits.append(state.next_try_at - clock.now())
        clock.current = state.next_try_at

    await deliverer.run_round()  # 24 h after the first failure: the event is skipped
    (state,) = [s.state for s in await store.subscribers.of_kind(SubscriberKind.WEBHOOK)]
    event_ids = await _event_ids(store)
    assert waits[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert max(waits) == timedelta(hours=1)
    assert state.cursor == event_ids[0]
    assert state.last_error == f"gave up on event {event_ids[0]} after 24 h: connection refused"


async def test_a_subscriber_receives_only_the_types_it_asked_for(world):
    store, clock, sender, given, deliverer = world
    only_failures = NewSubscriber(
        SubscriberKind.WEBHOOK, "http://127.0.0.1:9/f", event_types=frozenset({T.DOWNLOAD_FAILED})
    )
    hook = await store.subscribers.add(only_failures, clock.now())
    await _parked(given, 1)
    failed = await given.download(E.REJECTED, reason="bad torrent")

    while await deliverer.run_round():
        pass

    (event_id,) = [
        e.event_id
        for e in await store.events.after(0, 10)
        if e.download and e.download.download_id == failed
    ]
    assert sender.sent == [(hook.subscriber_id, event_id)]


async def test_a_claimed_subscriber_is_not_claimed_again_until_settled_or_its_lease_ends(world):
    store, clock, _, given, _ = world
    await store.subscribers.add(WEBHOOK, clock.now())
    await _parked(given, 1)
    lease = clock.now() + timedelta(minutes=2)

    first = await store.subscribers.claim(clock.now(), lease, 10)
    second = await store.subscribers.claim(clock.now(), lease, 10)
    clock.advance(timedelta(minutes=2))
    after_lease = await store.subscribers.claim(clock.now(), clock.now() + timedelta(minutes=2), 10)

    assert (len(first), second, len(after_lease)) == (1, [], 1)


async def test_one_failing_subscriber_costs_the_others_nothing(world):
    store, clock, sender, given, deliverer = world
    broken = await store.subscribers.add(WEBHOOK, clock.now())
    fine = await store.subscribers.add(WEBHOOK, clock.now())
    await _parked(given, 2)
    sender.down[broken.subscriber_id] = "refused"

    assert await deliverer.run_round() == 2
    assert [s for s, _ in sender.sent] == [fine.subscriber_id] * 2


@given(
    delivered_first=st.integers(min_value=0, max_value=5),
    fails=st.booleans(),
    failures_before=st.integers(min_value=0, max_value=30),
    failing_for=st.integers(min_value=0, max_value=48 * 3600),
)
def test_settling_moves_the_cursor_past_delivered_events_only_and_never_back(
    delivered_first, fails, failures_before, failing_for
):
    assume(delivered_first or fails)  # a round always tries the first waiting event
    now = datetime(2026, 1, 2, tzinfo=UTC)
    since = now - timedelta(seconds=failing_for) if failures_before else None
    state = DeliveryState(cursor=10, failures=failures_before, failing_since=since, delivered=4)
    hook = Subscriber(
        1, SubscriberKind.WEBHOOK, "http://127.0.0.1:9/", None, frozenset(), now, state
    )
    events = tuple(Event(11 + n, EventType.DOWNLOAD_FAILED, now) for n in range(6))
    outcomes = [Delivered()] * delivered_first + ([NotDelivered("refused")] if fails else [])

    settled = settle(Claim(hook, events), outcomes, now).state

    gave_up = fails and delivered_first == 0 and failures_before and failing_for >= 24 * 3600
    expected_cursor = 10 + delivered_first + (1 if gave_up else 0)
    assert settled.cursor == expected_cursor
    assert settled.delivered == 4 + delivered_first
    if fails and not gave_up:
        assert settled.failures == (failures_before if delivered_first == 0 else 0) + 1
        assert settled.next_try_at == now + retry_delay(settled.failures)
    else:
        assert (settled.failures, settled.next_try_at) == (0, None)
