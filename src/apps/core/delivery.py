"""The delivery loop: events out to webhooks and notification targets, and old events pruned."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from datetime import timedelta

import attrs

from apps.core.loops import LoopState, RoundObserver, _unobserved
from dispatch_domain.ports import Clock, EventLog
from dispatch_domain.services.delivery import Deliverer

log = logging.getLogger(__name__)


@attrs.define
class DeliveryLoop:
    """Runs a delivery round every `interval` seconds, at once again while rounds deliver, and
    prunes events older than `retention` every `prune_every` seconds."""

    deliverer: Deliverer
    events: EventLog
    clock: Clock
    interval: float = 1.0
    retention: timedelta = timedelta(days=30)
    prune_every: float = 3600.0
    observe: RoundObserver = _unobserved  # told of each delivery round (not of pruning)
    state: LoopState = attrs.Factory(lambda: LoopState("delivery round"))
    _stopped: asyncio.Event = attrs.Factory(asyncio.Event)
    _wake: asyncio.Event = attrs.Factory(asyncio.Event)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while not self._stopped.is_set():
            if loop.time() >= next_prune:
                await self.state.record(self._prune())
                next_prune = loop.time() + self.prune_every
            delivered = await self.round()
            if not delivered:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.interval)
                self._wake.clear()

    async def round(self) -> int:
        done = await self.state.record(self._deliver())
        return done["delivered"]

    async def _deliver(self) -> Counter[str]:
        started = time.perf_counter()
        try:
            delivered = await self.deliverer.run_round()
        except Exception:  # told, then recorded on the loop's state by LoopState.record
            self.observe(time.perf_counter() - started, True)
            raise
        self.observe(time.perf_counter() - started, False)
        return Counter({"delivered": delivered}) if delivered else Counter()

    async def _prune(self) -> Counter[str]:
        pruned = await self.events.prune(self.clock.now() - self.retention)
        return Counter({"events pruned": pruned}) if pruned else Counter()
