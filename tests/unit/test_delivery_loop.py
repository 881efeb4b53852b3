"""The delivery loop: delivers what is waiting, prunes old events, and records its errors."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from apps.core.delivery import DeliveryLoop
from dispatch_domain.delivery import NewSubscriber, SubscriberKind
from dispatch_domain.services.delivery import Deliverer
from dispatch_domain.status import DownloadEvent
from dispatch_domain.testing import FakeClock, FakeEventSender, InMemoryStore
from tests.contract.conftest import Given

E = DownloadEvent


def _loop(store: InMemoryStore, clock: FakeClock, sender: FakeEventSender) -> DeliveryLoop:
    deliverer = Deliverer(store.subscribers, sender, clock, batch=2)
    return DeliveryLoop(deliverer, store.events, clock, interval=0.01, retention=timedelta(days=30))


async def _run_briefly(loop: DeliveryLoop) -> None:
    task = asyncio.create_task(loop.run())
    await asyncio.sleep(0.1)
    loop.stop()
    await task


async def test_the_loop_delivers_everything_waiting_and_prunes_events_past_retention():
    store, clock, sender = InMemoryStore(), FakeClock(), FakeEventSender()
    given = Given(store, now=clock.now())
    old = await given.download(E.NO_DOWNLOADER)
    clock.advance(timedelta(days=31))
    given.now = clock.now()
    hook = await store.subscribers.add(
        NewSubscriber(SubscriberKind.WEBHOOK, "http://127.0.0.1:9/"), clock.now()
    )
    fresh = [await given.download(E.NO_DOWNLOADER) for _ in range(5)]

    await _run_briefly(_loop(store, clock, sender))

    kept = await store.events.after(0, 100)
    assert [e.download.download_id for e in kept] == fresh and old not in fresh
    assert sender.sent == [(hook.subscriber_id, e.event_id) for e in kept]


class DatabaseGone:
    """A subscriber repository whose database went away."""

    async def claim(self, *_: object) -> list[object]:
        raise ConnectionError("database went away")


async def test_a_failing_round_is_recorded_and_the_loop_goes_on():
    store, clock = InMemoryStore(), FakeClock()
    deliverer = Deliverer(DatabaseGone(), FakeEventSender(), clock)  # type: ignore[arg-type]
    loop = DeliveryLoop(deliverer, store.events, clock, interval=0.01)

    await _run_briefly(loop)

    assert loop.state.last_error == "ConnectionError: database went away"
    assert loop.state.last_error_at is not None
    assert loop.state.rounds >= 1  # the prune round went on


async def test_each_delivery_round_is_told_to_the_observer_and_pruning_is_not():
    store, clock = InMemoryStore(), FakeClock()
    told: list[bool] = []
    deliverer = Deliverer(store.subscribers, FakeEventSender(), clock)
    loop = DeliveryLoop(
        deliverer, store.events, clock, observe=lambda _, failed: told.append(failed)
    )
    failing = DeliveryLoop(
        Deliverer(DatabaseGone(), FakeEventSender(), clock),  # type: ignore[arg-type]
        store.events,
        clock,
        observe=lambda _, failed: told.append(failed),
    )

    await loop.round()
    await loop._prune()
    await failing.round()

    assert told == [False, True]
