"""In-memory fakes of the subscription ports: the repository, a feed reader, title patterns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import attrs

from dispatch_domain.errors import Conflict, InvalidInput, NotFound
from dispatch_domain.feeds import FeedFailed, FeedRead, Validators
from dispatch_domain.subscriptions import (
    FetchRecord,
    FetchState,
    Subscription,
    SubscriptionSettings,
    TitleSelection,
)
from dispatch_domain.testing.state import InMemoryState


@attrs.define
class InMemorySubscriptionRepository:
    state: InMemoryState

    async def add(self, settings: SubscriptionSettings, now: datetime) -> Subscription:
        self._name_free(settings.name)
        subscription_id = self.state.new_id()
        made = Subscription(subscription_id, settings, FetchState(next_fetch_at=now), now, now)
        self.state.subscriptions[subscription_id] = made
        return made

    async def get(self, subscription_id: int) -> Subscription:
        found = self.state.subscriptions.get(subscription_id)
        if found is None:
            raise NotFound("subscription", subscription_id)
        return found

    async def all(self) -> list[Subscription]:
        return [self.state.subscriptions[i] for i in sorted(self.state.subscriptions)]

    async def update(
        self, subscription_id: int, settings: SubscriptionSettings, now: datetime
    ) -> Subscription:
        current = await self.get(subscription_id)
        self._name_free(settings.name, subscription_id)
        state = current.state
        if settings.feed_url != current.settings.feed_url:
            state = attrs.evolve(state, next_fetch_at=now, validators=Validators())
        changed = attrs.evolve(current, settings=settings, state=state, updated_at=now)
        self.state.subscriptions[subscription_id] = changed
        return changed

    async def delete(self, subscription_id: int) -> None:
        await self.get(subscription_id)
        del self.state.subscriptions[subscription_id]
        self.state.feed_claims.pop(subscription_id, None)
        events = self.state.events  # its events go with it, as the foreign key cascades
        self.state.events = [e for e in events if e.subscription_id != subscription_id]

    async def claim_due(self, now: datetime, until: datetime, limit: int) -> list[Subscription]:
        due = [
            s
            for s in await self.all()
            if s.settings.enabled and s.state.next_fetch_at <= now and self._free(s, now)
        ]
        due.sort(key=lambda s: (s.state.next_fetch_at, s.subscription_id))
        for subscription in due[:limit]:
            self.state.feed_claims[subscription.subscription_id] = until
        return due[:limit]

    async def claim(
        self, subscription_id: int, now: datetime, until: datetime
    ) -> Subscription | None:
        subscription = await self.get(subscription_id)
        if not self._free(subscription, now):
            return None
        self.state.feed_claims[subscription_id] = until
        return subscription

    async def record(self, subscription_id: int, record: FetchRecord) -> None:
        current = self.state.subscriptions.get(subscription_id)
        self.state.feed_claims.pop(subscription_id, None)
        if current is None:  # deleted while it was being fetched
            return
        state = current.state
        self.state.subscriptions[subscription_id] = attrs.evolve(
            current,
            state=FetchState(
                next_fetch_at=record.next_fetch_at,
                last_fetched_at=record.fetched_at,
                last_success_at=record.fetched_at if record.succeeded else state.last_success_at,
                last_error=record.error,
                failures=record.failures,
                items_seen=state.items_seen if record.items_seen is None else record.items_seen,
                links_created=state.links_created + record.links_created,
                validators=record.validators or state.validators,
            ),
        )
        if record.event is not None:  # in the same change, as Postgres does in one statement
            self.state.record(
                record.event,
                record.fetched_at,
                subscription_id=subscription_id,
                reason=record.error if not record.succeeded else None,
            )

    def _free(self, subscription: Subscription, now: datetime) -> bool:
        until = self.state.feed_claims.get(subscription.subscription_id)
        return until is None or until <= now

    def _name_free(self, name: str, own_id: int | None = None) -> None:
        for other in self.state.subscriptions.values():
            if other.settings.name == name and other.subscription_id != own_id:
                raise Conflict("a subscription with this name already exists")


@attrs.define
class FakeFeedReader:
    """Answers from `feeds` by URL (FeedFailed for an unknown one); keeps every request."""

    feeds: dict[str, FeedRead] = attrs.Factory(dict)
    requests: list[tuple[str, Validators]] = attrs.Factory(list)

    async def read(self, feed_url: str, validators: Validators) -> FeedRead:
        self.requests.append((feed_url, validators))
        return self.feeds.get(feed_url, FeedFailed(f"no feed at {feed_url}"))


class PlainTitlePatterns:
    """Title patterns on the standard library's `re`: no time bound, for tests only."""

    def check(self, pattern: str) -> None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise InvalidInput(f"not a valid regular expression: {error}") from error

    def select(
        self, titles: Sequence[str], include: str | None, exclude: str | None
    ) -> TitleSelection:
        keep = re.compile(include, re.IGNORECASE) if include else None
        drop = re.compile(exclude, re.IGNORECASE) if exclude else None
        wanted = tuple(
            index
            for index, title in enumerate(titles)
            if (keep is None or keep.search(title)) and not (drop and drop.search(title))
        )
        return TitleSelection(wanted)
