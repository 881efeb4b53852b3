"""A feed's fetch costs the same few SQL statements for 10 items as for 5,000."""

from __future__ import annotations

import time

import httpx

from adapters.feeds import HttpFeedReader, RegexTitlePatterns
from adapters.postgres import PostgresStore, StatementCounter
from dispatch_domain.clock import SystemClock
from dispatch_domain.services.following import Follower
from dispatch_domain.subscriptions import SubscriptionSettings
from tests.support.feed_server import feed_server
from tests.support.feeds import magnet_feed


async def _statements_for(count: int, start: int, store: PostgresStore, counter: StatementCounter,
                          client: httpx.AsyncClient, url: str) -> tuple[int, float]:  # fmt: skip
    clock = SystemClock()
    follower = Follower(
        store.subscriptions, store.links, HttpFeedReader(client), RegexTitlePatterns(), clock
    )
    made = await store.subscriptions.add(
        SubscriptionSettings(f"feed {start}", url, include="show", exclude="raw"), clock.now()
    )
    claimed = await store.subscriptions.claim(made.subscription_id, clock.now(), clock.now())
    assert claimed is not None
    counter.reset()
    started = time.monotonic()
    followed = await follower.follow(claimed)
    elapsed = time.monotonic() - started
    assert followed.ingest is not None and followed.ingest.links_created == count
    return counter.count, elapsed


async def test_a_fetch_costs_the_same_statements_for_10_and_5000_items(
    pg_store: PostgresStore, statement_counter: StatementCounter
) -> None:
    async with feed_server() as feeds, httpx.AsyncClient() as client:
        small_url = feeds.put("small", magnet_feed(10, start=0))
        big_url = feeds.put("big", magnet_feed(5000, start=10_000))
        small, _ = await _statements_for(10, 0, pg_store, statement_counter, client, small_url)
        big, seconds = await _statements_for(5000, 10_000, pg_store, statement_counter, client,
                                             big_url)  # fmt: skip

    assert small == big
    assert big <= 4  # the post's three statements, and the subscription's record
    assert seconds < 30, f"5,000 items took {seconds:.1f} s"
