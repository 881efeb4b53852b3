"""Resources Core opens at start-up and closes at shutdown: database, pool, HTTP client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from psycopg_pool import AsyncConnectionPool

from adapters.postgres import default_data_dir, migrate, open_pool, start_embedded

log = logging.getLogger(__name__)


async def database(url: str | None, data_dir: Path | None) -> AsyncIterator[str]:
    """The database URL, migrated; with no URL, an embedded Postgres kept in `data_dir`."""
    if url:
        await _migrate(url)
        yield url
        return
    folder = data_dir or default_data_dir()
    log.info("no DATABASE_URL: starting the embedded Postgres in %s", folder)
    embedded = await asyncio.to_thread(start_embedded, folder)
    try:
        await _migrate(embedded.url)
        yield embedded.url
    finally:
        await asyncio.to_thread(embedded.stop)


async def _migrate(url: str) -> None:
    applied = await migrate(url)
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))


async def pool(
    url: str, max_size: int = 10, timeout: float = 10.0
) -> AsyncIterator[AsyncConnectionPool]:
    opened = await open_pool(url, max_size=max_size, timeout=timeout)
    try:
        yield opened
    finally:
        await opened.close()


async def http_client(timeout: float) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
    timeouts = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    async with httpx.AsyncClient(timeout=timeouts, limits=limits) as client:
        yield client


async def feed_client() -> AsyncIterator[httpx.AsyncClient]:
    """For feeds: the reader bounds each request's time and size itself."""
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(60.0, connect=10.0), limits=limits
    ) as client:
        yield client
