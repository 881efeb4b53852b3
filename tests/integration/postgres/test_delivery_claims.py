"""Two Cores delivering at once: no subscriber is delivered to by both, no event lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import attrs
import pytest

from dispatch_domain import Transition
from dispatch_domain.delivery import Delivered, NewSubscriber, Outcome, Subscriber, SubscriberKind
from dispatch_domain.events import Event
from dispatch_domain.services.delivery import Deliverer
from dispatch_domain.status import DownloadEvent
from dispatch_domain.testing import FakeClock
from tests.integration.postgres.posts import NOW, magnet, post_of

pytestmark = pytest.mark.real


@pytest.fixture(autouse=True)
async def warm_pool(pg_pool):
    await pg_pool.resize(min_size=6, max_size=10)
    await pg_pool.wait()


@attrs.define
class SlowSender:
    """Takes a while per event and notes any subscriber being sent two events at once."""

    in_flight: Counter[int] = attrs.Factory(Counter)
    overlaps: int = 0
    sent: list[tuple[int, int]] = attrs.Factory(list)

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome:
        self.in_flight[subscriber.subscriber_id] += 1
        self.overlaps += self.in_flight[subscriber.subscriber_id] > 1
        await asyncio.sleep(0.005)
        self.in_flight[subscriber.subscriber_id] -= 1
        self.sent.append((subscriber.subscriber_id, event.event_id))
        return Delivered()


async def test_two_deliverers_at_once_never_deliver_to_one_subscriber_together(pg_store):
    hooks = [
        await pg_store.subscribers.add(
            NewSubscriber(SubscriberKind.WEBHOOK, f"http://127.0.0.1:9/{n}"), NOW
        )
        for n in range(4)
    ]
    stored = await pg_store.links.store(*post_of(magnet(n) for n in range(60)), NOW)
    parked = [Transition(i, DownloadEvent.NO_DOWNLOADER) for i in stored.download_ids]
    await pg_store.downloads.apply(parked, NOW)
    event_ids = [e.event_id for e in await pg_store.events.after(0, 100)]
    sender, clock = SlowSender(), FakeClock(NOW)
    cores = [Deliverer(pg_store.subscribers, sender, clock, batch=7) for _ in range(2)]

    async def keep_delivering(deliverer: Deliverer) -> None:
        while len(sender.sent) < len(hooks) * len(event_ids):
            await deliverer.run_round()
            await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(*(keep_delivering(d) for d in cores)), 60)

    assert sender.overlaps == 0
    for hook in hooks:
        got = [e for s, e in sender.sent if s == hook.subscriber_id]
        assert got == event_ids  # each once, in order


async def test_claiming_and_settling_cost_the_same_statements_for_any_number(
    pg_store, statement_counter
):
    costs = {}
    for size in (2, 40):
        for n in range(size):
            hook = NewSubscriber(SubscriberKind.WEBHOOK, f"http://127.0.0.1:9/{size}/{n}")
            await pg_store.subscribers.add(hook, NOW)
        stored = await pg_store.links.store(
            *post_of(magnet(n) for n in range(size * 1000, size * 1000 + size)), NOW
        )
        parked = [Transition(i, DownloadEvent.NO_DOWNLOADER) for i in stored.download_ids]
        await pg_store.downloads.apply(parked, NOW)
        sender, clock = SlowSender(), FakeClock(NOW + timedelta(minutes=size))
        deliverer = Deliverer(pg_store.subscribers, sender, clock, batch=1000)

        before = statement_counter.count
        await deliverer.run_round()
        costs[size] = statement_counter.count - before

    assert costs == {2: 3, 40: 3}  # claim subscribers, read their events, settle
