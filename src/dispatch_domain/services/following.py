"""Following subscriptions: create and change them, and fetch a feed into the usual ingest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import attrs

from dispatch_domain.detection import DEFAULT_CHAIN, DetectorChain
from dispatch_domain.errors import Conflict
from dispatch_domain.feeds import FeedFailed, FeedItem, FeedPage, FeedUnchanged, choose_link
from dispatch_domain.model import FetchedItem, FetcherReport, IngestResult
from dispatch_domain.ports import (
    Clock,
    FeedReader,
    LinkRepository,
    SubscriptionRepository,
    TitlePatterns,
)
from dispatch_domain.services.ingest import ingest_fetcher_results
from dispatch_domain.subscriptions import (
    FetchRecord,
    Subscription,
    SubscriptionPatch,
    SubscriptionSettings,
    failed,
    render_save_path,
    succeeded,
)


def checked(settings: SubscriptionSettings, patterns: TitlePatterns) -> SubscriptionSettings:
    """The settings trimmed and checked, patterns included; InvalidInput otherwise."""
    settings = settings.check()
    for pattern in (settings.include, settings.exclude):
        if pattern is not None:
            patterns.check(pattern)
    return settings


async def create_subscription(
    settings: SubscriptionSettings,
    subscriptions: SubscriptionRepository,
    patterns: TitlePatterns,
    clock: Clock,
) -> Subscription:
    return await subscriptions.add(checked(settings, patterns), clock.now())


async def update_subscription(
    subscription_id: int,
    patch: SubscriptionPatch,
    subscriptions: SubscriptionRepository,
    patterns: TitlePatterns,
    clock: Clock,
) -> Subscription:
    current = await subscriptions.get(subscription_id)
    settings = checked(patch.applied_to(current.settings), patterns)
    return await subscriptions.update(subscription_id, settings, clock.now())


@attrs.frozen
class Followed:
    """One fetch of a subscription: what was recorded, and what the ingest did (if it ran)."""

    subscription_id: int
    record: FetchRecord
    ingest: IngestResult | None = None


@attrs.define
class Follower:
    """Fetches subscriptions' feeds; each fetch is claimed, so two Cores never run the same."""

    subscriptions: SubscriptionRepository
    links: LinkRepository
    reader: FeedReader
    patterns: TitlePatterns
    clock: Clock
    chain: DetectorChain = DEFAULT_CHAIN
    claim_for: timedelta = timedelta(minutes=5)
    batch: int = 100

    async def claim_due(self) -> list[Subscription]:
        now = self.clock.now()
        return await self.subscriptions.claim_due(now, now + self.claim_for, self.batch)

    async def refresh(self, subscription_id: int) -> Followed:
        """Fetch one subscription now; Conflict if a fetch of it is under way."""
        now = self.clock.now()
        claimed = await self.subscriptions.claim(subscription_id, now, now + self.claim_for)
        if claimed is None:
            raise Conflict(f"subscription {subscription_id} is being fetched right now")
        return await self.follow(claimed)

    async def follow(self, subscription: Subscription) -> Followed:
        """Fetch a claimed subscription, ingest what its filters let through, record it all.
        A failure to fetch or parse is recorded; an error storing the items is recorded too,
        then raised."""
        state = subscription.state
        read = await self.reader.read(subscription.settings.feed_url, state.validators)
        now = self.clock.now()
        match read:
            case FeedFailed(reason=reason):
                record = failed(subscription, now, reason)
            case FeedUnchanged():
                record = succeeded(subscription, now, items_seen=None)
            case FeedPage():
                return await self._ingest(subscription, read)
        await self.subscriptions.record(subscription.subscription_id, record)
        return Followed(subscription.subscription_id, record)

    async def _ingest(self, subscription: Subscription, page: FeedPage) -> Followed:
        settings = subscription.settings
        selection = self.patterns.select(
            [item.title for item in page.items], settings.include, settings.exclude
        )
        items = _fetched(subscription, [page.items[i] for i in selection.wanted], self.chain)
        report = FetcherReport(subscription.source, items=items,
                               subscription_id=subscription.subscription_id)  # fmt: skip
        try:
            result = await ingest_fetcher_results(report, self.links, self.clock, self.chain)
        except Exception as error:  # recorded where the user looks, then raised for the log
            record = failed(
                subscription, self.clock.now(), f"storing the items failed: {_described(error)}"
            )
            await self.subscriptions.record(subscription.subscription_id, record)
            raise
        record = succeeded(
            subscription,
            self.clock.now(),
            items_seen=len(page.items),
            links_created=result.links_created,
            validators=page.validators,
            warning="; ".join(w for w in (page.warning, selection.problem) if w) or None,
        )
        await self.subscriptions.record(subscription.subscription_id, record)
        return Followed(subscription.subscription_id, record, result)


def _described(error: Exception) -> str:
    """Kind and first line only: a database error's later lines may quote a row's values."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _fetched(
    subscription: Subscription, items: Sequence[FeedItem], chain: DetectorChain
) -> tuple[FetchedItem, ...]:
    """The chosen link of each item, oldest first (feeds list the newest first), so links are
    created in the order they were published; an item with no link at all is left out."""
    template, name = subscription.settings.save_path, subscription.settings.name
    fetched: list[FetchedItem] = []
    for item in reversed(items):
        url = choose_link(item, chain)
        if url is None:
            continue
        fetched.append(
            FetchedItem(
                index=len(fetched),
                title=item.title,
                download_url=url,
                description=item.description,
                pub_date=item.published,
                save_path=render_save_path(template, name, item.title),
            )
        )
    return tuple(fetched)
