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
    BatchRefused,
    CancelReport,
    Rejected,
    RemoteStatus,
    StatusReport,
    SubmitAnswer,
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
    """One downloader service: accepts what `decide` allows, or is down. A batch holding one
    of the `poison` URLs is refused as a whole, as a service failing on one item would."""

    decide: Callable[[AddRequest], AddResult] = lambda item: Accepted(fake_hash(item.url))
    down: bool = False
    torrents: dict[str, RemoteStatus] = attrs.Factory(dict)
    poison: dict[str, str] = attrs.Factory(dict)  # url -> the error the whole batch gets
    cancel_failures: dict[str, str] = attrs.Factory(dict)  # remote id -> why it stays

    def add(self, items: Sequence[AddRequest]) -> dict[str, AddResult]:
        results = {item.url: self.decide(item) for item in items}
        for result in results.values():
            if isinstance(result, Accepted) and result.remote_id:
                self.torrents.setdefault(
                    result.remote_id, RemoteStatus(result.remote_id, RemoteState.DOWNLOADING)
                )
        return results

    def report(self, remote_id: str, state: RemoteState, **fields: object) -> None:
        """Make the client report `state` for a remote id (as a real download would progress)."""
        self.torrents[remote_id] = RemoteStatus(remote_id, state, **fields)  # type: ignore[arg-type]


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

    async def submit(self, downloader: Downloader, items: Sequence[AddRequest]) -> SubmitAnswer:
        self.calls.append((downloader.name, tuple(item.url for item in items)))
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        poisoned = [service.poison[i.url] for i in items if i.url in service.poison]
        if poisoned:
            return BatchRefused(poisoned[0])
        return Answered(service.add(items))

    async def statuses(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> StatusReport | Unreachable:
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        found = {i: service.torrents[i] for i in remote_ids if i in service.torrents}
        return StatusReport(found)

    async def cancel(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> CancelReport | Unreachable:
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        failed = {i: service.cancel_failures[i] for i in remote_ids if i in service.cancel_failures}
        cancelled = {
            i: service.torrents.pop(i, None) is not None for i in remote_ids if i not in failed
        }
        return CancelReport(cancelled, failed)

    async def pause(self, downloader: Downloader, remote_id: str) -> bool | Unreachable:
        return self._set_state(downloader, remote_id, RemoteState.PAUSED)

    async def resume(self, downloader: Downloader, remote_id: str) -> bool | Unreachable:
        return self._set_state(downloader, remote_id, RemoteState.DOWNLOADING)

    def _set_state(
        self, downloader: Downloader, remote_id: str, state: RemoteState
    ) -> bool | Unreachable:
        service = self._service(downloader)
        if service is None:
            return Unreachable("connection refused")
        if remote_id not in service.torrents:
            return False
        service.torrents[remote_id] = attrs.evolve(service.torrents[remote_id], state=state)
        return True
