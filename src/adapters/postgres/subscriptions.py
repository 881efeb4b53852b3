"""SubscriptionRepository on Postgres: settings, fetch state, and claims on due feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
from psycopg import AsyncConnection
from psycopg.rows import kwargs_row
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.errors import domain_errors
from adapters.postgres.queries import load_queries
from dispatch_domain.errors import NotFound
from dispatch_domain.feeds import Validators
from dispatch_domain.subscriptions import (
    FetchRecord,
    FetchState,
    Subscription,
    SubscriptionSettings,
)

Connection = AsyncConnection[Any]


@attrs.define
class PostgresSubscriptionRepository:
    pool: AsyncConnectionPool[Connection]

    async def add(self, settings: SubscriptionSettings, now: datetime) -> Subscription:
        found = await self._rows("add", {**_settings_params(settings), "now": now})
        return found[0]

    async def get(self, subscription_id: int) -> Subscription:
        found = await self._rows("get", {"subscription_id": subscription_id})
        if not found:
            raise NotFound("subscription", subscription_id)
        return found[0]

    async def all(self) -> list[Subscription]:
        return await self._rows("all", {})

    async def update(
        self, subscription_id: int, settings: SubscriptionSettings, now: datetime
    ) -> Subscription:
        params = {**_settings_params(settings), "now": now, "subscription_id": subscription_id}
        found = await self._rows("update", params)
        if not found:
            raise NotFound("subscription", subscription_id)
        return found[0]

    async def delete(self, subscription_id: int) -> None:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                load_queries("subscriptions")["delete"], {"subscription_id": subscription_id}
            )
            if await cursor.fetchone() is None:
                raise NotFound("subscription", subscription_id)

    async def claim_due(self, now: datetime, until: datetime, limit: int) -> list[Subscription]:
        found = await self._rows("claim_due", {"now": now, "until": until, "limit": limit})
        return sorted(found, key=lambda s: (s.state.next_fetch_at, s.subscription_id))

    async def claim(
        self, subscription_id: int, now: datetime, until: datetime
    ) -> Subscription | None:
        params = {"subscription_id": subscription_id, "now": now, "until": until}
        found = await self._rows("claim", params)
        if found:
            return found[0]
        await self.get(subscription_id)  # NotFound, or held by another fetch
        return None

    async def record(self, subscription_id: int, record: FetchRecord) -> None:
        validators = record.validators or Validators()
        params = {
            "subscription_id": subscription_id,
            "fetched_at": record.fetched_at,
            "next_fetch_at": record.next_fetch_at,
            "succeeded": record.succeeded,
            "error": record.error,
            "failures": record.failures,
            "items_seen": record.items_seen,
            "links_created": record.links_created,
            "new_validators": record.validators is not None,
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "event_type": record.event.value if record.event is not None else None,
        }
        async with self.pool.connection() as conn:
            await conn.execute(load_queries("subscriptions")["record"], params)

    async def _rows(self, query: str, params: dict[str, Any]) -> list[Subscription]:
        with domain_errors():
            async with self.pool.connection() as conn:
                cursor = conn.cursor(row_factory=kwargs_row(_subscription))
                await cursor.execute(load_queries("subscriptions")[query], params)
                return await cursor.fetchall()


def _settings_params(settings: SubscriptionSettings) -> dict[str, Any]:
    return {
        "name": settings.name,
        "feed_url": settings.feed_url,
        "include": settings.include,
        "exclude": settings.exclude,
        "save_path": settings.save_path,
        "preferred_downloader": settings.preferred_downloader,
        "interval": settings.interval,
        "enabled": settings.enabled,
    }


def _subscription(**row: Any) -> Subscription:
    """A row of `subscriptions`, mapped column by column."""
    settings = SubscriptionSettings(
        name=row["name"],
        feed_url=row["feed_url"],
        include=row["include_pattern"],
        exclude=row["exclude_pattern"],
        save_path=row["save_path"],
        preferred_downloader=row["preferred_downloader"],
        interval=row["interval_seconds"],
        enabled=row["enabled"],
    )
    state = FetchState(
        next_fetch_at=row["next_fetch_at"],
        last_fetched_at=row["last_fetched_at"],
        last_success_at=row["last_success_at"],
        last_error=row["last_error"],
        failures=row["failures"],
        items_seen=row["items_seen"],
        links_created=row["links_created"],
        validators=Validators(row["etag"], row["last_modified"]),
    )
    return Subscription(
        row["subscription_id"], settings, state, row["created_at"], row["updated_at"]
    )
