"""The connection pool the repositories share."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.counting import StatementCounter


async def open_pool(
    conninfo: str,
    min_size: int = 1,
    max_size: int = 10,
    *,
    counter: StatementCounter | None = None,
) -> AsyncConnectionPool[AsyncConnection[Any]]:
    """An open pool; `counter`, if given, counts every statement sent through it.

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
        conninfo, min_size=min_size, max_size=max_size, kwargs=kwargs, open=False
    )
    await pool.open(wait=True)
    return pool
