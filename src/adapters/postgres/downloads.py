"""DownloadRepository on Postgres: bulk changes as one statement over parameter arrays."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import attrs
from psycopg import AsyncConnection
from psycopg.rows import kwargs_row
from psycopg_pool import AsyncConnectionPool

from adapters.postgres import rows
from adapters.postgres.errors import domain_errors
from adapters.postgres.queries import load_queries
from adapters.postgres.retrying import on_deadlock
from dispatch_domain.attempts import SUPERSEDED_REASON, Attempt, RetryPlan, plan_retries
from dispatch_domain.cascade import LinkToPlace
from dispatch_domain.errors import NotFound
from dispatch_domain.events import EVENT_TYPES, EventType, event_type_for
from dispatch_domain.model import DownloadFilter, DownloadView, Page, StatusCounts, Tracked
from dispatch_domain.status import (
    ACTIVE,
    TRACKED,
    TRANSITIONS,
    DownloadEvent,
    sources_of,
    target_of,
)
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus, DownloadType

Pool = AsyncConnectionPool[AsyncConnection[Any]]
_PENDING = DownloadStatus.PENDING.value
T = TypeVar("T")


@attrs.define
class PostgresDownloadRepository:
    pool: Pool

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[LinkToPlace]:
        params = {
            "pending": _PENDING,
            "now": now,
            "limit": limit,
            "lease_until": now + lease,
            "stalled": EventType.DOWNLOAD_STALLED.value,
        }
        return await self._fetch(rows.link_to_place, "claim_due", params)

    async def apply(self, transitions: Sequence[Transition], now: datetime) -> list[int]:
        if not transitions:
            return []
        with domain_errors():
            return await on_deadlock(lambda: self._apply(transitions, now))

    async def _apply(self, transitions: Sequence[Transition], now: datetime) -> list[int]:
        applied: list[int] = []
        async with self.pool.connection() as conn, conn.transaction():
            for wave in _waves(transitions):
                params = {**_rules(), **_changes(wave), "pending": _PENDING, "now": now,
                          "active": _values(ACTIVE)}  # fmt: skip
                cursor = await conn.execute(load_queries("downloads")["apply"], params)
                applied.extend(download_id for (download_id,) in await cursor.fetchall())
        return applied

    async def release_parked(self, types: Collection[DownloadType], now: datetime) -> int:
        if not types:
            return 0
        event = DownloadEvent.DOWNLOADER_AVAILABLE
        params = {
            "target": target_of(event).value,
            "sources": _values(sources_of(event)),
            "types": _values(types),
            "now": now,
        }
        return await on_deadlock(lambda: self._rowcount("release_parked", params))

    async def count_by_status(self, download_ids: Collection[int]) -> StatusCounts:
        params = {"download_ids": list(set(download_ids))}
        async with self.pool.connection() as conn:
            cursor = await conn.execute(load_queries("downloads")["count_by_status"], params)
            return Counter({DownloadStatus(s): n for s, n in await cursor.fetchall()})

    async def status_totals(self) -> StatusCounts:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(load_queries("downloads")["status_totals"])
            return Counter({DownloadStatus(s): n for s, n in await cursor.fetchall()})

    async def get(self, download_id: int) -> DownloadView:
        found = await self._fetch(rows.download_view, "view", {"download_id": download_id})
        if not found:
            raise NotFound("download", download_id)
        return found[0]

    async def find(self, query: DownloadFilter) -> Page:
        where = {
            "status": query.status.value if query.status is not None else None,
            "module_id": query.module_id,
            "link_id": query.link_id,
        }
        page = {**where, "limit": query.limit, "offset": query.offset}
        queries = load_queries("downloads")
        async with self.pool.connection() as conn:
            cursor = conn.cursor(row_factory=kwargs_row(rows.download_view))
            items = await (await cursor.execute(queries["find"], page)).fetchall()
            counted = await (await conn.execute(queries["count_found"], where)).fetchone()
        total = counted[0] if counted is not None else 0
        return Page(tuple(items), total, query.limit, query.offset)

    async def views(self, download_ids: Collection[int]) -> list[DownloadView]:
        params = {"download_ids": list(set(download_ids))}
        return await self._fetch(rows.download_view, "views", params)

    async def ids_with_status(self, statuses: Collection[DownloadStatus]) -> list[int]:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                load_queries("downloads")["ids_with_status"], {"statuses": _values(statuses)}
            )
            return [download_id for (download_id,) in await cursor.fetchall()]

    async def retry(self, download_ids: Collection[int], now: datetime) -> dict[int, int]:
        requested = sorted(set(download_ids))
        if not requested:
            return {}
        with domain_errors():
            return await on_deadlock(lambda: self._retry(requested, now))

    async def _retry(self, requested: list[int], now: datetime) -> dict[int, int]:
        queries = load_queries("downloads")
        async with self.pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(queries["lock_links_of"], {"download_ids": requested})
            link_ids = [link_id for (link_id,) in await cursor.fetchall()]
            cursor = await conn.execute(queries["attempts_of"], {"link_ids": link_ids})
            attempts = [
                Attempt(i, link, n, DownloadStatus(s)) for i, link, n, s in await cursor.fetchall()
            ]
            plan = plan_retries(requested, attempts)
            if not plan.retried:
                return {}
            if plan.superseded:
                await conn.execute(queries["supersede"], _supersede_params(plan, now))
            cursor = await conn.execute(queries["add_attempts"], _attempt_params(plan, now))
            new_by_link = {link_id: new_id for new_id, link_id in await cursor.fetchall()}
        return {old.download_id: new_by_link[old.link_id] for old in plan.retried}

    async def tracked(self, module_ids: Collection[int]) -> list[Tracked]:
        params = {
            "statuses": _values(TRACKED),
            "module_ids": list(set(module_ids)),
            "stalled": EventType.DOWNLOAD_STALLED.value,
        }
        return await self._fetch(rows.tracked, "tracked", params)

    async def shared_remote_ids(
        self, held: Collection[tuple[int, str]], excluding: Collection[int]
    ) -> set[tuple[int, str]]:
        pairs = sorted(set(held))
        if not pairs:
            return set()
        params = {
            "module_ids": [module_id for module_id, _ in pairs],
            "remote_ids": [remote_id for _, remote_id in pairs],
            "active": _values(ACTIVE),
            "excluding": sorted(set(excluding)),
        }
        async with self.pool.connection() as conn:
            cursor = await conn.execute(load_queries("downloads")["shared_remote_ids"], params)
            return {(module_id, remote_id) for module_id, remote_id in await cursor.fetchall()}

    async def _fetch(self, mapper: Callable[..., T], name: str, params: dict[str, Any]) -> list[T]:
        async with self.pool.connection() as conn:
            cursor = conn.cursor(row_factory=kwargs_row(mapper))
            await cursor.execute(load_queries("downloads")[name], params)
            return await cursor.fetchall()

    async def _rowcount(self, name: str, params: dict[str, Any]) -> int:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(load_queries("downloads")[name], params)
            return cursor.rowcount


def _values(members: Collection[DownloadStatus] | Collection[DownloadType]) -> list[str]:
    return sorted(member.value for member in members)


@functools.cache
def _rules() -> dict[str, list[str]]:
    """The transition table as three parallel arrays, the form the apply query joins on, and
    the events' types as two more."""
    moves = sorted(TRANSITIONS.items())
    kinds = sorted(EVENT_TYPES.items())
    return {
        "rule_sources": [source.value for (source, _), _ in moves],
        "rule_events": [event.value for (_, event), _ in moves],
        "rule_targets": [target.value for _, target in moves],
        "kind_events": [event.value for event, _ in kinds],
        "kind_types": [kind.value for _, kind in kinds],
    }


