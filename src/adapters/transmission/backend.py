"""The DownloadBackend port over Transmission: magnets and .torrent files, statuses, controls."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping, Sequence

from adapters.bittorrent import Planned, Planner, TorrentFetcher
from adapters.redact import redact_url
from adapters.transmission.rpc import TransmissionRefused, TransmissionRpc
from adapters.transmission.states import FIELDS, remote_status
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


class TransmissionBackend:
    """A Transmission daemon seen through the downloader port; results keyed by URL or hash.

    Transmission adds one torrent per `torrent-add`, so a batch costs one call per torrent
    (sent a few at a time); every other operation costs one call whatever the batch size.
    """

    def __init__(
        self,
        rpc: TransmissionRpc,
        fetcher: TorrentFetcher,
        *,
        download_root: str | None = None,
        add_concurrency: int = 8,
        fetch_concurrency: int = 8,
    ) -> None:
        self._rpc = rpc
        self._download_root = download_root
        self._add_slots = asyncio.Semaphore(add_concurrency)
        self._planner = Planner(fetcher, self._root, download_root, fetch_concurrency)
        self._default_dir: str | None = None

    @property
    def supported_types(self) -> frozenset[DownloadType]:
        return frozenset({DownloadType.MAGNET, DownloadType.TORRENT})

    async def add(self, items: Sequence[AddRequest]) -> Mapping[str, AddResult]:
        prepared = await self._planner.prepare(items)
        results: dict[str, AddResult] = dict(prepared.rejected)
        added = await asyncio.gather(*(self._add_one(p) for p in prepared.planned))
        results |= {p.url: result for p, result in zip(prepared.planned, added, strict=True)}
        taken = sum(isinstance(result, Accepted) for result in results.values())
        log.info("Transmission took %d of %d links", taken, len(results))
        for url, result in results.items():
            if isinstance(result, Rejected):
                log.info("rejected %s: %s", redact_url(url), result.reason)
        return {url: results[url] for url in prepared.urls}

    async def statuses(self, hashes: Sequence[str]) -> Sequence[RemoteStatus]:
        wanted = _client_ids(hashes)
        rows = await self._torrents(list(dict.fromkeys(wanted.values())))
        found: list[RemoteStatus] = []
        for asked in dict.fromkeys(h.strip().lower() for h in hashes):
            row = rows.get(wanted.get(asked, ""))
            if row is None:
                found.append(RemoteStatus(remote_id=asked, state=RemoteState.NOT_FOUND))
            else:
                found.append(remote_status(asked, row))
        return found

    async def cancel(self, hashes: Sequence[str]) -> Mapping[str, bool]:
        known = await self._known(hashes)
        await self._remove(list(dict.fromkeys(known.values())), delete_files=False)
        return {h.strip().lower(): h.strip().lower() in known for h in hashes}

    async def pause(self, remote_id: str) -> bool:
        return await self._control("torrent-stop", remote_id)

    async def resume(self, remote_id: str) -> bool:
        return await self._control("torrent-start", remote_id)

    async def delete(self, remote_id: str, *, delete_files: bool) -> bool:
        known = await self._known([remote_id])
        await self._remove(list(known.values()), delete_files=delete_files)
        return bool(known)

    async def health(self) -> BackendHealth:
        try:
            answer = await self._rpc.require("session-get", {"fields": ["version"]})
        except TransmissionRefused as error:
            return BackendHealth(reachable=True, logged_in=False, reason=str(error))
        except BackendError as error:
            return BackendHealth(reachable=False, logged_in=False, reason=str(error))
        version = answer.arguments.get("version")
        return BackendHealth(reachable=True, logged_in=True, version=str(version or "") or None)

    async def _add_one(self, planned: Planned) -> AddResult:
        arguments: dict[str, object] = {}
        if planned.torrent is not None:
            arguments["metainfo"] = base64.b64encode(planned.torrent).decode()
        else:
            arguments["filename"] = planned.magnet
        if planned.save_path is not None:
            arguments["download-dir"] = planned.save_path
        async with self._add_slots:
            answer = await self._rpc.call("torrent-add", arguments)
        if not answer.ok:
            return Rejected(f"Transmission did not add it: {answer.result}")
        # A torrent it already has is `torrent-duplicate`: accepted all the same.
        torrent = answer.arguments.get("torrent-added") or answer.arguments.get("torrent-duplicate")
        known_as = str(torrent.get("hashString", "")).lower() if isinstance(torrent, dict) else ""
        if known_as != planned.client_id:
            return Rejected(
                f"Transmission answered torrent-add without this torrent's hash ({known_as!r})"
            )
        return Accepted(planned.info_hash.hex)

    async def _control(self, method: str, remote_id: str) -> bool:
        known = await self._known([remote_id])
        if known:
            await self._rpc.require(method, {"ids": list(known.values())})
        return bool(known)

    async def _remove(self, ids: list[str], *, delete_files: bool) -> None:
        if not ids:
            return  # torrent-remove without ids would remove every torrent
        arguments = {"ids": ids, "delete-local-data": delete_files}
        await self._rpc.require("torrent-remove", arguments)

    async def _torrents(self, ids: list[str]) -> dict[str, Mapping[str, object]]:
        """torrent-get rows by hashString; unknown hashes are simply absent."""
        if not ids:
            return {}  # torrent-get without ids lists every torrent
        answer = await self._rpc.require("torrent-get", {"ids": ids, "fields": list(FIELDS)})
        rows = answer.arguments.get("torrents")
        if not isinstance(rows, list):
            raise BackendError(f"Transmission at {self._rpc.where} sent no torrent list")
        return {
            str(row.get("hashString", "")).lower(): row for row in rows if isinstance(row, dict)
        }

    async def _known(self, hashes: Sequence[str]) -> dict[str, str]:
        """The asked hashes Transmission has, each mapped to its hashString."""
        wanted = _client_ids(hashes)
        present = await self._torrents(list(dict.fromkeys(wanted.values())))
        return {asked: cid for asked, cid in wanted.items() if cid in present}

    async def _root(self) -> str:
        """Where relative save paths go: the configured root, else Transmission's download-dir."""
        if self._download_root is not None:
            return self._download_root
        if self._default_dir is None:
            answer = await self._rpc.require("session-get", {"fields": ["download-dir"]})
            folder = answer.arguments.get("download-dir")
            if not isinstance(folder, str) or not folder:
                raise BackendError(f"Transmission at {self._rpc.where} gave no download-dir")
            self._default_dir = folder
        return self._default_dir


def _client_ids(hashes: Sequence[str]) -> dict[str, str]:
    """Each well-formed asked hash (lowercased) → the 40-digit hashString Transmission shows."""
    ids: dict[str, str] = {}
    for asked in hashes:
        key = asked.strip().lower()
        try:
            ids[key] = InfoHash.parse(key).torrent_id
        except InvalidInfoHash:
            continue  # not a hash at all: Transmission cannot know it
    return ids
