"""Service registry routes: register, list, and the operator's priority/enabled changes."""

from __future__ import annotations

import logging

import attrs
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from apps.core.loops import DispatchLoop
from apps.core.schemas import RegisterBody, RegisteredOut, ServiceOut, ServicePatchBody
from apps.inputs import IdParam
from dispatch_domain.ports import Clock, DownloadRepository, ServiceRepository
from dispatch_domain.services.registration import register_service, update_service
from dispatch_domain.vocabulary import ServiceType

log = logging.getLogger(__name__)


class ServicesController(Controller):
    path = "/services"
    tags = ["services"]

    @post("/register", status_code=HTTP_201_CREATED)
    async def register(
        self,
        data: JSONBody[RegisterBody],
        services: NamedDependency[ServiceRepository],
        downloads: NamedDependency[DownloadRepository],
        clock: NamedDependency[Clock],
        dispatch_loop: NamedDependency[DispatchLoop],
    ) -> RegisteredOut:
        """Register or refresh a service; a downloader's parked links of its types go out."""
        registered = await register_service(data.to_domain(), services, downloads, clock)
        if registered.previous_address:
            log.warning(
                "service %r re-registered from %s (was at %s)",
                registered.module.service_name,
                registered.module.base_url,
                registered.previous_address,
                extra={
                    "service_name": registered.module.service_name,
                    "module_id": registered.module.module_id,
                },
            )
        if registered.released:
            dispatch_loop.wake()
        out = ServiceOut.of(registered.module)
        return RegisteredOut(
            **attrs.asdict(out, recurse=False),
            created=registered.created,
            previous_address=registered.previous_address,
            released=registered.released,
        )

    @get("/")
    async def list_services(self, services: NamedDependency[ServiceRepository]) -> list[ServiceOut]:
        """Every registered service with its priority, enabled flag, capabilities and health."""
        return [ServiceOut.of(module) for module in await services.modules()]

    @get("/{service_type:str}")
    async def list_of_type(
        self, service_type: FromPath[ServiceType], services: NamedDependency[ServiceRepository]
    ) -> list[ServiceOut]:
        """The registered services of one type (downloader, fetcher, viewer)."""
        return [ServiceOut.of(module) for module in await services.modules(service_type)]

    @patch("/{module_id:int}")
    async def update(
        self,
        module_id: IdParam,
        data: JSONBody[ServicePatchBody],
        services: NamedDependency[ServiceRepository],
        downloads: NamedDependency[DownloadRepository],
        clock: NamedDependency[Clock],
        dispatch_loop: NamedDependency[DispatchLoop],
    ) -> ServiceOut:
        """Change a service's priority or enable/disable it; a disabled one gets no new work."""
        module, released = await update_service(
            module_id, data.to_domain(), services, downloads, clock
        )
        if released:
            dispatch_loop.wake()
        return ServiceOut.of(module)

    @delete("/{module_id:int}", status_code=204)
    async def remove(
        self, module_id: IdParam, services: NamedDependency[ServiceRepository]
    ) -> None:
        """Forget a service. Refused with 409 while any of its downloads is active (pending,
        downloading or downloader_error): cancel them or let them finish first. Its finished
        downloads stay listed, without a downloader."""
        await services.delete(module_id)
        log.info("service %d deleted by the operator", module_id)
