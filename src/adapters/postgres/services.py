"""ServiceRepository on Postgres: registrations, operator settings, health and poll claims."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import attrs
from psycopg import AsyncConnection
from psycopg.rows import kwargs_row
from psycopg_pool import AsyncConnectionPool

from adapters.postgres import rows
from adapters.postgres.errors import domain_errors
from adapters.postgres.queries import load_queries
from dispatch_domain.cascade import Downloader
from dispatch_domain.errors import ACTIVE_AT_SERVICE, Conflict, NotFound
from dispatch_domain.events import EventType
from dispatch_domain.health import Health
from dispatch_domain.model import (
    DEFAULT_PRIORITY,
    Registered,
    Registration,
    ServiceModule,
    ServicePatch,
)
from dispatch_domain.status import ACTIVE, TRACKED
from dispatch_domain.vocabulary import ServiceType

Connection = AsyncConnection[Any]

_DOWNLOADER = ServiceType.DOWNLOADER.value
_HEALTH_EVENTS = {
    "down": EventType.DOWNLOADER_DOWN.value,
    "up": EventType.DOWNLOADER_UP.value,
    "downloader": _DOWNLOADER,
}


@attrs.define
class PostgresServiceRepository:
    pool: AsyncConnectionPool[Connection]

    async def register(self, registration: Registration, now: datetime) -> Registered:
        queries = load_queries("services")
        with domain_errors():
            async with self.pool.connection() as conn, conn.transaction():
                name = {"service_name": registration.service_name}
                before = await (await conn.execute(queries["lock_by_name"], name)).fetchone()
                cursor = await conn.execute(queries["upsert"], _upsert_params(registration, now))
                upserted = await cursor.fetchone()
                assert upserted is not None, "an upsert always returns its row"
                module_id = upserted[0]
                types = {
                    "module_id": module_id,
                    "download_types": sorted(
                        kind.value for kind in registration.capabilities.supported_download_types
                    ),
                }
                await conn.execute(queries["drop_capabilities"], types)
                await conn.execute(queries["add_capabilities"], types)
                module = await _module(conn, module_id)
        if before is None:
            return Registered(module, created=True)
        host, port = before
        moved = (host, port) != (registration.host, registration.port)
        previous = attrs.evolve(module, host=host, port=port).base_url if moved else None
        return Registered(module, created=False, previous_address=previous)

    async def downloaders(self) -> list[Downloader]:
        modules = await self._modules("enabled_of_type", {"service_type": _DOWNLOADER})
        return [module.as_downloader() for module in modules]

    async def save_health(self, health: dict[int, Health], now: datetime) -> None:
        if not health:
            return
        items = sorted(health.items())
        params = {
            "module_ids": [module_id for module_id, _ in items],
            "failures": [value.failures for _, value in items],
            "backoff_untils": [value.backoff_until for _, value in items],
            "last_seens": [value.last_seen for _, value in items],
            "last_errors": [value.last_error for _, value in items],
            "now": now,
            **_HEALTH_EVENTS,
        }
        async with self.pool.connection() as conn:
            await conn.execute(load_queries("services")["save_health"], params)

    async def modules(self, service_type: ServiceType | None = None) -> list[ServiceModule]:
        kind = service_type.value if service_type is not None else None
        return await self._modules("modules", {"service_type": kind})

    async def get(self, module_id: int) -> ServiceModule:
        async with self.pool.connection() as conn:
            return await _module(conn, module_id)

    async def update(self, module_id: int, patch: ServicePatch, now: datetime) -> ServiceModule:
        params = {
            "module_id": module_id,
            "priority": patch.priority,
            "is_enabled": patch.is_enabled,
            "now": now,
        }
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute(load_queries("services")["update"], params)
            return await _module(conn, module_id)

    async def delete(self, module_id: int) -> None:
        params = {"module_id": module_id, "active": sorted(status.value for status in ACTIVE)}
        async with self.pool.connection() as conn:
            cursor = await conn.execute(load_queries("services")["delete"], params)
            row = await cursor.fetchone()
        found, deleted = row if row is not None else (False, False)
        if not found:
            raise NotFound("service", module_id)
        if not deleted:
            raise Conflict(ACTIVE_AT_SERVICE)

    async def claim_polls(self, now: datetime, until: datetime) -> list[Downloader]:
        params = {
            "service_type": _DOWNLOADER,
            "statuses": sorted(status.value for status in TRACKED),
            "now": now,
            "until": until,
        }
        async with self.pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(load_queries("services")["claim_polls"], params)
            claimed = [module_id for (module_id,) in await cursor.fetchall()]
            modules = await _fetch_modules(conn, "modules_by_id", {"module_ids": claimed})
        return [module.as_downloader() for module in modules]

    async def release_polls(self, module_ids: Collection[int]) -> None:
        if not module_ids:
            return
        params = {"module_ids": sorted(module_ids)}
        async with self.pool.connection() as conn:
            await conn.execute(load_queries("services")["release_polls"], params)

    async def _modules(self, name: str, params: dict[str, Any]) -> list[ServiceModule]:
        async with self.pool.connection() as conn:
            return await _fetch_modules(conn, name, params)


async def _fetch_modules(
    conn: Connection, name: str, params: dict[str, Any]
) -> list[ServiceModule]:
    cursor = conn.cursor(row_factory=kwargs_row(rows.service_module))
    await cursor.execute(load_queries("services")[name], params)
    return await cursor.fetchall()


async def _module(conn: Connection, module_id: int) -> ServiceModule:
    found = await _fetch_modules(conn, "module", {"module_id": module_id})
    if not found:
        raise NotFound("service", module_id)
    return found[0]


def _upsert_params(registration: Registration, now: datetime) -> dict[str, Any]:
    capabilities = registration.capabilities
    priority = registration.priority
    return {
        "service_type": registration.service_type.value,
        "service_name": registration.service_name,
        "host": registration.host,
        "port": registration.port,
        "fetch_endpoint": capabilities.fetch_endpoint,
        "download_endpoint": capabilities.download_endpoint,
        "sync_endpoint": capabilities.sync_endpoint,
        "priority": priority if priority is not None else DEFAULT_PRIORITY,
        "now": now,
        **_HEALTH_EVENTS,
    }
