"""Subscriptions on the in-memory fakes: their rules, save-path templates, and following a feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch_domain import Conflict, InvalidInput
from dispatch_domain.events import SubscriptionFacts
from dispatch_domain.feeds import FeedFailed, FeedItem, FeedPage, FeedUnchanged, Validators
from dispatch_domain.services.following import (
    Follower,
    create_subscription,
    update_subscription,
)
from dispatch_domain.subscriptions import (
    SubscriptionPatch,
    SubscriptionSettings,
    check_template,
    render_save_path,
)
from dispatch_domain.testing import FakeClock, FakeFeedReader, InMemoryStore, PlainTitlePatterns

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FEED = "https://feeds.example/frieren.xml"


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}"


def settings(**fields: object) -> SubscriptionSettings:
    return SubscriptionSettings("Frieren", FEED, **fields)  # type: ignore[arg-type]


# -- rules -------------------------------------------------------------------------------


def test_settings_are_trimmed_and_blank_optionals_are_none() -> None:
    given = SubscriptionSettings(
        "  Frieren ", f" {FEED} ", include=" ", save_path="", preferred_downloader="  "
    )
    assert given.check() == SubscriptionSettings("Frieren", FEED)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "name must be 1 to 100 characters"),
        ({"name": "x" * 101}, "name must be 1 to 100 characters"),
        ({"feed_url": "ftp://feeds.example/x"}, "feed_url must be an http(s) URL with a host"),
        ({"feed_url": "https:///nohost"}, "feed_url must be an http(s) URL with a host"),
        ({"interval": 59}, "interval must be between 60 and 604800 s"),
        ({"interval": 604801}, "interval must be between 60 and 604800 s"),
        ({"include": "a" * 501}, "include may be at most 500 characters"),
        ({"save_path": "/abs/{title}"}, "save_path must be relative to the download root"),
        ({"save_path": "../{name}"}, "save_path may not contain '..'"),
        ({"save_path": "{name}/{episode}"}, "save_path may only use the fields {name} and {title}"),
        ({"save_path": "{name!r}"}, "save_path may only use the fields {name} and {title}"),
        ({"save_path": "{title:>10}"}, "save_path may only use the fields {name} and {title}"),
        ({"save_path": "{name"}, "save_path is not a valid template"),
    ],
)
def test_a_broken_rule_is_named(fields: dict[str, object], message: str) -> None:
    base = {"name": "Frieren", "feed_url": FEED, **fields}
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        SubscriptionSettings(**base).check()  # type: ignore[arg-type]


def test_the_interval_defaults_to_fifteen_minutes_and_may_be_one() -> None:
    assert settings().interval == 900
    assert settings(interval=60).check().interval == 60


def test_a_template_is_filled_with_the_name_and_the_title() -> None:
    assert check_template("Anime/{name}/") == "Anime/{name}/"
    assert render_save_path("Anime/{name}", "Frieren", "ep 1") == "Anime/Frieren"
    assert render_save_path("{name}/{title}", "Frieren", "ep 1") == "Frieren/ep 1"
    assert render_save_path(None, "Frieren", "ep 1") is None


def test_a_title_cannot_add_folders_or_climb_out() -> None:
    assert render_save_path("{name}/{title}", "A/B", "../../etc") == "A_B/.._.._etc"
    assert render_save_path("{title}", "x", "..") == "_"
    assert render_save_path("{title}", "x", "a\\b\x00c") == "a_b_c"


def test_a_patch_changes_only_what_it_names_and_can_clear_a_field() -> None:
    current = settings(include="1080p", save_path="{name}")
    patched = SubscriptionPatch(include=None, interval=120).applied_to(current)
    assert patched == settings(save_path="{name}", interval=120)
    with pytest.raises(InvalidInput, match="give at least one field"):
        SubscriptionPatch().applied_to(current)


# -- following a feed --------------------------------------------------------------------


class World:
    def __init__(self) -> None:
        self.store = InMemoryStore()
        self.reader = FakeFeedReader()
        self.clock = FakeClock(NOW)
        self.follower = Follower(
            self.store.subscriptions,
            self.store.links,
            self.reader,
            PlainTitlePatterns(),
            self.clock,
        )

    async def subscribe(self, **fields: object):  # type: ignore[no-untyped-def]
        return await create_subscription(
            settings(**fields), self.store.subscriptions, PlainTitlePatterns(), self.clock
        )

    async def get(self, subscription_id: int):  # type: ignore[no-untyped-def]
        return await self.store.subscriptions.get(subscription_id)


def page(*titles_and_urls: tuple[str, str], etag: str | None = None) -> FeedPage:
    items = tuple(FeedItem(title, enclosures=(url,)) for title, url in titles_and_urls)
    return FeedPage(items, Validators(etag, None))


@pytest.fixture
def world() -> World:
    return World()


async def test_an_invalid_pattern_is_refused_on_create_and_on_update(world: World) -> None:
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        await world.subscribe(include="([")
    made = await world.subscribe()
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        await update_subscription(
            made.subscription_id,
            SubscriptionPatch(exclude="*x"),
            world.store.subscriptions,
            PlainTitlePatterns(),
            world.clock,
        )


async def test_items_passing_the_filters_become_links_oldest_first(world: World) -> None:
    made = await world.subscribe(include="1080p", exclude="raw", save_path="Anime/{name}")
    world.reader.feeds[FEED] = page(
        ("Frieren 02 1080p", magnet(2)),
        ("Frieren 02 1080p RAW", magnet(3)),
        ("Frieren 02 720p", magnet(4)),
        ("Frieren 01 1080p", magnet(1)),
        etag='"v1"',
    )

    followed = await world.follower.refresh(made.subscription_id)

    assert followed.ingest is not None
    report = world.store.state.reports[-1]
    assert [item.title for item in report.items] == ["Frieren 01 1080p", "Frieren 02 1080p"]
    assert {item.save_path for item in report.items} == {"Anime/Frieren"}
    assert report.subscription_id == made.subscription_id
    assert report.fetcher_source == f"subscription/{made.subscription_id}"
    state = (await world.get(made.subscription_id)).state
    assert (state.items_seen, state.links_created, state.last_error) == (4, 2, None)
    assert state.last_success_at == NOW
    assert state.next_fetch_at == NOW + timedelta(seconds=900)
    assert state.validators == Validators('"v1"', None)


async def test_a_second_fetch_sends_the_validators_and_a_304_creates_nothing(world: World) -> None:
    made = await world.subscribe()
    world.reader.feeds[FEED] = page(("Frieren 01", magnet(1)), etag='"v1"')
    await world.follower.refresh(made.subscription_id)
    world.reader.feeds[FEED] = FeedUnchanged()
    world.clock.advance(timedelta(minutes=20))

    followed = await world.follower.refresh(made.subscription_id)

    assert world.reader.requests[-1] == (FEED, Validators('"v1"', None))
    assert followed.ingest is None
    state = (await world.get(made.subscription_id)).state
    assert (state.items_seen, state.links_created) == (1, 1)
    assert state.last_success_at == NOW + timedelta(minutes=20)


async def test_the_same_items_again_are_duplicates(world: World) -> None:
    made = await world.subscribe()
    world.reader.feeds[FEED] = page(("Frieren 01", magnet(1)))
    await world.follower.refresh(made.subscription_id)

    again = await world.follower.refresh(made.subscription_id)

    assert again.ingest is not None
    assert (again.ingest.links_created, again.ingest.duplicates) == (0, 1)


async def test_failures_are_recorded_and_back_off_escalates(world: World) -> None:
    made = await world.subscribe(interval=3600)
    world.reader.feeds[FEED] = FeedFailed("HTTP 500 Internal Server Error")
    waits = []
    for _ in range(3):
        await world.follower.refresh(made.subscription_id)
        state = (await world.get(made.subscription_id)).state
        waits.append(state.next_fetch_at - world.clock.now())

    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
    assert state.last_error == "HTTP 500 Internal Server Error"
    assert (state.failures, state.last_success_at) == (3, None)

    world.reader.feeds[FEED] = page(("Frieren 01", magnet(1)))
    await world.follower.refresh(made.subscription_id)
    state = (await world.get(made.subscription_id)).state
    assert (state.failures, state.last_error) == (0, None)


async def test_a_feed_that_starts_failing_is_one_event_and_its_recovery_another(
    world: World,
) -> None:
    made = await world.subscribe()
    world.reader.feeds[FEED] = FeedFailed("HTTP 500 Internal Server Error")
    for _ in range(3):
        await world.follower.refresh(made.subscription_id)
    world.reader.feeds[FEED] = page(("Frieren 01", magnet(1)))
    for _ in range(2):
        await world.follower.refresh(made.subscription_id)

    events = await world.store.events.after(0, 100)

    assert [(e.type.value, e.subscription) for e in events] == [
        (
            "subscription.failed",
            SubscriptionFacts(
                made.subscription_id, "Frieren", FEED, "HTTP 500 Internal Server Error"
            ),
        ),
        ("subscription.recovered", SubscriptionFacts(made.subscription_id, "Frieren", FEED, None)),
    ]


async def test_a_subscription_being_fetched_is_not_fetched_twice(world: World) -> None:
    made = await world.subscribe()
    claimed = await world.follower.claim_due()

    assert [s.subscription_id for s in claimed] == [made.subscription_id]
    with pytest.raises(Conflict, match="being fetched"):
        await world.follower.refresh(made.subscription_id)
    assert await world.follower.claim_due() == []


async def test_the_preferred_downloader_travels_with_the_new_downloads(world: World) -> None:
    made = await world.subscribe(preferred_downloader="qb-anime")
    world.reader.feeds[FEED] = page(("Frieren 01", magnet(1)))
    await world.follower.refresh(made.subscription_id)

    claimed = await world.store.downloads.claim_due(NOW, 10, timedelta(minutes=5))

    assert [(link.url, link.preferred) for link in claimed] == [(magnet(1), "qb-anime")]


async def test_a_repaired_feed_is_ingested_and_its_warning_shown(world: World) -> None:
    made = await world.subscribe()
    repaired = FeedPage((FeedItem("Tom & Jerry", enclosures=(magnet(7),)),), warning="malformed")
    world.reader.feeds[FEED] = repaired

    await world.follower.refresh(made.subscription_id)

    state = (await world.get(made.subscription_id)).state
    assert (state.links_created, state.last_error, state.failures) == (1, "malformed", 0)
