"""SubscriptionRepository's contract, on the in-memory fake and on Postgres."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from dispatch_domain import DEFAULT_CHAIN, Conflict, FetchedItem, FetcherReport, NotFound, to_link
from dispatch_domain.events import EventType, SubscriptionFacts
from dispatch_domain.feeds import Validators
from dispatch_domain.subscriptions import FetchRecord, SubscriptionSettings
from tests.contract.conftest import NOW, Given, magnet

LATER = NOW + timedelta(minutes=5)


def settings(name: str = "frieren", **fields: object) -> SubscriptionSettings:
    return SubscriptionSettings(name, f"https://feeds.example/{name}.xml", **fields)  # type: ignore[arg-type]


async def post_from(given: Given, subscription_id: int | None, *urls: str):  # type: ignore[no-untyped-def]
    items = tuple(FetchedItem(i, f"ep {i}", url) for i, url in enumerate(urls))
    links = [to_link(item, DEFAULT_CHAIN) for item in items]
    report = FetcherReport("subscription", items=items, subscription_id=subscription_id)
    return await given.store.links.store(report, links, given.now)


async def test_a_new_subscription_is_due_at_once_with_an_empty_history(given: Given) -> None:
    made = await given.store.subscriptions.add(settings(include="1080p", interval=600), NOW)

    assert made.settings == settings(include="1080p", interval=600)
    assert made.state.next_fetch_at == NOW
    assert (made.state.last_fetched_at, made.state.last_success_at) == (None, None)
    assert (made.state.items_seen, made.state.links_created, made.state.failures) == (0, 0, 0)
    assert made.state.validators == Validators()
    assert await given.store.subscriptions.get(made.subscription_id) == made


async def test_subscriptions_are_listed_in_id_order(given: Given) -> None:
    first = await given.store.subscriptions.add(settings("b"), NOW)
    second = await given.store.subscriptions.add(settings("a"), NOW)

    listed = await given.store.subscriptions.all()

    assert [s.subscription_id for s in listed] == [first.subscription_id, second.subscription_id]


async def test_a_name_is_taken_once(given: Given) -> None:
    await given.store.subscriptions.add(settings("frieren"), NOW)
    other = await given.store.subscriptions.add(settings("dandadan"), NOW)

    with pytest.raises(Conflict):
        await given.store.subscriptions.add(settings("frieren"), NOW)
    with pytest.raises(Conflict):
        await given.store.subscriptions.update(other.subscription_id, settings("frieren"), NOW)


async def test_unknown_ids_are_not_found(given: Given) -> None:
    repo = given.store.subscriptions
    with pytest.raises(NotFound):
        await repo.get(424242)
    with pytest.raises(NotFound):
        await repo.update(424242, settings(), NOW)
    with pytest.raises(NotFound):
        await repo.delete(424242)
    with pytest.raises(NotFound):
        await repo.claim(424242, NOW, LATER)


async def test_an_update_replaces_settings_and_a_new_feed_forgets_its_validators(
    given: Given,
) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(), NOW)
    await repo.claim(made.subscription_id, NOW, LATER)
    await repo.record(
        made.subscription_id,
        FetchRecord(NOW, NOW + timedelta(hours=1), validators=Validators('"v1"', "Mon")),
    )

    same_feed = await repo.update(made.subscription_id, settings(exclude="720p"), LATER)
    assert same_feed.settings.exclude == "720p"
    assert same_feed.state.validators == Validators('"v1"', "Mon")
    assert same_feed.state.next_fetch_at == NOW + timedelta(hours=1)
    assert same_feed.updated_at == LATER

    moved = SubscriptionSettings("frieren", "https://other.example/rss")
    new_feed = await repo.update(made.subscription_id, moved, LATER)
    assert new_feed.state.validators == Validators()
    assert new_feed.state.next_fetch_at == LATER


async def test_only_enabled_due_unclaimed_subscriptions_are_claimed(given: Given) -> None:
    repo = given.store.subscriptions
    due = await repo.add(settings("due"), NOW)
    await repo.add(settings("off", enabled=False), NOW)
    later = await repo.add(settings("later"), NOW + timedelta(minutes=1))

    claimed = await repo.claim_due(NOW, LATER, 10)

    assert [s.subscription_id for s in claimed] == [due.subscription_id]
    assert await repo.claim_due(NOW + timedelta(minutes=2), LATER, 10) == [
        await repo.get(later.subscription_id)
    ]
    assert await repo.claim_due(NOW + timedelta(minutes=3), LATER, 10) == []
    assert await repo.claim(due.subscription_id, NOW, LATER) is None
    back = await repo.claim_due(LATER, LATER + timedelta(minutes=5), 10)
    assert {s.subscription_id for s in back} == {due.subscription_id, later.subscription_id}


async def test_a_claim_takes_at_most_the_limit_oldest_first(given: Given) -> None:
    repo = given.store.subscriptions
    made = [await repo.add(settings(f"s{n}"), NOW - timedelta(minutes=n)) for n in range(3)]

    claimed = await repo.claim_due(NOW, LATER, 2)

    assert [s.subscription_id for s in claimed] == [
        made[2].subscription_id,
        made[1].subscription_id,
    ]


async def test_a_disabled_subscription_can_still_be_claimed_by_id(given: Given) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(enabled=False), NOW)

    claimed = await repo.claim(made.subscription_id, NOW, LATER)

    assert claimed is not None and claimed.subscription_id == made.subscription_id
    assert await repo.claim(made.subscription_id, NOW, LATER) is None


async def test_a_record_adds_to_the_state_and_ends_the_claim(given: Given) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(), NOW)
    await repo.claim(made.subscription_id, NOW, LATER)
    ok = FetchRecord(NOW, NOW + timedelta(minutes=15), items_seen=40, links_created=3,
                     validators=Validators('"a"', None))  # fmt: skip
    await repo.record(made.subscription_id, ok)
    failure = FetchRecord(LATER, LATER + timedelta(minutes=1), "HTTP 500", False, 1)
    await repo.record(made.subscription_id, failure)

    state = (await repo.get(made.subscription_id)).state
    assert state.last_fetched_at == LATER
    assert state.last_success_at == NOW
    assert state.last_error == "HTTP 500"
    assert state.failures == 1
    assert state.next_fetch_at == LATER + timedelta(minutes=1)
    assert (state.items_seen, state.links_created) == (40, 3)
    assert state.validators == Validators('"a"', None)
    assert await repo.claim(made.subscription_id, LATER, LATER) is not None


async def test_a_successful_record_clears_the_error_and_sums_links(given: Given) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(), NOW)
    await repo.record(made.subscription_id, FetchRecord(NOW, NOW, "boom", False, 2))
    await repo.record(made.subscription_id, FetchRecord(NOW, NOW, links_created=2, items_seen=5))
    await repo.record(made.subscription_id, FetchRecord(LATER, LATER, links_created=1))

    state = (await repo.get(made.subscription_id)).state
    assert (state.last_error, state.failures, state.last_success_at) == (None, 0, LATER)
    assert (state.items_seen, state.links_created) == (5, 3)


async def test_a_record_writes_its_fetch_event_with_the_subscription_it_is_about(
    given: Given,
) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(), NOW)
    failing = FetchRecord(NOW, LATER, "HTTP 500", False, 1, event=EventType.SUBSCRIPTION_FAILED)
    again = FetchRecord(LATER, LATER, "HTTP 502", False, 2)  # still failing: no event
    recovered = FetchRecord(LATER, LATER, event=EventType.SUBSCRIPTION_RECOVERED)
    for record in (failing, again, recovered):
        await repo.record(made.subscription_id, record)

    events = await given.store.events.after(0, 10)

    feed, made_id = "https://feeds.example/frieren.xml", made.subscription_id
    assert [(e.type.value, e.occurred_at, e.subscription) for e in events] == [
        ("subscription.failed", NOW, SubscriptionFacts(made_id, "frieren", feed, "HTTP 500")),
        ("subscription.recovered", LATER, SubscriptionFacts(made_id, "frieren", feed, None)),
    ]
    assert [(e.download, e.downloader) for e in events] == [(None, None), (None, None)]


async def test_deleting_a_subscription_takes_its_events_along(given: Given) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(), NOW)
    failing = FetchRecord(NOW, LATER, "HTTP 500", False, 1, event=EventType.SUBSCRIPTION_FAILED)
    await repo.record(made.subscription_id, failing)

    await repo.delete(made.subscription_id)

    assert await given.store.events.after(0, 10) == []


async def test_links_from_a_subscription_carry_its_preferred_downloader(given: Given) -> None:
    made = await given.store.subscriptions.add(settings(preferred_downloader="qb-anime"), NOW)

    stored = await post_from(given, made.subscription_id, magnet(1))
    claimed = await given.store.downloads.claim_due(NOW, 10, timedelta(minutes=5))

    assert [link.preferred for link in stored.placeable] == ["qb-anime"]
    assert [link.preferred for link in claimed] == ["qb-anime"]


async def test_a_changed_preference_applies_to_downloads_not_yet_sent(given: Given) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(preferred_downloader="qb-anime"), NOW)
    await post_from(given, made.subscription_id, magnet(1))

    await repo.update(made.subscription_id, settings(preferred_downloader="aria"), NOW)
    claimed = await given.store.downloads.claim_due(NOW, 10, timedelta(minutes=5))

    assert [link.preferred for link in claimed] == ["aria"]


async def test_a_post_naming_no_known_subscription_has_no_preference(given: Given) -> None:
    stored = await post_from(given, 987654, magnet(1))

    assert [link.preferred for link in stored.placeable] == [None]
    assert stored.links_created == 1


async def test_deleting_a_subscription_keeps_its_links_and_downloads(given: Given) -> None:
    repo = given.store.subscriptions
    made = await repo.add(settings(preferred_downloader="qb-anime"), NOW)
    stored = await post_from(given, made.subscription_id, magnet(1), magnet(2))

    await repo.delete(made.subscription_id)

    assert await repo.all() == []
    views = await given.store.downloads.views(stored.download_ids)
    assert [view.download_id for view in views] == list(stored.download_ids)
    claimed = await given.store.downloads.claim_due(NOW, 10, timedelta(minutes=5))
    assert [link.preferred for link in claimed] == [None, None]


async def test_two_claims_at_once_never_take_the_same_subscription(given: Given) -> None:
    repo = given.store.subscriptions
    made = [await repo.add(settings(f"s{n}"), NOW) for n in range(20)]

    first, second = await asyncio.gather(
        repo.claim_due(NOW, LATER, 15), repo.claim_due(NOW, LATER, 15)
    )

    mine = {s.subscription_id for s in first}
    theirs = {s.subscription_id for s in second}
    assert not mine & theirs
    assert mine | theirs == {s.subscription_id for s in made}
