"""Following subscriptions, each rule pinned with its values written out: what an update
stores, how many due subscriptions a round claims and for how long, what a fetch records and
answers, and every field a feed item carries into the ingest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from dispatch_domain.detection import DEFAULT_CHAIN, HttpDetector
from dispatch_domain.feeds import FeedFailed, FeedItem, FeedPage, FeedRead, Validators
from dispatch_domain.model import FetchedItem
from dispatch_domain.services.following import (
    Follower,
    _described,
    create_subscription,
    update_subscription,
)
from dispatch_domain.subscriptions import (
    SubscriptionPatch,
    SubscriptionSettings,
    TitleSelection,
)
from dispatch_domain.testing import FakeClock, FakeFeedReader, InMemoryStore, PlainTitlePatterns
from dispatch_domain.vocabulary import DownloadType

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FEED = "https://feeds.example/frieren.xml"


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}"


class World:
    def __init__(self, **follower: object) -> None:
        self.store, self.reader, self.clock = InMemoryStore(), FakeFeedReader(), FakeClock(NOW)
        self.follower = Follower(
            self.store.subscriptions,
            self.store.links,
            self.reader,
            PlainTitlePatterns(),
            self.clock,
            **follower,  # type: ignore[arg-type]
        )

    async def subscribe(self, name: str = "Frieren", feed: str = FEED) -> int:
        made = await create_subscription(
            SubscriptionSettings(name, feed),
            self.store.subscriptions,
            PlainTitlePatterns(),
            self.clock,
        )
        return made.subscription_id


async def test_an_update_stores_the_patched_settings_at_its_time() -> None:
    world = World()
    first = await world.subscribe("a", "https://feeds.example/a")
    second = await world.subscribe("b", "https://feeds.example/b")
    world.clock.advance(timedelta(minutes=7))
    updated = await update_subscription(
        second,
        SubscriptionPatch(include="1080p"),
        world.store.subscriptions,
        PlainTitlePatterns(),
        world.clock,
    )
    stored = await world.store.subscriptions.get(second)
    assert (updated.subscription_id, stored.settings.include, stored.updated_at) == (
        second,
        "1080p",
        NOW + timedelta(minutes=7),
    )
    assert (await world.store.subscriptions.get(first)).settings.include is None


async def test_a_round_claims_at_most_its_batch_of_due_subscriptions() -> None:
    world = World(batch=2)
    for name in "abc":
        await world.subscribe(name, f"https://feeds.example/{name}")
    assert len(await world.follower.claim_due()) == 2
    assert len(await world.follower.claim_due()) == 1


async def test_a_refresh_holds_its_claim_while_it_fetches() -> None:
    """While the feed is being read, a second Core four minutes later cannot claim it; once
    recorded, the claim ends."""
    world = World(claim_for=timedelta(minutes=5))
    made = await world.subscribe()
    seen = []

    class SlowReader(FakeFeedReader):
        async def read(self, feed_url: str, validators: Validators) -> FeedRead:
            later = NOW + timedelta(minutes=4)
            seen.append(await world.store.subscriptions.claim(made, later, later))
            return FeedFailed("HTTP 500")

    world.follower.reader = SlowReader()
    await world.follower.refresh(made)
    assert seen == [None]
    assert world.store.state.feed_claims == {}


async def test_a_failed_fetch_is_answered_with_its_subscription_and_record() -> None:
    world = World()
    made = await world.subscribe()
    world.reader.feeds[FEED] = FeedFailed("HTTP 500")
    followed = await world.follower.refresh(made)
    assert (followed.subscription_id, followed.record.error, followed.ingest) == (
        made,
        "HTTP 500",
        None,
    )


class SlowPatterns(PlainTitlePatterns):
    """Keeps every title, and says its pattern ran out of time."""

    def select(
        self, titles: Sequence[str], include: str | None, exclude: str | None
    ) -> TitleSelection:
        return TitleSelection(tuple(range(len(titles))), "the include pattern timed out")


async def test_a_fetched_page_is_answered_with_its_subscription_and_every_warning() -> None:
    world = World()
    world.follower.patterns = SlowPatterns()
    made = await world.subscribe()
    world.reader.feeds[FEED] = FeedPage(
        (FeedItem("Frieren 01", enclosures=(magnet(1),)),), Validators(None, None), "repaired"
    )
    followed = await world.follower.refresh(made)
    assert followed.subscription_id == made
    assert followed.record.error == "repaired; the include pattern timed out"


async def test_every_field_of_a_feed_item_reaches_the_ingest_oldest_first() -> None:
    world = World()
    made = await world.subscribe()
    published = NOW - timedelta(days=1)
    world.reader.feeds[FEED] = FeedPage(
        (
            FeedItem("Frieren 02", enclosures=(magnet(2),)),
            FeedItem("no link at all"),
            FeedItem("Frieren 01", enclosures=(magnet(1),), published=published, description="d"),
        ),
        Validators(None, None),
    )
    await world.follower.refresh(made)
    (report,) = world.store.state.reports
    assert report.items == (
        FetchedItem(0, "Frieren 01", magnet(1), "d", published, None),
        FetchedItem(1, "Frieren 02", magnet(2), None, None, None),
    )


async def test_the_follower_s_detectors_choose_the_link() -> None:
    """A chain that knows only plain web downloads: the magnet is not a link, and the .torrent
    URL is a plain file to it, as it is to the ingest of the same follower."""
    world = World(chain=type(DEFAULT_CHAIN)((HttpDetector(),)))
    made = await world.subscribe()
    item = FeedItem("Frieren 01", link="https://files.example/ep1.torrent", enclosures=(magnet(1),))
    world.reader.feeds[FEED] = FeedPage((item,), Validators(None, None))
    followed = await world.follower.refresh(made)
    assert followed.ingest is not None
    (download_id,) = followed.ingest.download_ids
    view = await world.store.downloads.get(download_id)
    assert (view.url, view.download_type) == (
        "https://files.example/ep1.torrent",
        DownloadType.HTTP,
    )


@pytest.mark.parametrize(
    ("error", "described"),
    [
        (
            ConnectionError("the database went away\nDETAIL: row (x)"),
            "ConnectionError: the database went away",
        ),
        (ConnectionError(""), "ConnectionError"),
    ],
)
def test_a_storing_error_is_described_by_kind_and_first_line(
    error: Exception, described: str
) -> None:
    assert _described(error) == described
