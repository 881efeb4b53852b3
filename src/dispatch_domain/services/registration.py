"""Registration and operator changes to services; both can release parked downloads."""

from __future__ import annotations

import attrs

from dispatch_domain.model import Registered, Registration, ServiceModule, ServicePatch
from dispatch_domain.ports import Clock, DownloadRepository, ServiceRepository
from dispatch_domain.vocabulary import ServiceType


async def register_service(
    registration: Registration,
    services: ServiceRepository,
    downloads: DownloadRepository,
    clock: Clock,
) -> Registered:
    """Upsert the service; once that has committed, its types' parked downloads become pending."""
    registered = await services.register(registration, clock.now())
    released = await _release_for(registered.module, downloads, clock)
    return attrs.evolve(registered, released=released)


async def update_service(
    module_id: int,
    patch: ServicePatch,
    services: ServiceRepository,
    downloads: DownloadRepository,
    clock: Clock,
) -> tuple[ServiceModule, int]:
    """Change priority or enabled flag; enabling a downloader releases its parked downloads."""
    module = await services.update(module_id, patch, clock.now())
    released = await _release_for(module, downloads, clock) if patch.is_enabled else 0
    return module, released


async def _release_for(module: ServiceModule, downloads: DownloadRepository, clock: Clock) -> int:
    types = module.capabilities.supported_download_types
    if module.service_type is not ServiceType.DOWNLOADER or not module.is_enabled or not types:
        return 0
    return await downloads.release_parked(types, clock.now())
