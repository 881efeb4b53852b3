"""In-memory event log and subscribers: the fakes behind EventLog and SubscriberRepository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from dispatch_domain.delivery import (
    Claim,
    Delivered,
    NewSubscriber,
    NotDelivered,
    Outcome,
    Settlement,
    Subscriber,
    SubscriberKind,
)
from dispatch_domain.errors import NotFound
from dispatch_domain.events import DownloaderFacts, DownloadFacts, Event, SubscriptionFacts
from dispatch_domain.testing.state import EventRow, InMemoryState


@attrs.define
class InMemoryEventLog:
    state: InMemoryState

    async def after(self, event_id: int, limit: int) -> list[Event]:
        rows = [row for row in self.state.events if row.event_id > event_id][:limit]
        return [_event(self.state, row) for row in rows]

    async def latest_id(self) -> int:
        return self.state.events[-1].event_id if self.state.events else 0

    async def prune(self, before: datetime) -> int:
        kept = [row for row in self.state.events if row.occurred_at >= before]
        pruned = len(self.state.events) - len(kept)
        self.state.events = kept
        return pruned


def _event(state: InMemoryState, row: EventRow) -> Event:
    module = state.modules.get(row.module_id) if row.module_id is not None else None
    name = module.service_name if module is not None else None
    download = None
    if row.download_id is not None:
        attempt = state.downloads[row.download_id]
        link = state.links[attempt.link_id]
        assert row.status is not None
        download = DownloadFacts(
            row.download_id,
            link.link_id,
            link.title,
            link.url,
            row.status,
            name,
            row.reason,
            attempt.attempt,
        )
    downloader = None
    if row.download_id is None and row.module_id is not None and name is not None:
        downloader = DownloaderFacts(row.module_id, name, row.reason)
    subscription = None
    if row.subscription_id is not None:
        settings = state.subscriptions[row.subscription_id].settings
        subscription = SubscriptionFacts(
            row.subscription_id, settings.name, settings.feed_url, row.reason
        )
    return Event(row.event_id, row.type, row.occurred_at, download, downloader, subscription)


@attrs.define
class InMemorySubscriberRepository:
    state: InMemoryState

    async def add(self, new: NewSubscriber, now: datetime) -> Subscriber:
        subscriber = Subscriber(
            self.state.new_id(), new.kind, new.target, new.secret, new.event_types, now
        )
        latest = await InMemoryEventLog(self.state).latest_id()
        subscriber = attrs.evolve(subscriber, state=attrs.evolve(subscriber.state, cursor=latest))
        self.state.subscribers[subscriber.subscriber_id] = subscriber
        return subscriber

    async def of_kind(self, kind: SubscriberKind) -> list[Subscriber]:
        found = (s for s in self.state.subscribers.values() if s.kind is kind)
        return sorted(found, key=lambda s: s.subscriber_id)

    async def remove(self, kind: SubscriberKind, subscriber_id: int) -> None:
        found = self.state.subscribers.get(subscriber_id)
        if found is None or found.kind is not kind:
            raise NotFound(kind.value, subscriber_id)
        del self.state.subscribers[subscriber_id]

    async def claim(self, now: datetime, until: datetime, batch: int) -> list[Claim]:
        claims = []
        for subscriber in await self._all():
            held = self.state.delivery_claims.get(subscriber.subscriber_id)
            due = subscriber.state.next_try_at
            if (held is not None and held > now) or (due is not None and due > now):
                continue
            events = await self._waiting(subscriber, batch)
            if events:
                self.state.delivery_claims[subscriber.subscriber_id] = until
                claims.append(Claim(subscriber, tuple(events)))
        return claims

    async def _all(self) -> list[Subscriber]:
        return sorted(self.state.subscribers.values(), key=lambda s: s.subscriber_id)

    async def _waiting(self, subscriber: Subscriber, batch: int) -> list[Event]:
        log = InMemoryEventLog(self.state)
        events = await log.after(subscriber.state.cursor, len(self.state.events))
        return [event for event in events if subscriber.wants(event)][:batch]

    async def settle(self, settlements: Sequence[Settlement]) -> None:
        for settlement in settlements:
            self.state.delivery_claims.pop(settlement.subscriber_id, None)
            known = self.state.subscribers.get(settlement.subscriber_id)
            if known is not None:  # removed meanwhile: nothing to save
                cursor = max(known.state.cursor, settlement.state.cursor)  # never back
                updated = attrs.evolve(known, state=attrs.evolve(settlement.state, cursor=cursor))
                self.state.subscribers[settlement.subscriber_id] = updated


@attrs.define
class FakeEventSender:
    """Records what it sends; fails for a subscriber while `down` names it (with the reason)."""

    down: dict[int, str] = attrs.Factory(dict)
    sent: list[tuple[int, int]] = attrs.Factory(list)  # (subscriber id, event id)
    tries: int = 0

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome:
        self.tries += 1
        reason = self.down.get(subscriber.subscriber_id)
        if reason is not None:
            return NotDelivered(reason)
        self.sent.append((subscriber.subscriber_id, event.event_id))
        return Delivered()
