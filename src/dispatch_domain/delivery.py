"""Delivering events to subscribers: who wants what, and when a failed delivery is tried again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

import attrs

from dispatch_domain.events import Event, EventType

FIRST_RETRY = timedelta(seconds=10)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)


class SubscriberKind(StrEnum):
    """How events reach a subscriber: a JSON POST, or a human message through Apprise."""

    WEBHOOK = "webhook"
    APPRISE = "apprise"


def retry_delay(failures: int) -> timedelta:
    """How long to wait after the `failures`-th failure (>= 1) in a row: 10 s, doubling, at
    most an hour."""
    doublings = min(max(failures, 1) - 1, 20)  # 2**20 times 10 s is far past the cap
    return min(FIRST_RETRY * (1 << doublings), LONGEST_WAIT)


@attrs.frozen
class NewSubscriber:
    kind: SubscriberKind
    target: str  # the webhook URL, or the Apprise URL
    secret: str | None = None
    event_types: frozenset[EventType] = frozenset()  # empty: every type


@attrs.frozen
class DeliveryState:
    """Where a subscriber's deliveries stand. `cursor` is the last event handled (delivered,
    not wanted, or given up on); `failures` count the tries of the event after it."""

    cursor: int = 0
    failures: int = 0
    last_error: str | None = None
    next_try_at: datetime | None = None
    failing_since: datetime | None = None
    delivered: int = 0


@attrs.frozen
class Subscriber:
    subscriber_id: int
    kind: SubscriberKind
    target: str
    secret: str | None
    event_types: frozenset[EventType]
    created_at: datetime
    state: DeliveryState = DeliveryState()

    def wants(self, event: Event) -> bool:
        return not self.event_types or event.type in self.event_types


@attrs.frozen
class Delivered:
    pass


@attrs.frozen
class NotDelivered:
    reason: str


Outcome = Delivered | NotDelivered


@attrs.frozen
class Claim:
    """A subscriber claimed for one round, with the next events it wants, oldest first."""

    subscriber: Subscriber
    events: tuple[Event, ...]


@attrs.frozen
class Settlement:
    """A subscriber's delivery state after a round; saving it ends the round's claim."""

    subscriber_id: int
    state: DeliveryState


def settle(claim: Claim, outcomes: Sequence[Outcome], now: datetime) -> Settlement:
    """The subscriber's state after delivering `claim.events` in order with `outcomes` (one per
    event tried; delivery stops at the first failure, so only the last may be NotDelivered).

    A failed event is tried again after `retry_delay`; once it has failed for `GIVE_UP_AFTER`
    it is skipped, with the reason kept, so one dead event does not block the rest forever."""
    state = claim.subscriber.state
    for event, outcome in zip(claim.events, outcomes, strict=False):
        if isinstance(outcome, Delivered):
            state = DeliveryState(
                event.event_id, delivered=state.delivered + 1, last_error=state.last_error
            )
            continue
        since = state.failing_since or now
        if now - since >= GIVE_UP_AFTER:
            reason = f"gave up on event {event.event_id} after 24 h: {outcome.reason}"
            state = attrs.evolve(
                state,
                cursor=event.event_id,
                failures=0,
                last_error=reason,
                next_try_at=None,
                failing_since=None,
            )
            break
        failures = state.failures + 1
        state = attrs.evolve(
            state,
            failures=failures,
            last_error=outcome.reason,
            next_try_at=now + retry_delay(failures),
            failing_since=since,
        )
        break
    return Settlement(claim.subscriber.subscriber_id, state)
