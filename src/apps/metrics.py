"""`GET /metrics` for either app: Prometheus text exposition of the app's own registry, behind
the app's token when one is set (open to loopback scrapers if the operator says so)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from prometheus_client import (
    CollectorRegistry,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.process_collector import ProcessCollector

from apps.auth import PUBLIC, require_bearer
from apps.network import is_loopback

Refresh = Callable[[], Awaitable[None]]
# The text format every Prometheus version scrapes; the server adds `; charset=utf-8`.
TEXT_FORMAT = "text/plain; version=0.0.4"


def new_registry() -> CollectorRegistry:
    """One registry per app, never the global one: two apps in one process keep apart."""
    disable_created_metrics()  # `_created` series only double what a scraper already sees
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)  # CPU, memory, open files of this process
    return registry


def metrics_guard(token: str | None, *, loopback_open: bool) -> Any:
    """No token: open. A token: needed, except from loopback when `loopback_open`."""
    expected = token.encode() if token else None

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if expected is None:
            return
        client = connection.client.host if connection.client else ""
        if loopback_open and is_loopback(client):
            return
        require_bearer(connection, expected)

    return guard


def metrics_route(
    registry: CollectorRegistry, refresh: Refresh, token: str | None, *, loopback_open: bool
) -> HTTPRouteHandler:
    """The route: gauges read at scrape time are refreshed first, then the registry is served."""

    @get(
        "/metrics",
        opt={PUBLIC: True},  # the app-wide guard steps aside: this route has its own
        guards=[metrics_guard(token, loopback_open=loopback_open)],
        include_in_schema=False,
    )
    async def metrics() -> Response[bytes]:
        await refresh()
        return Response(generate_latest(registry), media_type=TEXT_FORMAT)

    return metrics
