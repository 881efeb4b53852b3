"""The DownloadBackend port over aria2: http(s) links, magnets and .torrent URLs by JSON-RPC."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence

from adapters.aria2 import adding, removal
from adapters.aria2.listing import Entry, Listing, read_listing
from adapters.aria2.rpc import Aria2Refused, Aria2Rpc, Call, Fault
from adapters.aria2.states import STATUS_KEYS, remote_status
from adapters.bittorrent.fetch import Fetched, TorrentFetcher
from adapters.redact import redact_url
from dispatch_domain import (
    Accepted,
    AddRequest,
    AddResult,
    BackendError,
    BackendHealth,
    DownloadType,
    Rejected,
    RemoteState,
    RemoteStatus,
)
from dispatch_domain.answers import remote_key

log = logging.getLogger(__name__)

SUPPORTED = frozenset({DownloadType.HTTP, DownloadType.MAGNET, DownloadType.TORRENT})


class Aria2Backend:
    """An aria2 instance seen through the downloader port.

    A BitTorrent download is known by its lowercase info-hash, found in aria2's listing (so a
    magnet's metadata download leads to the real one); an http download by aria2's gid.
    Every batch costs a constant number of requests, each a `system.multicall`.
    """

    def __init__(
        self,
        rpc: Aria2Rpc,
        fetcher: TorrentFetcher,
        *,
        download_root: str | None = None,
        fetch_concurrency: int = 8,
    ) -> None:
        self._rpc = rpc
        self._fetcher = fetcher
        self._download_root = download_root
        self._fetch_slots = asyncio.Semaphore(fetch_concurrency)
        self._aria2_dir: str | None = None

    @property
    def supported_types(self) -> frozenset[DownloadType]:
        return SUPPORTED

    async def add(self, items: Sequence[AddRequest]) -> Mapping[str, AddResult]:
        unique: dict[str, AddRequest] = {}
        for item in items:
            unique.setdefault(item.url, item)
        root = await self._root() if any(i.save_path for i in unique.values()) else None
        kinds = {url: adding.kind_of(url) for url in unique}
        fetched = await self._fetch_all(
            [url for url, kind in kinds.items() if kind is DownloadType.TORRENT]
        )
        results: dict[str, AddResult] = {}
        planned: list[adding.Planned] = []
        for url, item in unique.items():
            kind = kinds[url]
            folder = adding.save_dir(item, root=root, default=self._download_root)
            outcome = (
                kind
                if isinstance(kind, Rejected)
                else adding.plan(url, kind, folder, fetched.get(url))
            )
            if isinstance(outcome, Rejected):
                results[url] = outcome
            else:
                planned.append(outcome)
        results |= await self._send(planned)
        self._log_outcome(results)
        return {url: results[url] for url in unique}

    async def statuses(self, remote_ids: Sequence[str]) -> Sequence[RemoteStatus]:
        asked = list(dict.fromkeys(remote_key(r) for r in remote_ids))
        listing = await read_listing(self._rpc)
        chosen = {remote_id: listing.find(remote_id) for remote_id in asked}
        gids = list(dict.fromkeys(e.gid for e in chosen.values() if e is not None))
        rows = await self._rpc.batch(
            [Call("aria2.tellStatus", (gid, list(STATUS_KEYS))) for gid in gids]
        )
        by_gid = {gid: row for gid, row in zip(gids, rows, strict=True) if isinstance(row, dict)}
        found: list[RemoteStatus] = []
        for remote_id, entry in chosen.items():
            row = by_gid.get(entry.gid) if entry is not None else None
            if row is None:  # unknown, or gone between the listing and the status
                found.append(RemoteStatus(remote_id=remote_id, state=RemoteState.NOT_FOUND))
            else:
                found.append(remote_status(remote_id, row))
        return found

    async def cancel(self, remote_ids: Sequence[str]) -> Mapping[str, bool]:
        asked = list(dict.fromkeys(remote_key(r) for r in remote_ids))
        listing = await read_listing(self._rpc)
        await removal.remove(self._rpc, _related(listing, asked))
        return {remote_id: listing.find(remote_id) is not None for remote_id in asked}

    async def pause(self, remote_id: str) -> bool:
        return await self._steer(remote_id, "aria2.pause", frozenset({"active", "waiting"}))

    async def resume(self, remote_id: str) -> bool:
        return await self._steer(remote_id, "aria2.unpause", frozenset({"paused"}))

    async def delete(self, remote_id: str, *, delete_files: bool) -> bool:
        remote_id = remote_key(remote_id)
        listing = await read_listing(self._rpc)
        if listing.find(remote_id) is None:
            return False
        related = _related(listing, [remote_id])
        files = await removal.files_of(self._rpc, related) if delete_files else []
        await removal.remove(self._rpc, related)
        if files:
            await asyncio.to_thread(removal.delete_files, files)
        return True

    async def health(self) -> BackendHealth:
        try:
            answer = await self._rpc.call("aria2.getVersion")
        except Aria2Refused as error:
            return BackendHealth(reachable=True, logged_in=False, reason=str(error))
        except BackendError as error:
            return BackendHealth(reachable=False, logged_in=False, reason=str(error))
        version = answer.get("version") if isinstance(answer, dict) else None
        return BackendHealth(reachable=True, logged_in=True, version=version)

    async def _steer(self, remote_id: str, method: str, from_states: frozenset[str]) -> bool:
        """Pause or resume one download; a download already there counts as done."""
        entry = (await read_listing(self._rpc)).find(remote_key(remote_id))
        if entry is None:
            return False
        if entry.status in from_states:
            [answer] = await self._rpc.batch([Call(method, (entry.gid,))])
            if isinstance(answer, Fault):
                log.info("aria2 would not %s %s: %s", method, entry.gid, answer.message)
        return True

    async def _send(self, planned: Sequence[adding.Planned]) -> dict[str, AddResult]:
        """Add in one request what aria2 does not hold yet, each download once; links of one
        download share its result. A failed or removed http download is replaced."""
        groups: dict[str, list[adding.Planned]] = {}
        for p in planned:
            groups.setdefault(p.key, []).append(p)
        listing = await read_listing(self._rpc) if planned else Listing.of([])
        held = {key for key in groups if _holds(listing, key)}
        sending = [group[0] for key, group in groups.items() if key not in held]
        stale = [p.key for p in sending if p.retries and p.key in listing.by_gid]
        calls = [Call("aria2.removeDownloadResult", (gid,)) for gid in stale]
        calls += [Call(p.method, p.arguments) for p in sending]
        answers = (await self._rpc.batch(calls))[len(stale) :]
        outcome: dict[str, AddResult] = {key: Accepted(key) for key in held}
        for p, answer in zip(sending, answers, strict=True):
            if isinstance(answer, Fault):
                outcome[p.key] = Rejected(f"aria2 refused it: {answer.message}")
            else:
                outcome[p.key] = p.accepted(answer)
        return {p.url: outcome[key] for key, group in groups.items() for p in group}

    async def _root(self) -> str:
        if self._download_root:
            return self._download_root
        if self._aria2_dir is None:
            options = await self._rpc.call("aria2.getGlobalOption")
            self._aria2_dir = str(options.get("dir") or "") if isinstance(options, dict) else ""
        if not self._aria2_dir:
            raise BackendError(f"aria2 at {self._rpc.where} did not say its download folder")
        return self._aria2_dir

    async def _fetch_all(self, urls: Sequence[str]) -> dict[str, Fetched]:
        async def fetch(url: str) -> Fetched:
            async with self._fetch_slots:
                return await self._fetcher.fetch(url)

        fetched = await asyncio.gather(*(fetch(url) for url in urls))
        return dict(zip(urls, fetched, strict=True))

    def _log_outcome(self, results: Mapping[str, AddResult]) -> None:
        taken = sum(isinstance(result, Accepted) for result in results.values())
        log.info("aria2 took %d of %d links", taken, len(results))
        for url, result in results.items():
            if isinstance(result, Rejected):
                log.info("rejected %s: %s", redact_url(url), result.reason)


def _holds(listing: Listing, key: str) -> bool:
    """aria2 has this download already, running or done (not failed): take it as it is."""
    entry = listing.find(key)
    return entry is not None and entry.status != "error"


def _related(listing: Listing, remote_ids: Iterable[str]) -> list[Entry]:
    return list({e.gid: e for r in remote_ids for e in listing.related(r)}.values())
