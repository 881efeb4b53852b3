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


_LEGACY_LINKS = """
INSERT INTO anime_links (url, title, download_type, info_hash, created_at)
VALUES ('magnet:?xt=urn:btih:aaaa', 'a torrent', 'magnet', %(hash)s, now()),
       ('https://example.org/a.mkv', 'an http file', 'http', NULL, now())
"""
_LEGACY_DOWNLOADS = """
INSERT INTO downloads (link_id, attempt, status, torrent_hash, next_attempt_at, created_at,
                       updated_at)
SELECT link_id, 1, 'downloading', CASE WHEN download_type = 'magnet' THEN %(hash)s END,
       now(), now(), now()
FROM anime_links
"""


async def test_the_remote_id_migration_keeps_each_torrent_s_hash_and_fails_unfollowable_rows(
    pg_empty_url,
):
    await migrate(pg_empty_url)
    since_remote_id = [m.name for m in available() if m.version >= "0002"]
    assert since_remote_id[0] == "0002_remote_id"
    assert await rollback(pg_empty_url, steps=len(since_remote_id)) == since_remote_id[::-1]
    async with await AsyncConnection.connect(pg_empty_url) as conn:
        await conn.execute(_LEGACY_LINKS, {"hash": "ab" * 20})
        await conn.execute(_LEGACY_DOWNLOADS, {"hash": "ab" * 20})
        await conn.commit()

    assert await migrate(pg_empty_url) == since_remote_id

    async with await AsyncConnection.connect(pg_empty_url) as conn:
        cursor = await conn.execute(
            "SELECT download_type, remote_id, status, reason FROM download_views ORDER BY 1"
        )
        assert await cursor.fetchall() == [
            ("http", None, "failed", "accepted without an id"),
            ("magnet", "ab" * 20, "downloading", None),
        ]
