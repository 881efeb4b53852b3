"""One log line when a downloader becomes unreachable, and one when it answers again."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

import attrs

from dispatch_domain.cascade import Downloader
from dispatch_domain.health import Health
from dispatch_domain.model import Registered, Registration, ServiceModule, ServicePatch
from dispatch_domain.ports import ServiceRepository
from dispatch_domain.vocabulary import ServiceType

log = logging.getLogger("bangumi_dispatch.downloaders")


@attrs.define
class ReachabilityLog:
    """The ServiceRepository the loops use, noting each downloader's health as they read it
    and logging when what they save changes it from up to down or back. No extra query: the
    loops read every downloader's health before they save a new one."""

    services: ServiceRepository
    _known: dict[int, tuple[str, Health]] = attrs.Factory(dict)

    async def downloaders(self) -> list[Downloader]:
        return self._note(await self.services.downloaders())

    async def claim_polls(self, now: datetime, until: datetime) -> list[Downloader]:
        return self._note(await self.services.claim_polls(now, until))

    async def save_health(self, health: dict[int, Health], now: datetime) -> None:
        await self.services.save_health(health, now)
        for module_id, new in health.items():
            name, old = self._known.get(module_id, (f"#{module_id}", Health()))
            if old.failures == 0 and new.failures > 0:
                log.warning("downloader %r is unreachable: %s", name, new.last_error)
            elif old.failures > 0 and new.failures == 0:
                log.info("downloader %r is reachable again", name)
            self._known[module_id] = (name, new)

    async def release_polls(self, module_ids: Collection[int]) -> None:
        await self.services.release_polls(module_ids)

    # The rest of the port, unchanged.
    async def register(self, registration: Registration, now: datetime) -> Registered:
        return await self.services.register(registration, now)

    async def modules(self, service_type: ServiceType | None = None) -> list[ServiceModule]:
        return await self.services.modules(service_type)

    async def get(self, module_id: int) -> ServiceModule:
        return await self.services.get(module_id)

    async def update(self, module_id: int, patch: ServicePatch, now: datetime) -> ServiceModule:
        return await self.services.update(module_id, patch, now)

    async def delete(self, module_id: int) -> None:
        await self.services.delete(module_id)

    def _note(self, downloaders: list[Downloader]) -> list[Downloader]:
        for downloader in downloaders:
            self._known[downloader.module_id] = (downloader.name, downloader.health)
        return downloaders
