"""GET /health: is Core up, can it reach its database, and how are its loops doing."""

from __future__ import annotations

from datetime import datetime

import attrs
from litestar import Response, get
from litestar.di import NamedDependency

from apps.core.delivery import DeliveryLoop
from apps.core.loops import DispatchLoop, LoopState, PollLoop
from apps.problems import describe
from dispatch_domain.ports import ServiceRepository


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
    status: str
    database: str
    dispatcher: LoopOut
    poller: LoopOut
    delivery: LoopOut  # webhooks and notifications


@get("/health", tags=["health"])
async def health(
    services: NamedDependency[ServiceRepository],
    dispatch_loop: NamedDependency[DispatchLoop],
    poll_loop: NamedDependency[PollLoop],
    delivery_loop: NamedDependency[DeliveryLoop],
) -> Response[HealthOut]:
    """Core's health: 200 when the database answers, 503 with the database's error if not;
    each loop's last round and last error either way."""
    loops = (
        LoopOut.of(dispatch_loop.state),
        LoopOut.of(poll_loop.state),
        LoopOut.of(delivery_loop.state),
    )
    try:
        await services.modules()  # a real round trip to the database
    except Exception as error:  # reported in the answer, not hidden
        why = describe(error)
        return Response(HealthOut("degraded", why, *loops), status_code=503)
    return Response(HealthOut("ok", "ok", *loops))
