"""A downloader gateway over scripted in-memory downloader services."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import attrs

from dispatch_domain.answers import (
    Accepted,
    AddRequest,
    AddResult,
    Answered,
    CancelReport,
    Rejected,
    RemoteStatus,
    StatusReport,
    Unreachable,
)
from dispatch_domain.cascade import Downloader
from dispatch_domain.infohash import InfoHash, InvalidInfoHash
from dispatch_domain.vocabulary import RemoteState


def fake_hash(url: str) -> str:
    """The hash a fake downloader gives a URL: the magnet's own, else one derived from the URL."""
    try:
        return InfoHash.from_magnet(url).hex
    except InvalidInfoHash:
        return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()


@attrs.define
class FakeDownloaderService:
    """One downloader service: accepts what `decide` allows, or is down."""

    decide: Callable[[AddRequest], AddResult] = lambda item: Accepted(fake_hash(item.url))
    down: bool = False
    torrents: dict[str, RemoteStatus] = attrs.Factory(dict)

    def add(self, items: Sequence[AddRequest]) -> dict[str, AddResult]:
        results = {item.url: self.decide(item) for item in items}
        for result in results.values():
            if isinstance(result, Accepted) and result.hash:
                self.torrents.setdefault(
                    result.hash, RemoteStatus(result.hash, RemoteState.DOWNLOADING)
                )
        return results

    def report(self, torrent_hash: str, state: RemoteState, **fields: object) -> None:
        """Make the client report `state` for a hash (as a real download would progress)."""
        self.torrents[torrent_hash] = RemoteStatus(torrent_hash, state, **fields)  # type: ignore[arg-type]


def rejecting(reason: str) -> Callable[[AddRequest], AddResult]:
    return lambda item: Rejected(reason)


@attrs.define
class FakeGateway:
    """Routes each call to the fake service registered under the downloader's name."""

    services: dict[str, FakeDownloaderService] = attrs.Factory(dict)
    calls: list[tuple[str, tuple[str, ...]]] = attrs.Factory(list)

    def add_service(
        self, name: str, service: FakeDownloaderService | None = None
    ) -> FakeDownloaderService:
        self.services[name] = service or FakeDownloaderService()
        return self.services[name]

    def _service(self, downloader: Downloader) -> FakeDownloaderService | None:
        service = self.services.get(downloader.name)
        return None if service is None or service.down else service

    async def submit(
        self, downloader: Downloader, items: Sequence[AddRequest]
    ) -> Answered | Unreachable:
        self.calls.append((downloader.name, tuple(item.url for item in items)))
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        return Answered(service.add(items))

    async def statuses(
        self, downloader: Downloader, hashes: Sequence[str]
    ) -> StatusReport | Unreachable:
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        return StatusReport({h: service.torrents[h] for h in hashes if h in service.torrents})

    async def cancel(
        self, downloader: Downloader, hashes: Sequence[str]
    ) -> CancelReport | Unreachable:
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        return CancelReport({h: service.torrents.pop(h, None) is not None for h in hashes})

    async def pause(self, downloader: Downloader, torrent_hash: str) -> bool | Unreachable:
        return self._set_state(downloader, torrent_hash, RemoteState.PAUSED)

    async def resume(self, downloader: Downloader, torrent_hash: str) -> bool | Unreachable:
        return self._set_state(downloader, torrent_hash, RemoteState.DOWNLOADING)

    def _set_state(
        self, downloader: Downloader, torrent_hash: str, state: RemoteState
    ) -> bool | Unreachable:
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        if torrent_hash not in service.torrents:
            return False
        service.torrents[torrent_hash] = attrs.evolve(service.torrents[torrent_hash], state=state)
        return True
