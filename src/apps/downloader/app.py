"""The downloader service's Litestar app: the downloader contract over any DownloadBackend."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import SkipValidation
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Response

from apps.api_docs import offline_openapi_config, swagger_assets
from apps.auth import PUBLIC, bearer_guard
from apps.downloader.container import DownloaderContainer, close_clients
from apps.downloader.registration import Registrar
from apps.downloader.routes import Backend, DownloadsController
from apps.downloader.settings import ServiceSettings
from apps.downloader.wire import HealthReport, health_report
from apps.inputs import readable_json_body
from apps.metrics import metrics_route
from apps.openapi_problems import document_problems
from apps.problems import problem_details_plugin
from dispatch_domain import BackendError, DownloadBackend

log = logging.getLogger(__name__)

OPENAPI = offline_openapi_config(
    title="bangumi-dispatch downloader",
    version="1",
    description="The downloader contract over one download client.",
)


def _from_backend(error: BackendError) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=502, title="The download client failed", detail=str(error)
    )


@get(
    "/health",
    opt={PUBLIC: True},
    summary="Whether the download client answers and is logged in",
    responses={503: ResponseSpec(HealthReport, description="the download client is unavailable")},
)
async def health(
    backend: Backend,
    settings: NamedDependency[ServiceSettings],
    registrar: NamedDependency[SkipValidation[Registrar | None]],
) -> Response[HealthReport]:
    registered = registrar.registered if registrar is not None else None
    report = health_report(settings.name, await backend.health(), registered)
    return Response(report, status_code=200 if report.status == "ok" else 503)


def create_app(container: DownloaderContainer) -> Litestar:
    """The app over whatever backend the container provides."""
    settings: ServiceSettings = container.service()

    def provide_backend() -> DownloadBackend:
        backend: DownloadBackend = container.metered_backend()
        return backend

    def provide_settings() -> ServiceSettings:
        return settings

    def provide_registrar() -> Registrar | None:
        registrar: Registrar | None = container.registrar()
        return registrar

    metrics = container.metrics()

    async def refresh_metrics() -> None:
        await metrics.refresh(container.backend())

    scrape = metrics_route(
        metrics.registry,
        refresh_metrics,
        settings.token,
        loopback_open=settings.metrics_loopback_open,
    )
    app = Litestar(
        route_handlers=[DownloadsController, health, scrape, swagger_assets()],
        dependencies={
            "backend": Provide(provide_backend, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "registrar": Provide(provide_registrar, sync_to_thread=False),
        },
        guards=[bearer_guard(settings.token)] if settings.token else [],
        plugins=[problem_details_plugin({BackendError: _from_backend})],
        before_request=readable_json_body,
        lifespan=[lambda app: _lifespan(container)],
        openapi_config=OPENAPI,
        logging_config=None,  # the command line configures logging once, for every library
    )
    client_failed = {502: "The download client failed or could not be reached"}
    public = frozenset({"/health"})
    document_problems(app, bearer=bool(settings.token), public=public, extra=client_failed)
    return app


@contextlib.asynccontextmanager
async def _lifespan(container: DownloaderContainer) -> AsyncIterator[None]:
    """Register with Core in the background while serving; close the HTTP clients at the end."""
    settings: ServiceSettings = container.service()
    registrar: Registrar | None = container.registrar()
    if not settings.token:
        log.warning("no token configured: every route is open to whoever can reach this port")
    task: asyncio.Task[Any] | None = None
    if registrar is None:
        log.warning("no Core URL configured: this downloader will not register with Core")
    else:
        task = asyncio.create_task(registrar.run(), name="register-with-core")
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await close_clients(container)
