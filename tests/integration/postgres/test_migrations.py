"""The migration runner: in order, once, safe to start twice at once, and undoable."""

from __future__ import annotations

import asyncio

import pytest
from psycopg import AsyncConnection

from adapters.postgres.migrate import available, migrate, rollback

pytestmark = pytest.mark.real

TABLES = {
    "anime_links",
    "downloader_capabilities",
    "downloads",
    "fetcher_reports",
    "raw_fetcher_items",
    "service_modules",
}
ALL = [migration.name for migration in available()]


async def _relations(url: str) -> set[str]:
    async with await AsyncConnection.connect(url) as conn:
        cursor = await conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return {name for (name,) in await cursor.fetchall()}


async def _ledger(url: str) -> list[str]:
    async with await AsyncConnection.connect(url) as conn:
        cursor = await conn.execute("SELECT name FROM schema_migrations ORDER BY version")
        return [name for (name,) in await cursor.fetchall()]


def test_the_packaged_migrations_come_in_numbered_up_and_down_pairs():
    migrations = available()

    assert migrations[0].name == "0001_initial_schema"
    assert [m.version for m in migrations] == sorted({m.version for m in migrations})
    for migration in migrations:
        assert "CREATE" in migration.up.upper() and "DROP" in migration.down.upper()


async def test_migrating_a_new_database_applies_every_migration_in_order(pg_empty_url):
    assert await migrate(pg_empty_url) == ALL

    assert await _ledger(pg_empty_url) == ALL
    assert TABLES | {"schema_migrations"} <= await _relations(pg_empty_url)


async def test_migrating_again_applies_nothing(pg_empty_url):
    await migrate(pg_empty_url)

    assert await migrate(pg_empty_url) == []
    assert await _ledger(pg_empty_url) == ALL


async def test_two_processes_migrating_at_once_apply_each_migration_once(pg_empty_url):
    first, second = await asyncio.gather(migrate(pg_empty_url), migrate(pg_empty_url))

    assert sorted(first + second) == sorted(ALL)
    assert await _ledger(pg_empty_url) == ALL


async def test_rolling_back_undoes_the_schema_and_migrating_again_restores_it(pg_empty_url):
    await migrate(pg_empty_url)

    undone = await rollback(pg_empty_url, steps=len(ALL))

    assert undone == list(reversed(ALL))
    assert await _relations(pg_empty_url) == {"schema_migrations"}
    assert await _ledger(pg_empty_url) == []
    assert await migrate(pg_empty_url) == ALL
    assert await _relations(pg_empty_url) >= TABLES


async def test_rolling_back_with_nothing_applied_does_nothing(pg_empty_url):
    assert await rollback(pg_empty_url) == []
