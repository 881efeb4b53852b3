"""An in-memory download client implementing DownloadBackend, for tests of what drives one."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

from dispatch_domain.answers import Accepted, AddRequest, AddResult, Rejected, RemoteStatus
from dispatch_domain.backend import BackendError, BackendHealth
from dispatch_domain.infohash import InfoHash, InvalidInfoHash
from dispatch_domain.vocabulary import DownloadType, RemoteState

_CLIMBS = re.compile(r"(^|[\\/])\.\.([\\/]|$)")
_ABSOLUTE = re.compile(r"^([\\/]|[A-Za-z]:)")


@attrs.define
class FakeDownload:
    """One download the fake holds; tests steer it with the FakeBackend's methods."""

    hash: str
    url: str
    save_path: str | None
    state: RemoteState = RemoteState.DOWNLOADING
    progress: float = 0.0
    size: int = 0
    reason: str | None = None
    download_speed: int = 0  # bytes per second
    peers: int = 0
    seeds: int = 0
    has_metadata: bool = True

    def status(self, asked: str) -> RemoteStatus:
        downloaded = int(self.progress * self.size) if self.size else None
        left = self.size - downloaded if downloaded is not None else None
        return RemoteStatus(
            remote_id=asked,
            state=self.state,
            progress=self.progress,
            size=self.size,
            name=self.hash,
            save_path=self.save_path,
            reason=self.reason,
            downloaded=downloaded,
            download_speed=self.download_speed,
            eta=left // self.download_speed if left is not None and self.download_speed else None,
            peers=self.peers,
            seeds=self.seeds,
            client_state=self.state.value,
            has_metadata=self.has_metadata,
        )


@attrs.define
class FakeBackend:
    """A download client in memory: magnets and registered .torrent URLs, statuses tests can steer.

    Like a real client it keys downloads by info-hash (a repeated add is accepted with the
    same hash), rejects save paths that leave `download_root` (an absolute one must lie
    under it), and answers NOT_FOUND for
    hashes it does not hold. `go_down` makes every call raise BackendError, as an
    unreachable client does. `calls` records each operation, so tests can count batches.
    """

    types: frozenset[DownloadType] = frozenset({DownloadType.MAGNET, DownloadType.TORRENT})
    download_root: str = "/downloads"
    downloads: dict[str, FakeDownload] = attrs.field(factory=dict)
    calls: list[str] = attrs.field(factory=list)
    _torrent_urls: dict[str, InfoHash] = attrs.field(factory=dict)
    _refusals: dict[str, str] = attrs.field(factory=dict)
    _down: str | None = None

    @property
    def supported_types(self) -> frozenset[DownloadType]:
        return self.types

    def serve_torrent(self, url: str, info_hash: str) -> None:
        """Make `url` behave as a .torrent file whose info-hash is `info_hash`."""
        self._torrent_urls[url] = InfoHash.parse(info_hash)

    def refuse(self, url: str, reason: str) -> None:
        """Reject `url` with `reason` from now on."""
        self._refusals[url] = reason

    def go_down(self, reason: str = "the download client is unreachable") -> None:
        self._down = reason

    def come_back(self) -> None:
        self._down = None

    def set_progress(self, remote_id: str, progress: float, *, size: int | None = None) -> None:
        download = self._get(remote_id)
        download.progress = progress
        download.size = download.size if size is None else size
        if progress >= 1.0:
            download.state = RemoteState.COMPLETED

    def set_transfer(
        self,
        remote_id: str,
        *,
        speed: int = 0,
        peers: int = 0,
        seeds: int = 0,
        has_metadata: bool = True,
    ) -> None:
        """How fast it goes, with how many peers and seeds, and whether its metadata came."""
        download = self._get(remote_id)
        download.download_speed, download.peers, download.seeds = speed, peers, seeds
        download.has_metadata = has_metadata

    def fail(self, remote_id: str, reason: str) -> None:
        download = self._get(remote_id)
        download.state, download.reason = RemoteState.ERROR, reason

    async def add(self, items: Sequence[AddRequest]) -> Mapping[str, AddResult]:
        self._enter("add")
        return {item.url: self._add_one(item) for item in items}

    async def statuses(self, remote_ids: Sequence[str]) -> Sequence[RemoteStatus]:
        self._enter("statuses")
        found: list[RemoteStatus] = []
        for asked in dict.fromkeys(i.strip().lower() for i in remote_ids):
            download = self._find(asked)
            if download is None:
                found.append(RemoteStatus(remote_id=asked, state=RemoteState.NOT_FOUND))
            else:
                found.append(download.status(asked))
        return found

    async def cancel(self, remote_ids: Sequence[str]) -> Mapping[str, bool]:
        self._enter("cancel")
        return {i.strip().lower(): self._remove(i) for i in remote_ids}

    async def pause(self, remote_id: str) -> bool:
        return self._steer("pause", remote_id, RemoteState.PAUSED)

    async def resume(self, remote_id: str) -> bool:
        return self._steer("resume", remote_id, RemoteState.DOWNLOADING)

    async def delete(self, remote_id: str, *, delete_files: bool) -> bool:
        self._enter("delete")
        return self._remove(remote_id)

    async def health(self) -> BackendHealth:
        self.calls.append("health")
        if self._down is not None:
            return BackendHealth(reachable=False, logged_in=False, reason=self._down)
        return BackendHealth(reachable=True, logged_in=True, version="fake")

    def _add_one(self, item: AddRequest) -> AddResult:
        if item.url in self._refusals:
            return Rejected(self._refusals[item.url])
        if item.save_path and not self._under_root(item.save_path.strip()):
            return Rejected(f"save_path {item.save_path!r} must stay under the download root")
        info_hash = self._torrent_urls.get(item.url)
        if info_hash is None:
            try:
                info_hash = InfoHash.from_magnet(item.url)
            except InvalidInfoHash:
                return Rejected("neither a magnet link nor a .torrent URL this client can fetch")
        key = info_hash.torrent_id
        self.downloads.setdefault(key, FakeDownload(key, item.url, item.save_path))
        return Accepted(info_hash.hex)

    def _under_root(self, save_path: str) -> bool:
        if _CLIMBS.search(save_path):
            return False
        if not _ABSOLUTE.match(save_path):
            return True
        root = self.download_root.rstrip("/")
        return save_path.rstrip("/") == root or save_path.startswith(root + "/")

    def _steer(self, operation: str, remote_id: str, state: RemoteState) -> bool:
        self._enter(operation)
        download = self._find(remote_id)
        if download is None:
            return False
        if download.state in (RemoteState.DOWNLOADING, RemoteState.PAUSED):
            download.state = state
        return True

    def _remove(self, remote_id: str) -> bool:
        download = self._find(remote_id)
        if download is not None:
            del self.downloads[download.hash]
        return download is not None

    def _find(self, remote_id: str) -> FakeDownload | None:
        try:
            key = InfoHash.parse(remote_id).torrent_id
        except InvalidInfoHash:
            return None
        return self.downloads.get(key)

    def _get(self, remote_id: str) -> FakeDownload:
        download = self._find(remote_id)
        if download is None:
            raise KeyError(f"the fake holds no download {remote_id!r}")
        return download

    def _enter(self, operation: str) -> None:
        self.calls.append(operation)
        if self._down is not None:
            raise BackendError(self._down)
