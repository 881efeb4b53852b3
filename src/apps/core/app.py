"""Core's Litestar app: thin routes over the domain services, wired from the container."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import attrs
from litestar import Litestar
from litestar.di import Provide

from adapters.postgres import UNAVAILABLE
from apps.api_docs import offline_openapi_config, swagger_assets
from apps.auth import bearer_guard
from apps.core.container import CoreContainer
from apps.core.routes.downloads import DownloadsController, Operations
from apps.core.routes.events import EventsController
from apps.core.routes.fetcher import receive_fetcher_results
from apps.core.routes.health import health
from apps.core.routes.services import ServicesController
from apps.core.routes.subscribers import NotificationsController, WebhooksController
from apps.core.routes.subscriptions import SubscriptionsController
from apps.core.schemas import make_converter
from apps.core.web import web_routes
from apps.inputs import readable_json_body
from apps.metrics import metrics_route
from apps.openapi_problems import document_problems
from apps.problems import problem_details_plugin, unavailable

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024 * 1024  # a 50,000-item fetcher post fits


def _provide(factory: Callable[[], Any]) -> Provide:
    return Provide(factory, sync_to_thread=False, use_cache=True)


@attrs.define
class Runtime:
    """What the routes use, resolved from the container once its resources are up."""

    store: Any = None
    gateway: Any = None
    clock: Any = None
    detectors: Any = None
    dispatch_loop: Any = None
    poll_loop: Any = None
    follower: Any = None
    title_patterns: Any = None
    subscription_loop: Any = None
    delivery_loop: Any = None

    async def resolve(self, container: CoreContainer) -> None:
        for field in attrs.fields(Runtime):
            value = getattr(container, field.name)()
            if inspect.isawaitable(value):  # providers that depend on async resources
                value = await value
            setattr(self, field.name, value)


def dependencies(runtime: Runtime, container: CoreContainer) -> dict[str, Provide]:
    """Plain provider functions; Litestar's signature checks stay out of the container's way."""
    converter = make_converter()
    return {
        "links": _provide(lambda: runtime.store.links),
        "downloads": _provide(lambda: runtime.store.downloads),
        "services": _provide(lambda: runtime.store.services),
        "events": _provide(lambda: runtime.store.events),
        "subscribers": _provide(lambda: runtime.store.subscribers),
        "gateway": _provide(lambda: runtime.gateway),
        "clock": _provide(lambda: runtime.clock),
        "detectors": _provide(lambda: runtime.detectors),
        "dispatch_loop": _provide(lambda: runtime.dispatch_loop),
        "poll_loop": _provide(lambda: runtime.poll_loop),
        "subscriptions": _provide(lambda: runtime.store.subscriptions),
        "follower": _provide(lambda: runtime.follower),
        "title_patterns": _provide(lambda: runtime.title_patterns),
        "subscription_loop": _provide(lambda: runtime.subscription_loop),
        "delivery_loop": _provide(lambda: runtime.delivery_loop),
        "settings": _provide(lambda: container.settings()),
        "converter": _provide(lambda: converter),
        "ops": _provide(
            lambda: Operations(
                runtime.store.downloads, runtime.store.services, runtime.gateway, runtime.clock
            )
        ),
    }


def lifespan(runtime: Runtime, container: CoreContainer) -> Callable[[Litestar], Any]:
    @asynccontextmanager
    async def run(_: Litestar) -> AsyncIterator[None]:
        await _maybe_await(container.init_resources())
        await runtime.resolve(container)
        loops = [
            runtime.dispatch_loop,
            runtime.poll_loop,
            runtime.subscription_loop,
            runtime.delivery_loop,
        ]
        tasks = [asyncio.create_task(loop.run()) for loop in loops]
        runtime.dispatch_loop.wake()  # anything left pending by a previous run goes out now
        try:
            yield
        finally:
            for loop in loops:
                loop.stop()
            await asyncio.gather(*tasks)
            await _maybe_await(container.shutdown_resources())

    return run


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result


def create_app(container: CoreContainer) -> Litestar:
    settings = container.settings()
    runtime = Runtime()
    guards = [bearer_guard(settings.api_token)] if settings.api_token else []
    metrics = container.metrics()

    async def refresh_metrics() -> None:
        await metrics.refresh(runtime.store.downloads, runtime.store.services, runtime.clock)

    scrape = metrics_route(
        metrics.registry,
        refresh_metrics,
        settings.api_token,
        loopback_open=settings.metrics_loopback_open,
    )
    app = Litestar(
        route_handlers=[
            ServicesController,
            DownloadsController,
            receive_fetcher_results,
            health,
            SubscriptionsController,
            scrape,
            swagger_assets(),
            *web_routes(),
            EventsController,
            WebhooksController,
            NotificationsController,
        ],
        dependencies=dependencies(runtime, container),
        guards=guards,
        lifespan=[lifespan(runtime, container)],
        plugins=[problem_details_plugin(dict.fromkeys(UNAVAILABLE, unavailable))],
        before_request=readable_json_body,
        request_max_body_size=MAX_BODY,
        logging_config=None,  # the command line configures logging once, for every library
        openapi_config=offline_openapi_config(
            title="bangumi-dispatch Core",
            version="0.1.0",
            description="Stores fetched links, hands them to downloaders, follows them to the end.",
        ),
    )
    unreachable_db = {503: "The database is unavailable; try again after Retry-After seconds"}
    public = frozenset({"/health"})
    document_problems(app, bearer=bool(settings.api_token), public=public, extra=unreachable_db)
    return app
