"""The dispatch and poll loops on a fake clock: when they run, and how often they ask."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import attrs

from apps.core.loops import DispatchLoop, PollLoop
from dispatch_domain import (
    Capabilities,
    Dispatcher,
    DownloadStatus,
    DownloadType,
    FetchedItem,
    FetcherReport,
    Registration,
    RemoteState,
    ServiceType,
    ingest_fetcher_results,
    register_service,
)
from dispatch_domain.answers import StatusReport, Unreachable
from dispatch_domain.cascade import Downloader
from dispatch_domain.services.polling import Poller
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore

S = DownloadStatus
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
HOUR = 3600.0


@attrs.define
class FakeTimer:
    """Stands in for waiting: a wait that nothing interrupts moves the fake clock on by its
    whole timeout. A wait that would end past `horizon` simulated seconds runs `at_horizon`
    instead (it stops the loop)."""

    clock: FakeClock
    horizon: float
    at_horizon: Callable[[], None] = lambda: None
    waits: list[float] = attrs.Factory(list)
    _start: datetime | None = None

    def monotonic(self) -> float:
        self._start = self._start or self.clock.now()
        return (self.clock.now() - self._start).total_seconds()

    async def __call__(self, event: asyncio.Event, timeout: float) -> bool:
        self.monotonic()
        if event.is_set():
            return True
        if self.monotonic() + timeout > self.horizon:
            self.at_horizon()
            return event.is_set()
        self.waits.append(timeout)
        self.clock.advance(timedelta(seconds=timeout))
        await asyncio.sleep(0)
        return event.is_set()


@attrs.define
class CountingGateway(FakeGateway):
    status_requests: int = 0

    async def statuses(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> StatusReport | Unreachable:
        self.status_requests += 1
        return await super().statuses(downloader, remote_ids)


class Core:
    """One Core on fakes, with a downloader qb, polling as the default settings say."""

    def __init__(self) -> None:
        self.store, self.clock, self.gateway = InMemoryStore(), FakeClock(), CountingGateway()
        self.qb = self.gateway.add_service("qb")
        self.dispatcher = Dispatcher(
            self.store.downloads, self.store.services, self.gateway, self.clock
        )
        self.poller = Poller(
            self.store.downloads,
            self.store.services,
            self.gateway,
            self.clock,
            claim_for=timedelta(seconds=4.5),
        )
        self.timer = FakeTimer(self.clock, HOUR)
        self.poll_loop = PollLoop(self.poller, wait=self.timer, monotonic=self.timer.monotonic)
        self.timer.at_horizon = self.poll_loop.stop

    async def register(self) -> None:
        registration = Registration(
            ServiceType.DOWNLOADER,
            "qb",
            "127.0.0.1",
            1,
            Capabilities(frozenset({DownloadType.MAGNET})),
        )  # type: ignore[arg-type]
        await register_service(registration, self.store.services, self.store.downloads, self.clock)

    async def place_one(self) -> int:
        item = FetchedItem(1, "Show - 01", f"magnet:?xt=urn:btih:{HASH}")
        result = await ingest_fetcher_results(
            FetcherReport("rss", items=(item,)), self.store.links, self.clock
        )
        await self.dispatcher.drain()
        return result.download_ids[0]


async def test_an_idle_downloader_is_asked_nothing_and_the_poll_loop_runs_once_a_minute() -> None:
    core = Core()
    await core.register()

    await core.poll_loop.run()

    assert core.poll_loop.state.rounds == 60  # an hour: polls at 5 s, 65 s, ... 3545 s
    assert core.timer.waits == [5.0] + [60.0] * 59
    assert core.gateway.status_requests == 0  # a downloader with nothing to follow: 0 per hour


async def test_a_downloader_with_an_active_download_is_asked_every_5_seconds() -> None:
    core = Core()
    await core.register()
    await core.place_one()
    core.qb.report(HASH, RemoteState.DOWNLOADING, progress=0.1)

    await core.poll_loop.run()

    assert core.gateway.status_requests == 720  # an hour at one request every 5 s
    assert set(core.timer.waits) == {5.0}


async def test_once_the_last_download_completes_the_loop_falls_back_to_once_a_minute() -> None:
    core = Core()
    await core.register()
    download_id = await core.place_one()
    core.qb.report(HASH, RemoteState.DOWNLOADING, progress=0.1)
    core.timer.horizon = 12.0  # two busy cycles, at 5 s and 10 s
    await core.poll_loop.run()
    core.qb.report(HASH, RemoteState.COMPLETED, progress=1.0)
    core.timer.horizon = 200.0
    core.poll_loop = PollLoop(core.poller, wait=core.timer, monotonic=core.timer.monotonic)
    core.timer.at_horizon = core.poll_loop.stop

    await core.poll_loop.run()

    assert (await core.store.downloads.get(download_id)).status is S.COMPLETED
    assert core.timer.waits == [5.0, 5.0, 5.0, 5.0, 60.0, 60.0, 60.0]
    assert core.gateway.status_requests == 3  # the last one saw the completion


@attrs.define
class SlowPoller:
    """A poll cycle that takes `takes` seconds of the fake clock and follows one download."""

    clock: FakeClock
    takes: float
    following: int = 1

    async def poll_cycle(self) -> Counter[DownloadStatus]:
        self.clock.advance(timedelta(seconds=self.takes))
        return Counter()


async def test_a_slow_cycle_stretches_the_interval_so_polling_takes_a_tenth_of_the_time() -> None:
    clock = FakeClock()
    timer = FakeTimer(clock, horizon=100.0)
    poller = SlowPoller(clock, takes=2.0)
    loop = PollLoop(poller, wait=timer, monotonic=timer.monotonic)  # type: ignore[arg-type]
    timer.at_horizon = loop.stop

    await loop.run()

    assert timer.waits == [5.0, 18.0, 18.0, 18.0, 18.0]  # 2 s polling in every 20 s
    assert loop.state.rounds == 5


def test_the_pause_after_a_cycle() -> None:
    loop = PollLoop(SlowPoller(FakeClock(), 0.0))  # type: ignore[arg-type]
    assert loop.pause_after(0.1, following=3) == 5.0
    assert loop.pause_after(1.0, following=3) == 9.0
    assert loop.pause_after(3.0, following=3) == 27.0
    assert loop.pause_after(3.0, following=0) == 60.0


async def test_a_nudge_polls_soon_after_the_dispatcher_placed_downloads() -> None:
    core = Core()
    await core.register()
    dispatch_timer = FakeTimer(core.clock, horizon=1.0)
    dispatch_loop = DispatchLoop(core.dispatcher, poll_loop=core.poll_loop, wait=dispatch_timer)
    dispatch_timer.at_horizon = dispatch_loop.stop
    item = FetchedItem(1, "Show - 01", f"magnet:?xt=urn:btih:{HASH}")
    await ingest_fetcher_results(FetcherReport("rss", items=(item,)), core.store.links, core.clock)
    dispatch_loop.wake()

    await dispatch_loop.run()  # one round places the download, then the loop is stopped
    core.qb.report(HASH, RemoteState.DOWNLOADING, progress=0.2)
    core.timer.horizon = 6.0
    await core.poll_loop.run()

    assert core.timer.waits == [5.0]  # woken at once by the nudge, then 5 s for the client
    assert core.gateway.status_requests == 1
    assert core.poll_loop.state.rounds == 1


async def test_the_dispatch_loop_sweeps_every_sweep_interval_and_at_once_when_woken() -> None:
    core = Core()
    await core.register()
    timer = FakeTimer(core.clock, horizon=20.0)
    loop = DispatchLoop(core.dispatcher, sweep_interval=5.0, wait=timer)
    timer.at_horizon = loop.stop
    loop.wake()

    await loop.run()

    assert timer.waits == [5.0, 5.0, 5.0, 5.0]  # woken at 0 s, then sweeps at 5, 10, 15, 20 s
    assert loop.state.rounds == 5


@attrs.define
class BrokenDispatcher:
    rounds: int = 0

    async def drain(self) -> Counter[DownloadStatus]:
        self.rounds += 1
        if self.rounds == 1:
            raise ConnectionError("the database went away")
        return Counter({S.DOWNLOADING: 1})


async def test_a_failing_dispatch_round_is_recorded_and_the_loop_goes_on() -> None:
    clock = FakeClock()
    timer = FakeTimer(clock, horizon=10.0)
    dispatcher = BrokenDispatcher()
    loop = DispatchLoop(dispatcher, sweep_interval=5.0, wait=timer)  # type: ignore[arg-type]
    timer.at_horizon = loop.stop

    await loop.run()

    assert dispatcher.rounds == 2
    assert loop.state.rounds == 1
    assert loop.state.last_error == "ConnectionError: the database went away"


async def test_a_downloader_in_back_off_is_asked_again_soon_after_it_ends_not_a_minute_later() -> (
    None
):
    core = Core()
    await core.register()
    download_id = await core.place_one()
    core.qb.down = True
    core.timer.horizon = 70.0

    await core.poll_loop.run()

    assert (await core.store.downloads.get(download_id)).status is S.DOWNLOADER_ERROR
    assert set(core.timer.waits) == {5.0}  # never the idle minute: it still has a download
    assert core.gateway.status_requests == 2  # at 5 s, and at 65 s when the minute's back-off ends
