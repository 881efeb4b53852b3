"""The DownloadBackend port over qBittorrent: verified batch adds, statuses and controls."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from adapters.bittorrent import Planner, TorrentFetcher
from adapters.qbittorrent import adding
from adapters.qbittorrent.client import QBittorrentClient
from adapters.qbittorrent.session import LoginRefused
from adapters.qbittorrent.states import StatusMemory, remote_status
from adapters.redact import redact_url
from dispatch_domain import (
    Accepted,
    AddRequest,
    AddResult,
    BackendError,
    BackendHealth,
    DownloadType,
    InfoHash,
    InvalidInfoHash,
    Rejected,
    RemoteState,
    RemoteStatus,
)

log = logging.getLogger(__name__)

# Pauses before asking again for torrents qBittorrent has not registered yet (seconds).
CONFIRM_WAITS = (0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


class QBittorrentBackend:
    """A qBittorrent instance seen through the downloader port; results keyed by URL or hash."""

    def __init__(
        self,
        client: QBittorrentClient,
        fetcher: TorrentFetcher,
        *,
        download_root: str | None = None,
        confirm_waits: Sequence[float] = CONFIRM_WAITS,
        fetch_concurrency: int = 8,
    ) -> None:
        self._client = client
        self._download_root = download_root
        self._confirm_waits = tuple(confirm_waits)
        self._planner = Planner(fetcher, self._root, download_root, fetch_concurrency)
        self._memory = StatusMemory()

    @property
    def supported_types(self) -> frozenset[DownloadType]:
        return frozenset({DownloadType.MAGNET, DownloadType.TORRENT})

    async def add(self, items: Sequence[AddRequest]) -> Mapping[str, AddResult]:
        prepared = await self._planner.prepare(items)
        results: dict[str, AddResult] = dict(prepared.rejected)
        if prepared.planned:
            planned = prepared.planned
            answers = await adding.send(self._client, planned)
            results |= await adding.confirm(self._client, planned, answers, self._confirm_waits)
        self._log_outcome(results)
        return {url: results[url] for url in prepared.urls}

    async def statuses(self, hashes: Sequence[str]) -> Sequence[RemoteStatus]:
        wanted = _client_ids(hashes)
        rows = await self._client.torrents(list(dict.fromkeys(wanted.values())))
        by_id = {str(row.get("hash", "")).lower(): row for row in rows}
        found: list[RemoteStatus] = []
        for asked in dict.fromkeys(h.strip().lower() for h in hashes):
            row = by_id.get(wanted.get(asked, ""))
            if row is None:
                self._memory.forget(asked)
                found.append(RemoteStatus(remote_id=asked, state=RemoteState.NOT_FOUND))
            else:
                found.append(remote_status(asked, row, self._memory))
        return found

    async def cancel(self, hashes: Sequence[str]) -> Mapping[str, bool]:
        known = await self._known(hashes)
        await self._client.delete(list(dict.fromkeys(known.values())), delete_files=False)
        return {h.strip().lower(): h.strip().lower() in known for h in hashes}

    async def pause(self, remote_id: str) -> bool:
        known = await self._known([remote_id])
        if known:
            await self._client.pause(list(known.values()))
        return bool(known)

    async def resume(self, remote_id: str) -> bool:
        known = await self._known([remote_id])
        if known:
            await self._client.resume(list(known.values()))
        return bool(known)

    async def delete(self, remote_id: str, *, delete_files: bool) -> bool:
        known = await self._known([remote_id])
        if known:
            await self._client.delete(list(known.values()), delete_files=delete_files)
        return bool(known)

    async def health(self) -> BackendHealth:
        gate = self._client.gate
        try:
            version = await self._client.app_version()
        except LoginRefused as error:
            return BackendHealth(reachable=True, logged_in=False, reason=str(error))
        except BackendError as error:
            return BackendHealth(reachable=False, logged_in=gate.logged_in, reason=str(error))
        return BackendHealth(reachable=True, logged_in=True, version=version)

    def _log_outcome(self, results: Mapping[str, AddResult]) -> None:
        taken = sum(isinstance(result, Accepted) for result in results.values())
        log.info("qBittorrent took %d of %d links", taken, len(results))
        for url, result in results.items():
            if isinstance(result, Rejected):
                log.info("rejected %s: %s", redact_url(url), result.reason)

    async def _known(self, hashes: Sequence[str]) -> dict[str, str]:
        """The asked hashes qBittorrent has, each mapped to qBittorrent's id for it."""
        wanted = _client_ids(hashes)
        rows = await self._client.torrents(list(dict.fromkeys(wanted.values())))
        present = {str(row.get("hash", "")).lower() for row in rows}
        return {asked: cid for asked, cid in wanted.items() if cid in present}

    async def _root(self) -> str:
        return self._download_root or await self._client.default_save_path()


def _client_ids(hashes: Sequence[str]) -> dict[str, str]:
    """Each well-formed asked hash (lowercased) → the 40-digit id qBittorrent knows it by."""
    ids: dict[str, str] = {}
    for asked in hashes:
        key = asked.strip().lower()
        try:
            ids[key] = InfoHash.parse(key).torrent_id
        except InvalidInfoHash:
            continue  # not a hash at all: qBittorrent cannot know it
    return ids
