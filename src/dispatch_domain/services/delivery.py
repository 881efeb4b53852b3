"""Delivery rounds: claim subscribers with waiting events, send in order, save where each stands."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import attrs

from dispatch_domain.delivery import Claim, Delivered, Outcome, settle
from dispatch_domain.ports import Clock, EventSender, SubscriberRepository


@attrs.define
class Deliverer:
    """One round delivers to every due subscriber at once, each one's events in order.

    A subscriber's events go one after the other and stop at the first failure, so a
    subscriber never sees an event before the ones recorded ahead of it. The claim lasts
    `lease`: a Core killed mid-round leaves the events to be delivered again (at least once).
    """

    subscribers: SubscriberRepository
    sender: EventSender
    clock: Clock
    lease: timedelta = timedelta(minutes=2)
    batch: int = 20

    async def run_round(self) -> int:
        """Deliver what is due; the number of events delivered."""
        now = self.clock.now()
        claims = await self.subscribers.claim(now, now + self.lease, self.batch)
        if not claims:
            return 0
        outcomes = await asyncio.gather(*(self._deliver(claim) for claim in claims))
        done = self.clock.now()
        settlements = [
            settle(claim, sent, done) for claim, sent in zip(claims, outcomes, strict=True)
        ]
        await self.subscribers.settle(settlements)
        return sum(_delivered(sent) for sent in outcomes)

    async def _deliver(self, claim: Claim) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for event in claim.events:
            outcome = await self.sender.send(claim.subscriber, event)
            outcomes.append(outcome)
            if not isinstance(outcome, Delivered):
                break
        return outcomes


def _delivered(outcomes: list[Outcome]) -> int:
    return sum(isinstance(outcome, Delivered) for outcome in outcomes)
