"""The subscription loop: one subscription's trouble never stops the others."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import attrs

from apps.core.subscription_loop import SubscriptionLoop
from dispatch_domain.feeds import FeedItem, FeedPage
from dispatch_domain.model import FetcherReport, NewLink, Stored
from dispatch_domain.services.following import Follower
from dispatch_domain.subscriptions import SubscriptionSettings
from dispatch_domain.testing import (
    FakeClock,
    FakeFeedReader,
    InMemoryLinkRepository,
    InMemoryStore,
    PlainTitlePatterns,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@attrs.define
class BrokenForOne:
    """Stores posts, except those of one subscription: that one meets a database error."""

    inner: InMemoryLinkRepository
    broken: int

    async def store(self, report: FetcherReport, links: Sequence[NewLink], now: datetime,
                    claimed_until: datetime | None = None) -> Stored:  # fmt: skip
        if report.subscription_id == self.broken:
            raise ConnectionError("the database went away\nDETAIL: row with a passkey")
        return await self.inner.store(report, links, now, claimed_until)


async def test_a_subscription_whose_items_cannot_be_stored_costs_the_others_nothing() -> None:
    store, clock, reader = InMemoryStore(), FakeClock(NOW), FakeFeedReader()
    made = []
    for name in ("a", "b", "c"):
        url = f"https://feeds.example/{name}"
        item = FeedItem(f"{name} 01", enclosures=(f"magnet:?xt=urn:btih:{ord(name):040x}",))
        reader.feeds[url] = FeedPage((item,))
        made.append(await store.subscriptions.add(SubscriptionSettings(name, url), NOW))
    links = BrokenForOne(store.links, broken=made[1].subscription_id)
    follower = Follower(store.subscriptions, links, reader, PlainTitlePatterns(), clock)

    done = await SubscriptionLoop(follower).round()

    assert done == {"fetched": 2, "links_created": 2, "errors": 1}
    states = [(await store.subscriptions.get(s.subscription_id)).state for s in made]
    assert [state.links_created for state in states] == [1, 0, 1]
    assert (
        states[1].last_error == "storing the items failed: ConnectionError: the database went away"
    )
    assert states[1].failures == 1
    assert await follower.claim_due() == []  # each was fetched once and is not due again yet
