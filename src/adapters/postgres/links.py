"""LinkRepository on Postgres: a fetcher's post stored in one transaction of three statements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import attrs
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.errors import domain_errors
from adapters.postgres.queries import load_queries
from adapters.postgres.retrying import on_deadlock
from dispatch_domain.cascade import LinkToPlace
from dispatch_domain.model import FetchedItem, FetcherReport, NewLink, Stored
from dispatch_domain.vocabulary import DownloadStatus


@attrs.define
class PostgresLinkRepository:
    pool: AsyncConnectionPool[AsyncConnection[Any]]

    async def store(
        self,
        report: FetcherReport,
        links: Sequence[NewLink],
        now: datetime,
        claimed_until: datetime | None = None,
    ) -> Stored:
        kept = _first_of_each(links)
        typed = sum(link.download_type is not None for link in links)
        due_at = claimed_until or now
        with domain_errors():
            made = await on_deadlock(lambda: self._store(report, kept, now, due_at))
        by_url = {link.url: link for link in kept}
        placeable = tuple(_placeable(i, by_url[url], preferred) for i, url, preferred in made)
        return Stored(
            links_created=len(made),
            duplicates=typed - len(made),
            download_ids=tuple(download_id for download_id, _, _ in made),
            placeable=placeable,
        )

    async def _store(
        self, report: FetcherReport, links: Sequence[NewLink], now: datetime, due_at: datetime
    ) -> list[tuple[int, str, str | None]]:
        queries = load_queries("links")
        async with self.pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(queries["record_report"], _report_params(report, now))
            row = await cursor.fetchone()
            assert row is not None
            items = _raw_items(report.items)
            await conn.execute(
                queries["record_raw_items"],
                {**items, "fetcher_source": report.fetcher_source, "report_id": row[0], "now": now},
            )
            params = {
                **_link_params(links, now),
                "due_at": due_at,
                "subscription_id": report.subscription_id,
            }
            cursor = await conn.execute(queries["add_links"], params)
            return [
                (download_id, url, preferred)
                for download_id, url, preferred in await cursor.fetchall()
            ]


def _placeable(download_id: int, link: NewLink, preferred: str | None) -> LinkToPlace:
    assert link.download_type is not None  # only typed links get a download
    return LinkToPlace(download_id, link.url, link.download_type, link.save_path, preferred)


def _first_of_each(links: Iterable[NewLink]) -> list[NewLink]:
    """Drop links that repeat an earlier one of the same post (by URL or info-hash), so the
    first wins as it would had they come in separate posts."""
    urls: set[str] = set()
    hashes: set[str] = set()
    kept = []
    for link in links:
        if link.url in urls or (link.info_hash is not None and link.info_hash in hashes):
            continue
        urls.add(link.url)
        if link.info_hash is not None:
            hashes.add(link.info_hash)
        kept.append(link)
    return kept


def _report_params(report: FetcherReport, now: datetime) -> dict[str, object]:
    return {
        "fetcher_source": report.fetcher_source,
        "subscription_id": report.subscription_id,
        "success": report.success,
        "error_message": report.error_message,
        "items_received": len(report.items) + len(report.malformed),
        "now": now,
    }


def _raw_items(items: Iterable[FetchedItem]) -> dict[str, list[Any]]:
    """One array per column; the first item with a URL wins, as it does in the table."""
    unique: dict[str, FetchedItem] = {}
    for item in items:
        unique.setdefault(item.download_url, item)
    chosen = list(unique.values())
    return {
        "urls": [item.download_url for item in chosen],
        "titles": [item.title for item in chosen],
        "descriptions": [item.description for item in chosen],
        "pub_dates": [item.pub_date for item in chosen],
        "save_paths": [item.save_path for item in chosen],
    }


def _link_params(links: Sequence[NewLink], now: datetime) -> dict[str, object]:
    return {
        "urls": [link.url for link in links],
        "titles": [link.item.title for link in links],
        "download_types": [_value(link.download_type) for link in links],
        "info_hashes": [link.info_hash for link in links],
        "save_paths": [link.save_path for link in links],
        "reasons": [link.reason for link in links],
        "pending": DownloadStatus.PENDING.value,
        "now": now,
    }


def _value(kind: Any) -> str | None:
    return None if kind is None else str(kind.value)
