"""The connection pool the repositories share."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection, AsyncCursor, OperationalError
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from adapters.postgres.counting import StatementCounter


async def open_pool(
    conninfo: str,
    min_size: int = 1,
    max_size: int = 10,
    *,
    counter: StatementCounter | None = None,
    timeout: float = 10.0,
) -> AsyncConnectionPool[AsyncConnection[Any]]:
    """An open pool; `counter`, if given, counts every statement sent through it.

    Every connection is checked as it leaves the pool, so one that a database restart broke
    is dropped and replaced instead of failing the request that got it. While the database is
    down, asking for a connection fails after `timeout` seconds with PoolTimeout (one of
    UNAVAILABLE).

    Connections are in autocommit: a lone read leaves no transaction open, and the
    repositories open one explicitly where several statements must commit together. The
    session time zone is UTC so timestamps come back as they were written. Bulk statements
    join tens of thousands of rows with their parameter arrays: 32 MB of work memory keeps
    those joins in memory instead of spilling to disk.
    """
    options = "-c TimeZone=UTC -c work_mem=32MB"
    kwargs: dict[str, Any] = {"autocommit": True, "options": options}
    if counter is not None:
        kwargs["cursor_factory"] = counter.cursor_factory
    pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        kwargs=kwargs,
        open=False,
        check=_alive,
        timeout=timeout,
        # A failed reconnection backs off exponentially; giving it up after `timeout` lets the
        # next request start a fresh attempt, so Core is back within seconds of the database.
        reconnect_timeout=timeout,
    )
    await pool.open(wait=True)
    return pool


# What a repository raises when the database cannot be reached (down, restarting, or every
# connection lost): a transient condition, so callers may answer "try again later".
UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, PoolTimeout)


async def _alive(conn: AsyncConnection[Any]) -> None:
    """One empty round trip; a plain cursor so that statement counters do not see it."""
    await AsyncCursor(conn).execute("")
