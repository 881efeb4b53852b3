"""Answers only the downloader service gives: single-download actions and its health."""

from __future__ import annotations

from typing import Literal

import attrs

from dispatch_domain import BackendHealth


@attrs.frozen
class ActionResult:
    hash: str
    status: Literal["paused", "resumed", "deleted"]


@attrs.frozen
class HealthReport:
    """`status` is "ok" when the client answers and the session is logged in."""

    status: Literal["ok", "unavailable"]
    service: str
    reachable: bool
    logged_in: bool
    version: str | None = None
    reason: str | None = None
    registered_with_core: bool | None = None


def health_report(
    service: str, health: BackendHealth, registered: bool | None = None
) -> HealthReport:
    healthy = health.reachable and health.logged_in
    return HealthReport(
        status="ok" if healthy else "unavailable",
        service=service,
        reachable=health.reachable,
        logged_in=health.logged_in,
        version=health.version,
        reason=health.reason,
        registered_with_core=registered,
    )
