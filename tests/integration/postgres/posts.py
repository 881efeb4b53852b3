"""Building fetcher posts and raw SQL probes for the Postgres integration tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from dispatch_domain import DEFAULT_CHAIN, FetchedItem, FetcherReport, NewLink, to_link

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def magnet(n: int, tracker: str | None = None) -> str:
    url = f"magnet:?xt=urn:btih:{n:040x}&dn=episode{n}"
    return url if tracker is None else f"{url}&tr={tracker}"


def post_of(urls: Iterable[str], source: str = "rss") -> tuple[FetcherReport, list[NewLink]]:
    items = tuple(FetchedItem(i, f"title {i}", url) for i, url in enumerate(urls))
    links = [to_link(item, DEFAULT_CHAIN) for item in items]
    assert all(isinstance(link, NewLink) for link in links)
    return FetcherReport(source, items=items), links  # type: ignore[return-value]


async def scalar(pool: AsyncConnectionPool[AsyncConnection[Any]], query: Any) -> Any:
    """The single value a probe query returns."""
    async with pool.connection() as conn:
        cursor = await conn.execute(query)
        row = await cursor.fetchone()
        assert row is not None
        return row[0]
