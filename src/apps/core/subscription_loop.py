"""The subscription loop: claims due subscriptions, fetches their feeds, wakes the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter

import attrs

from apps.core.loops import DispatchLoop, LoopState
from apps.problems import log_failure
from dispatch_domain.services.following import Follower
from dispatch_domain.subscriptions import Subscription

log = logging.getLogger(__name__)


@attrs.define
class SubscriptionLoop:
    """Every `interval` seconds (or when woken) fetches the subscriptions that are due, at
    most `parallel` at once. A failing feed is recorded on its subscription; an error of
    Core's own (the database) is logged and shown on the loop's state; the loop goes on."""

    follower: Follower
    dispatch_loop: DispatchLoop | None = None  # woken when a feed brought new links
    interval: float = 15.0
    parallel: int = 8
    state: LoopState = attrs.Factory(lambda: LoopState("subscription round"))
    _wake: asyncio.Event = attrs.Factory(asyncio.Event)
    _stopped: asyncio.Event = attrs.Factory(asyncio.Event)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            await self.state.record(self.round())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def round(self) -> Counter[str]:
        """Fetch every due subscription once; counts of fetches and links created."""
        done: Counter[str] = Counter()
        while due := await self.follower.claim_due():
            gate = asyncio.Semaphore(self.parallel)
            results = await asyncio.gather(*(self._follow(s, gate) for s in due))
            for result in results:
                done.update(result)
            if self._stopped.is_set():
                break
        if done["links_created"] and self.dispatch_loop is not None:
            self.dispatch_loop.wake()
        return done

    async def _follow(self, subscription: Subscription, gate: asyncio.Semaphore) -> Counter[str]:
        async with gate:
            try:
                followed = await self.follower.follow(subscription)
            except Exception as error:  # one subscription's trouble never stops the others
                log_failure(log, f"subscription {subscription.subscription_id}", error)
                return Counter(errors=1)
        counts = Counter(fetched=1, links_created=followed.record.links_created)
        if not followed.record.succeeded:
            counts["failed"] = 1
        return counts
