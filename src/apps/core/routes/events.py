"""Event routes: page through recorded events, or follow new ones as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import attrs
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from adapters.event_json import event_document
from dispatch_domain.errors import InvalidInput
from dispatch_domain.events import Event
from dispatch_domain.ports import EventLog

STREAM_POLL = 0.5  # seconds between looks for new events
STREAM_LIFETIME = 30.0  # then the stream ends; EventSource reconnects with Last-Event-ID
RECONNECT_MS = 500


@attrs.frozen
class EventPage:
    """Events after `after`, oldest first; ask again with `after=next_after` for the rest."""

    items: list[dict[str, Any]]
    next_after: int


@attrs.frozen
class LatestPage:
    """The newest events first; ask again with `before=next_before` for older ones."""

    items: list[dict[str, Any]]
    next_before: int | None


class EventsController(Controller):
    path = "/events"
    tags = ["events"]

    @get("/")
    async def list_events(
        self,
        events: NamedDependency[EventLog],
        after: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> EventPage:
        """Recorded events with an id above `after`, oldest first, at most `limit`."""
        found = await events.after(after, limit)
        next_after = found[-1].event_id if found else after
        return EventPage([event_document(e) for e in found], next_after)

    @get("/latest")
    async def latest_events(
        self,
        events: NamedDependency[EventLog],
        before: Annotated[int | None, QueryParameter(ge=1)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 50,
    ) -> LatestPage:
        """The newest events below `before` (all, without it), newest first, at most `limit`;
        `next_before` pages further back and is null when no older event is left."""
        top = await events.latest_id() + 1
        if before is not None:
            top = min(before, top)  # ids beyond the newest hold nothing to look through
        oldest = await events.after(0, 1)
        if not oldest:
            return LatestPage([], None)
        found = await _below(events, top, limit, oldest[0].event_id)
        page = found[-limit:][::-1]
        next_before = page[-1].event_id if len(found) > limit else None
        return LatestPage([event_document(e) for e in page], next_before)

    @get("/stream")
    async def stream_events(
        self,
        request: Request[Any, Any, Any],
        events: NamedDependency[EventLog],
        after: Annotated[int | None, QueryParameter(ge=0)] = None,
    ) -> ServerSentEvent:
        """New events as Server-Sent Events (`id` is the event id, `event` its type, `data`
        the event as JSON). Starts after `after`, the Last-Event-ID header, or the newest."""
        start = after if after is not None else _last_event_id(request)
        if start is None:
            start = await events.latest_id()
        return ServerSentEvent(_follow(events, start), retry_duration=RECONNECT_MS)


async def _below(events: EventLog, top: int, limit: int, oldest: int) -> list[Event]:
    """The events in a window of ids just below `top`, widened (x4 each time) until it holds
    `limit` events or reaches the oldest: ids have gaps (rolled-back changes, pruning), and
    the log reads only forwards. Each look is one statement; a window of w ids reads at most
    w rows."""
    span = limit + 1
    while True:
        start = max(0, top - 1 - span)
        found = [e for e in await events.after(start, span) if e.event_id < top]
        if len(found) > limit or start < oldest:
            return found
        span *= 4


def _last_event_id(request: Request[Any, Any, Any]) -> int | None:
    given = request.headers.get("last-event-id")
    if given is None:
        return None
    if not given.strip().isdigit():
        raise InvalidInput("Last-Event-ID must be an event id")
    return int(given)


async def _follow(events: EventLog, after: int) -> AsyncIterator[ServerSentEventMessage]:
    ends_at = time.monotonic() + STREAM_LIFETIME
    yield ServerSentEventMessage(data=None, comment="following events", retry=RECONNECT_MS)
    while time.monotonic() < ends_at:
        for event in await events.after(after, 100):
            after = event.event_id
            data = json.dumps(event_document(event), ensure_ascii=False)
            yield ServerSentEventMessage(data=data, event=event.type.value, id=event.event_id)
        await asyncio.sleep(STREAM_POLL)
