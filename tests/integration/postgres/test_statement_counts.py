"""Batches cost a fixed number of statements: 10 items or 1,000, the same count."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from dispatch_domain import Health, Transition
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import DownloadType
from tests.integration.postgres.posts import NOW, magnet, post_of

pytestmark = pytest.mark.real

E = DownloadEvent
SIZES = (10, 1_000)
LEASE = timedelta(minutes=5)


async def _cost(counter, action: Callable[[], Awaitable[object]]) -> int:
    before = counter.count
    await action()
    return counter.count - before


async def _pending(store, size: int, start: int) -> list[int]:
    stored = await store.links.store(*post_of(magnet(n) for n in range(start, start + size)), NOW)
    return list(stored.download_ids)


async def _costs(store, counter, act) -> dict[int, int]:
    """The statements `act(ids)` costs over `size` fresh pending downloads, for each size."""
    costs = {}
    for offset, size in enumerate(SIZES):
        ids = await _pending(store, size, start=offset * 100_000)
        costs[size] = await _cost(counter, lambda ids=ids: act(ids))
    return costs


async def test_storing_a_post_costs_three_statements_at_any_size(pg_store, statement_counter):
    costs = {}
    for offset, size in enumerate(SIZES):
        urls = [magnet(n) for n in range(offset * 100_000, offset * 100_000 + size)]
        post = post_of(urls + urls[:3])  # some repeats within the post, too
        costs[size] = await _cost(statement_counter, lambda p=post: pg_store.links.store(*p, NOW))

    assert costs == {10: 3, 1_000: 3}


async def test_applying_transitions_costs_one_statement_at_any_size(pg_store, statement_counter):
    async def accept(ids):
        changes = [Transition(i, E.ACCEPTED, remote_id=f"{i:040x}") for i in ids]
        assert sorted(await pg_store.downloads.apply(changes, NOW)) == sorted(ids)

    assert await _costs(pg_store, statement_counter, accept) == {10: 1, 1_000: 1}


async def test_claiming_due_downloads_costs_one_statement_at_any_size(pg_store, statement_counter):
    async def claim(ids):
        claimed = await pg_store.downloads.claim_due(NOW, len(ids), LEASE)
        assert sorted(c.download_id for c in claimed) == ids

    assert await _costs(pg_store, statement_counter, claim) == {10: 1, 1_000: 1}


async def test_retrying_costs_four_statements_at_any_size(pg_store, statement_counter):
    async def park_and_retry(ids):
        parked = [Transition(i, E.NO_DOWNLOADER) for i in ids]
        await pg_store.downloads.apply(parked, NOW)
        before = statement_counter.count
        retried = await pg_store.downloads.retry(ids, NOW)
        assert len(retried) == len(ids)
        return statement_counter.count - before

    costs = {}
    for offset, size in enumerate(SIZES):
        ids = await _pending(pg_store, size, start=offset * 100_000)
        costs[size] = await park_and_retry(ids)

    assert costs == {10: 4, 1_000: 4}


async def test_releasing_parked_downloads_costs_one_statement_at_any_size(
    pg_store, statement_counter
):
    async def park_and_release(ids):
        await pg_store.downloads.apply([Transition(i, E.NO_DOWNLOADER) for i in ids], NOW)
        return await _cost(
            statement_counter,
            lambda: pg_store.downloads.release_parked({DownloadType.MAGNET}, NOW),
        )

    costs = {}
    for offset, size in enumerate(SIZES):
        costs[size] = await park_and_release(await _pending(pg_store, size, offset * 100_000))

    assert costs == {10: 1, 1_000: 1}


async def test_reading_many_downloads_costs_the_same_at_any_size(pg_store, statement_counter):
    async def read(ids):
        await pg_store.downloads.views(ids)
        await pg_store.downloads.count_by_status(ids)

    assert await _costs(pg_store, statement_counter, read) == {10: 2, 1_000: 2}


async def test_saving_health_costs_one_statement_at_any_size(pg_store, statement_counter):
    health = {module_id: Health(1) for module_id in range(1, 1_001)}

    small = await _cost(
        statement_counter,
        lambda: pg_store.services.save_health(dict(list(health.items())[:10]), NOW),
    )
    large = await _cost(statement_counter, lambda: pg_store.services.save_health(health, NOW))

    assert (small, large) == (1, 1)


async def test_status_totals_cost_one_statement_at_any_size(pg_store, statement_counter):
    async def totals(ids):
        assert (await pg_store.downloads.status_totals())["pending"] >= len(ids)

    assert await _costs(pg_store, statement_counter, totals) == {10: 1, 1_000: 1}


async def test_finding_shared_remote_ids_costs_one_statement_at_any_size(
    pg_store, statement_counter
):
    async def shared(ids):
        held = {(1, f"{i:040x}") for i in ids}
        assert await pg_store.downloads.shared_remote_ids(held, ids) == set()

    assert await _costs(pg_store, statement_counter, shared) == {10: 1, 1_000: 1}
