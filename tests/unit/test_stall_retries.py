"""After a stall: a new attempt only where another downloader can take the link, removal
trouble said out loud, and a concurrent cancel beating the stall."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import attrs
import pytest

from dispatch_domain import (
    Capabilities,
    Dispatcher,
    DownloadFilter,
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
from dispatch_domain.answers import CancelReport, StatusReport, Unreachable
from dispatch_domain.cascade import Downloader
from dispatch_domain.events import EventType
from dispatch_domain.services.operations import cancel_downloads
from dispatch_domain.services.polling import Poller
from dispatch_domain.stalls import StallRule
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore

S = DownloadStatus
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
RULE = StallRule(stall_after=timedelta(hours=6), metadata_within=None)
MAGNET_ONLY = frozenset({DownloadType.MAGNET})
TORRENT_ONLY = frozenset({DownloadType.TORRENT})


class Core:
    """Core on fakes with the given downloaders (name, the types they take, priority)."""

    def __init__(self, gateway: FakeGateway | None = None) -> None:
        self.store, self.clock = InMemoryStore(), FakeClock()
        self.gateway = gateway or FakeGateway()
        self.dispatcher = Dispatcher(
            self.store.downloads, self.store.services, self.gateway, self.clock
        )
        self.poller = Poller(
            self.store.downloads, self.store.services, self.gateway, self.clock, stalls=RULE
        )

    async def with_downloaders(self, *specs: tuple[str, frozenset[DownloadType], int]) -> None:
        for name, types, priority in specs:
            self.gateway.add_service(name)
            registration = Registration(
                ServiceType.DOWNLOADER, name, "127.0.0.1", 1, Capabilities(types), priority=priority
            )  # type: ignore[arg-type]
            await register_service(
                registration, self.store.services, self.store.downloads, self.clock
            )

    async def place(self) -> int:
        item = FetchedItem(0, "Show - 01", f"magnet:?xt=urn:btih:{HASH}")
        result = await ingest_fetcher_results(
            FetcherReport("rss", items=(item,)), self.store.links, self.clock
        )
        await self.dispatcher.drain()
        return result.download_ids[0]

    async def stall_everywhere(self, hours: int = 8) -> None:
        """Every client reports the download stuck at 12 %, polled hourly; dispatch follows."""
        for _ in range(hours):
            for service in self.gateway.services.values():
                if HASH in service.torrents:
                    service.report(HASH, RemoteState.DOWNLOADING, progress=0.12, downloaded=120)
            await self.poller.poll_cycle()
            await self.dispatcher.drain()
            self.clock.advance(timedelta(hours=1))

    async def attempts(self) -> list[tuple[S, str | None, str | None]]:
        page = await self.store.downloads.find(DownloadFilter())
        ordered = sorted(page.items, key=lambda v: v.download_id)
        return [(v.status, v.downloader, v.reason) for v in ordered]


STALLED_QB = (S.FAILED, "qbittorrent", "stalled: no progress for 6 h at qbittorrent (last 12 %)")
STALLED_TR = (S.FAILED, "transmission", "stalled: no progress for 6 h at transmission (last 12 %)")


async def test_with_no_other_downloader_a_stalled_download_stays_failed() -> None:
    core = Core()
    await core.with_downloaders(("qbittorrent", MAGNET_ONLY, 50))
    await core.place()

    await core.stall_everywhere()

    assert await core.attempts() == [STALLED_QB]


async def test_a_downloader_that_cannot_take_the_links_type_gets_no_new_attempt() -> None:
    core = Core()
    await core.with_downloaders(("qbittorrent", MAGNET_ONLY, 90), ("aria2", TORRENT_ONLY, 10))
    await core.place()

    await core.stall_everywhere()

    assert await core.attempts() == [STALLED_QB]


async def test_once_it_stalled_at_every_capable_downloader_no_attempt_follows() -> None:
    core = Core()
    await core.with_downloaders(("qbittorrent", MAGNET_ONLY, 90), ("transmission", MAGNET_ONLY, 10))
    await core.place()

    await core.stall_everywhere(hours=16)  # MAX_ATTEMPTS 3 would allow a third attempt

    assert await core.attempts() == [STALLED_QB, STALLED_TR]


@attrs.define
class RemovalFails(FakeGateway):
    """A client that answers status polls but cannot be reached to remove anything."""

    async def cancel(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> CancelReport | Unreachable:
        return Unreachable("connection refused")


async def test_a_client_unreachable_for_the_removal_is_logged_naming_the_download(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = Core(RemovalFails())
    await core.with_downloaders(("qbittorrent", MAGNET_ONLY, 50))
    download_id = await core.place()

    with caplog.at_level(logging.WARNING):
        await core.stall_everywhere()

    assert await core.attempts() == [STALLED_QB]
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "WARNING",
            f"stalled download {download_id} ({HASH}) could not be removed from qbittorrent: "
            "connection refused",
        )
    ]


@attrs.define
class CancelledMeanwhile(FakeGateway):
    """While Core waits for the status answer, the user cancels the download."""

    cancel_during_poll: Core | None = None

    async def statuses(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> StatusReport | Unreachable:
        report = await super().statuses(downloader, remote_ids)
        core = self.cancel_during_poll
        if core is not None and core.clock.now().hour == 6:  # the poll that finds the stall
            self.cancel_during_poll = None
            ids = [d.download_id for d in (await core.store.downloads.find(DownloadFilter())).items]
            await cancel_downloads(ids, core.store.downloads, core.store.services, self, core.clock)
        return report


async def test_a_cancel_during_the_poll_wins_and_the_stall_writes_nothing() -> None:
    gateway = CancelledMeanwhile()
    core = Core(gateway)
    await core.with_downloaders(("qbittorrent", MAGNET_ONLY, 90), ("transmission", MAGNET_ONLY, 10))
    download_id = await core.place()
    gateway.cancel_during_poll = core

    await core.stall_everywhere()

    (view,) = (await core.store.downloads.find(DownloadFilter())).items
    assert (view.download_id, view.status) == (download_id, S.CANCELLED)
    kinds = [e.type for e in core.store.state.events]
    assert EventType.DOWNLOAD_STALLED not in kinds
    assert EventType.DOWNLOAD_CANCELLED in kinds
    assert gateway.services["transmission"].torrents == {}
