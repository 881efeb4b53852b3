"""The migration runner: applies the packaged SQL migrations in order, one process at a time."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import LiteralString

import attrs
from psycopg import AsyncConnection

# Any fixed 64-bit key will do; it only has to be the same in every process that migrates.
MIGRATION_LOCK_KEY = 0x6264_6973_7061_7463  # "bdispatc"

_FILE = re.compile(r"^(?P<version>\d{4})_(?P<slug>[a-z0-9_]+)\.up\.sql$")

_CREATE_LEDGER: LiteralString = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""
_APPLIED: LiteralString = "SELECT version FROM schema_migrations"
_RECORD: LiteralString = (
    "INSERT INTO schema_migrations (version, name) VALUES (%(version)s, %(name)s)"
)
_FORGET: LiteralString = "DELETE FROM schema_migrations WHERE version = %(version)s"
_LATEST: LiteralString = (
    "SELECT version FROM schema_migrations ORDER BY version DESC LIMIT %(steps)s"
)
_LOCK: LiteralString = "SELECT pg_advisory_lock(%(key)s)"
_UNLOCK: LiteralString = "SELECT pg_advisory_unlock(%(key)s)"


@attrs.frozen
class Migration:
    """One schema change and its undo, read from `NNNN_<slug>.up.sql` / `.down.sql`."""

    version: str
    name: str
    up: LiteralString
    down: LiteralString


def available() -> list[Migration]:
    """Every packaged migration, oldest first; a migration without its down file is a bug."""
    folder = resources.files("adapters.postgres.migrations")
    found = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match is None:
            continue
        name = entry.name.removesuffix(".up.sql")
        down = folder.joinpath(f"{name}.down.sql")
        if not down.is_file():
            raise RuntimeError(f"migration {name} has no down file")
        found.append(
            Migration(match["version"], name, _read_sql(entry), _read_sql(down)),
        )
    return sorted(found, key=lambda migration: migration.version)


def _read_sql(entry: resources.abc.Traversable) -> LiteralString:
    # The text ships inside the package, written by us: it is as literal as a constant.
    return entry.read_text(encoding="utf-8")


async def migrate(conninfo: str) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction; their names."""
    async with await AsyncConnection.connect(conninfo, autocommit=True) as conn, _exclusive(conn):
        applied = await _applied_versions(conn)
        done = []
        for migration in available():
            if migration.version in applied:
                continue
            async with conn.transaction():
                await conn.execute(migration.up)
                await conn.execute(_RECORD, {"version": migration.version, "name": migration.name})
            done.append(migration.name)
        return done


async def rollback(conninfo: str, steps: int = 1) -> list[str]:
    """Undo the `steps` most recent migrations, newest first; their names."""
    by_version = {migration.version: migration for migration in available()}
    async with await AsyncConnection.connect(conninfo, autocommit=True) as conn, _exclusive(conn):
        cursor = await conn.execute(_LATEST, {"steps": steps})
        undone = []
        for (version,) in await cursor.fetchall():
            migration = by_version.get(version)
            if migration is None:
                raise RuntimeError(f"applied migration {version} is not in this package")
            async with conn.transaction():
                await conn.execute(migration.down)
                await conn.execute(_FORGET, {"version": version})
            undone.append(migration.name)
        return undone


async def _applied_versions(conn: AsyncConnection) -> set[str]:
    cursor = await conn.execute(_APPLIED)
    return {version for (version,) in await cursor.fetchall()}


@asynccontextmanager
async def _exclusive(conn: AsyncConnection) -> AsyncIterator[None]:
    """Hold the migration lock; the ledger is created under it so two first starts don't race."""
    await conn.execute(_LOCK, {"key": MIGRATION_LOCK_KEY})
    try:
        await conn.execute(_CREATE_LEDGER)
        yield
    finally:
        if not conn.closed:
            await conn.execute(_UNLOCK, {"key": MIGRATION_LOCK_KEY})
