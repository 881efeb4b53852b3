"""GET /health: is Core up, can it reach its database and downloaders, how are its loops doing."""

from __future__ import annotations

from datetime import datetime

import attrs
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from apps.auth import PUBLIC
from apps.core.delivery import DeliveryLoop
from apps.core.loops import DispatchLoop, LoopState, PollLoop
from apps.core.subscription_loop import SubscriptionLoop
from apps.problems import describe
from dispatch_domain.cascade import Downloader
from dispatch_domain.model import DownloadFilter
from dispatch_domain.ports import Clock, DownloadRepository, ServiceRepository
from dispatch_domain.vocabulary import DownloadStatus, DownloadType

# How many pending downloads are looked at to learn which types wait for a downloader.
PENDING_SAMPLE = 1000


@attrs.frozen
class LoopOut:
    rounds: int
    last_round_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    @classmethod
    def of(cls, state: LoopState) -> LoopOut:
        return cls(state.rounds, state.last_round_at, state.last_error, state.last_error_at)


@attrs.frozen
class HealthOut:
    status: str  # ok, degraded (200) or error (503)
    database: str
    dispatcher: LoopOut
    poller: LoopOut
    subscriptions: LoopOut
    delivery: LoopOut  # webhooks and notifications
    problems: list[str] = attrs.field(factory=list)


@get(
    "/health",
    tags=["health"],
    opt={PUBLIC: True},
    responses={
        503: ResponseSpec(HealthOut, description="the database or every needed downloader is down")
    },
)
async def health(
    services: NamedDependency[ServiceRepository],
    downloads: NamedDependency[DownloadRepository],
    clock: NamedDependency[Clock],
    dispatch_loop: NamedDependency[DispatchLoop],
    poll_loop: NamedDependency[PollLoop],
    subscription_loop: NamedDependency[SubscriptionLoop],
    delivery_loop: NamedDependency[DeliveryLoop],
) -> Response[HealthOut]:
    """`ok`; `degraded` (200) when a downloader is backed off or a loop's last round failed;
    `error` (503) when the database is down, or when every enabled downloader of a type that
    has pending downloads is down. `problems` says each, in words."""
    states = (dispatch_loop.state, poll_loop.state, subscription_loop.state, delivery_loop.state)
    loops = tuple(LoopOut.of(state) for state in states)
    try:
        downloaders = await services.downloaders()  # real round trips to the database
        pending = await downloads.find(DownloadFilter(DownloadStatus.PENDING, limit=PENDING_SAMPLE))
    except Exception as error:  # reported in the answer, not hidden
        why = describe(error)
        return Response(HealthOut("error", why, *loops, [f"database: {why}"]), status_code=503)
    now = clock.now()
    down = [d for d in downloaders if d.health.in_backoff(now)]
    problems = [_loop_problem(s) for s in states if _failed(s)]
    problems += [_downloader_problem(d) for d in down]
    stuck = _types_without_downloader({v.download_type for v in pending.items}, downloaders, down)
    problems += [
        f"every enabled {kind.value} downloader is down: {kind.value} links wait" for kind in stuck
    ]
    status = "error" if stuck else "degraded" if problems else "ok"
    return Response(HealthOut(status, "ok", *loops, problems), status_code=503 if stuck else 200)


def _failed(state: LoopState) -> bool:
    if state.last_error_at is None:
        return False
    return state.last_round_at is None or state.last_error_at > state.last_round_at


def _loop_problem(state: LoopState) -> str:
    return f"{state.name}: the last round failed: {state.last_error}"


def _downloader_problem(downloader: Downloader) -> str:
    until = downloader.health.backoff_until
    when = until.isoformat() if until is not None else "?"
    why = downloader.health.last_error or "no answer"
    return f"downloader {downloader.name!r} is unreachable (backed off until {when}): {why}"


def _types_without_downloader(
    waiting: set[DownloadType], downloaders: list[Downloader], down: list[Downloader]
) -> list[DownloadType]:
    """Types with pending work whose every enabled downloader is down (none at all is
    `no_downloader`, not an outage)."""
    down_ids = {d.module_id for d in down}
    stuck = []
    for kind in sorted(waiting):
        capable = [d for d in downloaders if kind in d.download_types]
        if capable and all(d.module_id in down_ids for d in capable):
            stuck.append(kind)
    return stuck
