"""In-memory service registry: the fake behind ServiceRepository."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import attrs

from dispatch_domain.cascade import Downloader
from dispatch_domain.errors import ACTIVE_AT_SERVICE, Conflict, NotFound
from dispatch_domain.events import health_event
from dispatch_domain.health import Health
from dispatch_domain.model import (
    DEFAULT_PRIORITY,
    Registered,
    Registration,
    ServiceModule,
    ServicePatch,
)
from dispatch_domain.status import ACTIVE
from dispatch_domain.testing.state import InMemoryState
from dispatch_domain.vocabulary import DownloadStatus, ServiceType


@attrs.define
class InMemoryServiceRepository:
    state: InMemoryState

    async def register(self, registration: Registration, now: datetime) -> Registered:
        known = self._by_name(registration.service_name)
        if known is None:
            module = ServiceModule(
                module_id=self.state.new_id(),
                service_type=registration.service_type,
                service_name=registration.service_name,
                host=registration.host,
                port=registration.port,
                capabilities=registration.capabilities,
                priority=registration.priority
                if registration.priority is not None
                else DEFAULT_PRIORITY,
                health=Health().up(now),
                registered_at=now,
                updated_at=now,
            )
            self.state.modules[module.module_id] = module
            return Registered(module, created=True)
        moved = (known.host, known.port) != (registration.host, registration.port)
        self._record_health(known, known.health.up(now), now)
        module = attrs.evolve(
            known,
            service_type=registration.service_type,
            host=registration.host,
            port=registration.port,
            capabilities=registration.capabilities,
            health=known.health.up(now),  # a service that registers is up
            updated_at=now,
        )
        self.state.modules[module.module_id] = module
        return Registered(module, created=False, previous_address=known.base_url if moved else None)

    def _by_name(self, name: str) -> ServiceModule | None:
        return next((m for m in self.state.modules.values() if m.service_name == name), None)

    async def downloaders(self) -> list[Downloader]:
        return [
            module.as_downloader()
            for module in sorted(self.state.modules.values(), key=lambda m: m.module_id)
            if module.service_type is ServiceType.DOWNLOADER and module.is_enabled
        ]

    async def save_health(self, health: dict[int, Health], now: datetime) -> None:
        for module_id, value in health.items():
            if module_id in self.state.modules:
                known = self.state.modules[module_id]
                self._record_health(known, value, now)
                self.state.modules[module_id] = attrs.evolve(known, health=value)

    def _record_health(self, module: ServiceModule, after: Health, now: datetime) -> None:
        event_type = health_event(module.health, after)
        if event_type is None or module.service_type is not ServiceType.DOWNLOADER:
            return
        reason = after.last_error if after.failures else None
        self.state.record(event_type, now, module_id=module.module_id, reason=reason)

    async def modules(self, service_type: ServiceType | None = None) -> list[ServiceModule]:
        return [
            module
            for module in sorted(self.state.modules.values(), key=lambda m: m.module_id)
            if service_type is None or module.service_type is service_type
        ]

    async def get(self, module_id: int) -> ServiceModule:
        module = self.state.modules.get(module_id)
        if module is None:
            raise NotFound("service", module_id)
        return module

    async def update(self, module_id: int, patch: ServicePatch, now: datetime) -> ServiceModule:
        module = await self.get(module_id)
        changes = {k: v for k, v in attrs.asdict(patch).items() if v is not None}
        updated = attrs.evolve(module, updated_at=now, **changes)
        self.state.modules[module_id] = updated
        return updated

    async def delete(self, module_id: int) -> None:
        await self.get(module_id)
        rows = self.state.downloads.values()
        if any(row.module_id == module_id and row.status in ACTIVE for row in rows):
            raise Conflict(ACTIVE_AT_SERVICE)
        del self.state.modules[module_id]
        self.state.poll_claims.pop(module_id, None)
        for download_id, row in list(self.state.downloads.items()):
            if row.module_id == module_id:
                learned = {**row.learned, "module_id": None}
                self.state.downloads[download_id] = attrs.evolve(row, learned=learned)

    async def release_polls(self, module_ids: Collection[int]) -> None:
        for module_id in module_ids:
            self.state.poll_claims.pop(module_id, None)

    async def claim_polls(self, now: datetime, until: datetime) -> list[Downloader]:
        busy = {
            row.module_id
            for row in self.state.downloads.values()
            if row.status in (DownloadStatus.DOWNLOADING, DownloadStatus.DOWNLOADER_ERROR)
        }
        claimed = []
        for downloader in await self.downloaders():
            held = self.state.poll_claims.get(downloader.module_id)
            if downloader.module_id in busy and (held is None or held <= now):
                self.state.poll_claims[downloader.module_id] = until
                claimed.append(downloader)
        return claimed
