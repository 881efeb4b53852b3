"""A post and its dispatch cost the same number of SQL statements for 10 links as for 1,000."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.postgres import PostgresStore, StatementCounter
from dispatch_domain import (
    Capabilities,
    Dispatcher,
    DownloadType,
    FetchedItem,
    FetcherReport,
    Registration,
    ServiceType,
    ingest_fetcher_results,
    register_service,
)
from dispatch_domain.clock import SystemClock
from dispatch_domain.testing import FakeGateway


async def _statements_for(
    count: int, offset: int, store: PostgresStore, counter: StatementCounter
) -> tuple[int, int]:
    clock, gateway = SystemClock(), FakeGateway()
    gateway.add_service("qb")
    items = tuple(
        FetchedItem(i, f"t{i}", f"magnet:?xt=urn:btih:{offset + i:040x}") for i in range(count)
    )
    counter.reset()
    report = FetcherReport("rss", items=items)
    # As Core does: the post's downloads are claimed as they are stored, then dispatched.
    claim = timedelta(minutes=5)
    result = await ingest_fetcher_results(report, store.links, clock, claim_for=claim)
    ingest = counter.count
    assert result.links_created == len(result.claimed) == count
    counter.reset()
    dispatcher = Dispatcher(store.downloads, store.services, gateway, clock)
    done = await dispatcher.dispatch(result.claimed)
    assert sum(done.values()) == count
    return ingest, counter.count


@pytest.mark.parametrize("registered", [True, False], ids=["placed", "parked"])
async def test_ingest_and_dispatch_cost_the_same_statements_for_10_and_1000_links(
    pg_store: PostgresStore, statement_counter: StatementCounter, registered: bool
) -> None:
    if registered:
        capabilities = Capabilities(frozenset({DownloadType.MAGNET}))
        registration = Registration(ServiceType.DOWNLOADER, "qb", "127.0.0.1", 1, capabilities)
        await register_service(registration, pg_store.services, pg_store.downloads, SystemClock())
    small = await _statements_for(10, 0, pg_store, statement_counter)
    large = await _statements_for(1000, 10_000, pg_store, statement_counter)
    assert small == large
    assert small[0] <= 3 and small[1] <= 4
