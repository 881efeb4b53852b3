"""A scripted downloader service for Core's tests: real HTTP, the brief's §4 contract."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs
from litestar import Litestar, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from dispatch_domain.infohash import InfoHash, InvalidInfoHash
from tests.support.real import free_port
from tests.support.serving import serving


def hash_of(url: str) -> str:
    """A v1 magnet's own hash (the common case, read cheaply), else a digest of the URL."""
    found = _HEX_BTIH.search(url)
    if found:
        return found.group(1).lower()
    try:
        return InfoHash.from_magnet(url).hex
    except InvalidInfoHash:
        return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()


_HEX_BTIH = re.compile(r"^magnet:\?xt=urn:btih:([0-9a-fA-F]{40})(?:&|$)")


@attrs.define
class DownloaderDouble:
    """Accepts every URL unless told otherwise; can reject, fail with 5xx, or hang."""

    rejects: dict[str, str] = attrs.Factory(dict)  # url -> reason
    reject_all: str | None = None
    status_code: int = 200  # 503 to play a broken downloader
    delay: float = 0.0  # seconds to wait before answering an add
    torrents: dict[str, dict[str, Any]] = attrs.Factory(dict)
    add_requests: list[list[str]] = attrs.Factory(list)
    status_requests: list[list[str]] = attrs.Factory(list)
    status_times: list[float] = attrs.Factory(list)
    cancel_requests: list[list[str]] = attrs.Factory(list)
    auth_headers: list[str | None] = attrs.Factory(list)
    _released: asyncio.Event = attrs.Factory(asyncio.Event)

    def release(self) -> None:
        """Stop holding adds: the held one answers now, later ones at once."""
        self.delay = 0.0
        self._released.set()

    def app(self) -> Litestar:
        handlers = [self._add_handler(), self._status_handler(), self._cancel_handler()]
        return Litestar([*handlers, self._toggle_handler()])

    def set_state(self, torrent_hash: str, status: str, **fields: Any) -> None:
        self.torrents[torrent_hash] = {"hash": torrent_hash, "status": status, **fields}

    def _add_handler(self) -> Any:
        @post("/downloads")
        async def add(
            request: Request[Any, Any, Any], data: JSONBody[dict[str, Any]]
        ) -> Response[Any]:
            urls = [item["url"] for item in data["items"]]
            self.add_requests.append(urls)
            self.auth_headers.append(request.headers.get("authorization"))
            if self.delay:
                with contextlib.suppress(TimeoutError):  # held until released or timed out
                    await asyncio.wait_for(self._released.wait(), self.delay)
            if self.status_code != 200:
                return Response({"detail": "downloader is broken"}, status_code=self.status_code)
            return Response({"results": [self._result(url) for url in urls]}, status_code=200)

        return add

    def _result(self, url: str) -> dict[str, Any]:
        reason = self.reject_all or self.rejects.get(url)
        if reason:
            return {"url": url, "status": "rejected", "hash": None, "reason": reason}
        torrent_hash = hash_of(url)
        self.torrents.setdefault(
            torrent_hash,
            {"hash": torrent_hash, "status": "downloading", "progress": 0.0, "size": 0},
        )
        return {"url": url, "status": "accepted", "hash": torrent_hash, "reason": None}

    def _status_handler(self) -> Any:
        @get("/downloads")
        async def statuses(hashes: FromQuery[str] = "") -> Response[Any]:
            asked = [h for h in hashes.split(",") if h]
            self.status_requests.append(asked)
            self.status_times.append(time.monotonic())
            if self.status_code != 200:
                return Response({"detail": "downloader is broken"}, status_code=self.status_code)
            found = [self.torrents.get(h, {"hash": h, "status": "not_found"}) for h in asked]
            return Response({"statuses": found})

        return statuses

    def _cancel_handler(self) -> Any:
        @post("/downloads/cancel")
        async def cancel(data: JSONBody[dict[str, Any]]) -> Response[Any]:
            self.cancel_requests.append(list(data["hashes"]))
            results = [
                {"hash": h, "status": "cancelled" if self.torrents.pop(h, None) else "not_found"}
                for h in data["hashes"]
            ]
            return Response({"results": results}, status_code=200)

        return cancel

    def _toggle_handler(self) -> Any:
        @post("/downloads/{torrent_hash:str}/{action:str}")
        async def toggle(torrent_hash: FromPath[str], action: FromPath[str]) -> Response[Any]:
            torrent = self.torrents.get(torrent_hash)
            if torrent is None or action not in ("pause", "resume"):
                return Response({"detail": "no such download"}, status_code=404)
            torrent["status"] = "paused" if action == "pause" else "downloading"
            return Response({"hash": torrent_hash, "status": torrent["status"]}, status_code=200)

        return toggle


@asynccontextmanager
async def served(double: DownloaderDouble) -> AsyncIterator[int]:
    """Serve the double on a free loopback port; yields the port."""
    port = free_port()
    async with serving(double.app(), port):
        yield port
