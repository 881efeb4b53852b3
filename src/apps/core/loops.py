"""Background loops: the dispatcher (woken by new work, sweeping on an interval) and the poller."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import attrs

from apps.problems import describe, log_failure
from dispatch_domain.cascade import LinkToPlace
from dispatch_domain.services.dispatch import Dispatcher
from dispatch_domain.services.polling import Poller
from dispatch_domain.vocabulary import DownloadStatus

log = logging.getLogger(__name__)

# Told of each round: how long it took (seconds) and whether it failed; metrics listen here.
RoundObserver = Callable[[float, bool], None]
# Waits for an event at most so many seconds and says whether it was set; tests pass a fake.
Waiter = Callable[[asyncio.Event, float], Awaitable[bool]]


def _unobserved(seconds: float, failed: bool) -> None:
    return None


@attrs.define
class LoopState:
    """What a loop last did, shown by GET /health so a failing loop is never silent."""

    name: str
    rounds: int = 0
    last_round_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    observe: RoundObserver = _unobserved

    async def record(self, work: Awaitable[Counter[DownloadStatus]]) -> Counter[DownloadStatus]:
        """Run one round of the loop's work: log and keep its outcome, or its error."""
        started = time.perf_counter()
        try:
            done = await work
        except Exception as error:  # recorded and shown; the loop must go on
            self.observe(time.perf_counter() - started, True)
            self.last_error = describe(error)
            log_failure(log, self.name, error)
            self.last_error_at = datetime.now(UTC)
            return Counter()
        self.observe(time.perf_counter() - started, False)
        self.rounds += 1
        self.last_round_at = datetime.now(UTC)
        if done:
            log.info("%s: %s", self.name, ", ".join(f"{k}={v}" for k, v in sorted(done.items())))
        return done


@attrs.define
class DispatchLoop:
    """Dispatches a fetcher's fresh downloads at once (`dispatch_claimed`), and runs rounds
    when woken and every `sweep_interval` seconds for the rest: back-off expiry, retries,
    released parked links, and work a crashed Core had claimed."""

    dispatcher: Dispatcher
    sweep_interval: float = 5.0
    poll_loop: PollLoop | None = None  # nudged when downloads were placed
    observe: RoundObserver = _unobserved
    wait: Waiter = attrs.field(default=None, converter=lambda w: w or _wait)
    state: LoopState = attrs.Factory(lambda: LoopState("dispatch round"))
    _wake: asyncio.Event = attrs.Factory(asyncio.Event)
    _stopped: asyncio.Event = attrs.Factory(asyncio.Event)
    _in_flight: set[asyncio.Task[None]] = attrs.Factory(set)

    def __attrs_post_init__(self) -> None:
        self.state.observe = self.observe

    def wake(self) -> None:
        self._wake.set()

    async def dispatch_claimed(self, links: Sequence[LinkToPlace], timeout: float) -> bool:
        """Dispatch downloads the caller claimed; True if done within `timeout` seconds. The
        dispatch goes on in the background if not, and a crash leaves them to the sweep."""
        task = asyncio.create_task(self._placed(self.dispatcher.dispatch(links)))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            return False
        return True

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            await self.wait(self._wake, self.sweep_interval)  # woken, or a sweep is due
            self._wake.clear()
            if self._stopped.is_set():
                break
            await self.round()
        await asyncio.gather(*self._in_flight)

    async def round(self) -> None:
        await self._placed(self.dispatcher.drain())

    async def _placed(self, work: Awaitable[Counter[DownloadStatus]]) -> None:
        done = await self.state.record(work)
        if done[DownloadStatus.DOWNLOADING] and self.poll_loop is not None:
            self.poll_loop.nudge()


@attrs.define
class PollLoop:
    """Polls every `interval` seconds while downloads are being followed, stretched so that
    polling takes at most `busy_share` of the time (a cycle of 2 s waits 18 s after it);
    every `idle_interval` seconds when none are; and `soon` seconds after a nudge from the
    dispatcher, which has just placed downloads."""

    poller: Poller
    interval: float = 5.0
    idle_interval: float = 60.0
    soon: float = 5.0
    busy_share: float = 0.1
    observe: RoundObserver = _unobserved
    wait: Waiter = attrs.field(default=None, converter=lambda w: w or _wait)
    monotonic: Callable[[], float] = time.monotonic
    state: LoopState = attrs.Factory(lambda: LoopState("poll cycle"))
    _nudged: asyncio.Event = attrs.Factory(asyncio.Event)
    _stopped: asyncio.Event = attrs.Factory(asyncio.Event)

    def __attrs_post_init__(self) -> None:
        self.state.observe = self.observe

    def nudge(self) -> None:
        self._nudged.set()

    def stop(self) -> None:
        self._stopped.set()
        self._nudged.set()

    def pause_after(self, took: float, following: int) -> float:
        """Seconds to wait after a cycle that took `took` seconds and asked about `following`
        downloads."""
        if not following:
            return self.idle_interval
        return max(self.interval, took * (1 - self.busy_share) / self.busy_share)

    async def run(self) -> None:
        pause = self.interval
        while not self._stopped.is_set():
            if await self.wait(self._nudged, pause):
                await self.wait(self._stopped, self.soon)  # let the downloader start first
            self._nudged.clear()
            if self._stopped.is_set():
                return
            started = self.monotonic()
            await self.cycle()
            pause = self.pause_after(self.monotonic() - started, self.poller.following)

    async def cycle(self) -> None:
        await self.state.record(self.poller.poll_cycle())


async def _wait(event: asyncio.Event, timeout: float) -> bool:
    """Wait for `event` at most `timeout` seconds; whether it was set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
    return event.is_set()
