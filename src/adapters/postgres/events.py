"""EventLog and SubscriberRepository on Postgres: the outbox and who receives it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs
from psycopg import AsyncConnection
from psycopg.rows import kwargs_row
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.queries import load_queries
from dispatch_domain.delivery import (
    Claim,
    DeliveryState,
    NewSubscriber,
    Settlement,
    Subscriber,
    SubscriberKind,
)
from dispatch_domain.errors import NotFound
from dispatch_domain.events import (
    DownloaderFacts,
    DownloadFacts,
    Event,
    EventType,
    SubscriptionFacts,
)
from dispatch_domain.vocabulary import DownloadStatus

Pool = AsyncConnectionPool[AsyncConnection[Any]]
T = TypeVar("T")


@attrs.define
class PostgresEventLog:
    pool: Pool

    async def after(self, event_id: int, limit: int) -> list[Event]:
        return await _fetch(self.pool, event_row, "after", {"after": event_id, "limit": limit})

    async def latest_id(self) -> int:
        async with self.pool.connection() as conn:
            row = await (await conn.execute(load_queries("events")["latest_id"])).fetchone()
        return int(row[0]) if row is not None else 0

    async def prune(self, before: datetime) -> int:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(load_queries("events")["prune"], {"before": before})
            return cursor.rowcount


@attrs.define
class PostgresSubscriberRepository:
    pool: Pool

    async def add(self, new: NewSubscriber, now: datetime) -> Subscriber:
        params = {
            "kind": new.kind.value,
            "target": new.target,
            "secret": new.secret,
            "event_types": sorted(kind.value for kind in new.event_types),
            "now": now,
        }
        (added,) = await _fetch(self.pool, subscriber_row, "add_subscriber", params)
        return added

    async def of_kind(self, kind: SubscriberKind) -> list[Subscriber]:
        params = {"kind": kind.value}
        return await _fetch(self.pool, subscriber_row, "subscribers_of_kind", params)

    async def remove(self, kind: SubscriberKind, subscriber_id: int) -> None:
        params = {"kind": kind.value, "subscriber_id": subscriber_id}
        async with self.pool.connection() as conn:
            cursor = await conn.execute(load_queries("events")["remove_subscriber"], params)
            if cursor.rowcount == 0:
                raise NotFound(kind.value, subscriber_id)

    async def claim(self, now: datetime, until: datetime, batch: int) -> list[Claim]:
        queries = load_queries("events")
        async with self.pool.connection() as conn, conn.transaction():
            cursor = conn.cursor(row_factory=kwargs_row(subscriber_row))
            await cursor.execute(queries["claim_subscribers"], {"now": now, "until": until})
            claimed = sorted(await cursor.fetchall(), key=lambda s: s.subscriber_id)
            if not claimed:
                return []
            ids = [subscriber.subscriber_id for subscriber in claimed]
            waiting = conn.cursor(row_factory=kwargs_row(_waiting_row))
            await waiting.execute(
                queries["waiting_events"], {"subscriber_ids": ids, "batch": batch}
            )
            events: dict[int, list[Event]] = {}
            for subscriber_id, event in await waiting.fetchall():
                events.setdefault(subscriber_id, []).append(event)
        return [Claim(s, tuple(events.get(s.subscriber_id, ()))) for s in claimed]

    async def settle(self, settlements: Sequence[Settlement]) -> None:
        if not settlements:
            return
        states = [(s.subscriber_id, s.state) for s in settlements]
        params = {
            "subscriber_ids": [i for i, _ in states],
            "cursors": [state.cursor for _, state in states],
            "failures": [state.failures for _, state in states],
            "last_errors": [state.last_error for _, state in states],
            "next_try_ats": [state.next_try_at for _, state in states],
            "failing_sinces": [state.failing_since for _, state in states],
            "delivered": [state.delivered for _, state in states],
        }
        async with self.pool.connection() as conn:
            await conn.execute(load_queries("events")["settle"], params)


async def _fetch(
    pool: Pool, mapper: Callable[..., T], name: str, params: dict[str, Any]
) -> list[T]:
    async with pool.connection() as conn:
        cursor = conn.cursor(row_factory=kwargs_row(mapper))
        await cursor.execute(load_queries("events")[name], params)
        return await cursor.fetchall()


def event_row(
    *,
    event_id: int,
    event_type: str,
    occurred_at: datetime,
    download_id: int | None,
    link_id: int | None,
    title: str | None,
    url: str | None,
    status: str | None,
    attempts: int | None,
    reason: str | None,
    module_id: int | None,
    service_name: str | None,
    visible: bool = True,
    subscription_id: int | None = None,
    subscription_name: str | None = None,
    feed_url: str | None = None,
) -> Event:
    """A row of event_views."""
    download = None
    if download_id is not None and link_id is not None and status is not None:
        download = DownloadFacts(
            download_id,
            link_id,
            title or "",
            url or "",
            DownloadStatus(status),
            service_name,
            reason,
            attempts or 1,
        )
    downloader = None
    if download_id is None and module_id is not None and service_name is not None:
        downloader = DownloaderFacts(module_id, service_name, reason)
    subscription = None
    if subscription_id is not None and subscription_name is not None and feed_url is not None:
        subscription = SubscriptionFacts(subscription_id, subscription_name, feed_url, reason)
    kind = EventType(event_type)
    return Event(event_id, kind, occurred_at, download, downloader, subscription)


def _waiting_row(*, subscriber_id: int, **columns: Any) -> tuple[int, Event]:
    return subscriber_id, event_row(**columns)


def subscriber_row(
    *,
    subscriber_id: int,
    kind: str,
    target: str,
    secret: str | None,
    event_types: list[str],
    created_at: datetime,
    claimed_until: datetime | None = None,
    **state: Any,
) -> Subscriber:
    """A row of event_subscribers; the delivery columns are named as DeliveryState's fields."""
    return Subscriber(
        subscriber_id,
        SubscriberKind(kind),
        target,
        secret,
        frozenset(EventType(t) for t in event_types),
        created_at,
        DeliveryState(**state),
    )