def _waves(transitions: Sequence[Transition]) -> list[list[Transition]]:
    """Split so no download appears twice in one statement; the n-th change of a download goes
    in wave n. One wave in practice: the dispatcher and poller send one change per download."""
    waves: list[list[Transition]] = []
    seen: Counter[int] = Counter()
    for change in transitions:
        position = seen[change.download_id]
        seen[change.download_id] += 1
        if position == len(waves):
            waves.append([])
        waves[position].append(change)
    return waves


_CHANGE_FIELDS = tuple(field.name for field in attrs.fields(Transition))


def _changes(wave: Sequence[Transition]) -> dict[str, list[Any]]:
    """One array per field of Transition, named as the field: the apply query unnests them."""
    return {name: [_plain(getattr(t, name)) for t in wave] for name in _CHANGE_FIELDS}


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _supersede_params(plan: RetryPlan, now: datetime) -> dict[str, Any]:
    return {
        "download_ids": plan.superseded,
        "cancelled": target_of(DownloadEvent.CANCEL).value,
        "reason": SUPERSEDED_REASON,
        "event_type": _cancelled_type(),
        "now": now,
    }


def _cancelled_type() -> str:
    event_type = event_type_for(DownloadEvent.CANCEL)
    assert event_type is not None, "a cancel is always an event"
    return event_type.value


def _attempt_params(plan: RetryPlan, now: datetime) -> dict[str, Any]:
    return {
        "link_ids": [old.link_id for old in plan.retried],
        "attempts": [old.attempt + 1 for old in plan.retried],
        "pending": _PENDING,
        "now": now,
    }
