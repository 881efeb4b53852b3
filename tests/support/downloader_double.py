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
    """Accepts every URL unless told otherwise; can reject, fail with 5xx, or hang. A batch
    holding a URL of `poison` is failed whole with that URL's status code, as a service that
    trips over one item does."""

    rejects: dict[str, str] = attrs.Factory(dict)  # url -> reason
    reject_all: str | None = None
    status_code: int = 200  # 503 to play a broken downloader
    silent: bool = False  # fail with an empty body
    poison: dict[str, int] = attrs.Factory(dict)  # url -> the status its batch gets
    delay: float = 0.0  # seconds to wait before answering an add
    torrents: dict[str, dict[str, Any]] = attrs.Factory(dict)  # by remote id, hash or not
    ids: dict[str, str | None] = attrs.Factory(dict)  # url -> the id to accept it with
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
        return Litestar(
            [
                self._add_handler(),
                self._status_handler(),
                self._cancel_handler(),
                *self._toggle_handlers(),
            ]
        )

    def set_state(self, remote_id: str, status: str, **fields: Any) -> None:
        self.torrents[remote_id] = {"hash": remote_id, "status": status, **fields}

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
            poisoned = [(url, self.poison[url]) for url in urls if url in self.poison]
            if poisoned:
                url, code = poisoned[0]
                return Response({"detail": f"cannot add {url}"}, status_code=code)
            if self.status_code != 200:
                body = b"" if self.silent else {"detail": "downloader is broken"}
                return Response(body, status_code=self.status_code)
            return Response({"results": [self._result(url) for url in urls]}, status_code=200)

        return add

    def _result(self, url: str) -> dict[str, Any]:
        reason = self.reject_all or self.rejects.get(url)
        if reason:
            return {"url": url, "status": "rejected", "hash": None, "reason": reason}
        remote_id = self.ids[url] if url in self.ids else hash_of(url)
        if remote_id is None:  # a downloader that forgets to say which id it gave
            return {"url": url, "status": "accepted", "hash": None, "reason": None}
        self.torrents.setdefault(
            remote_id,
            {"hash": remote_id, "status": "downloading", "progress": 0.0, "size": 0},
        )
        return {"url": url, "status": "accepted", "hash": remote_id, "reason": None}

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

    def _toggle_handlers(self) -> list[Any]:
        def toggle(action: str, status: str) -> Any:
            @post(f"/downloads/{{remote_id:str}}/{action}", status_code=200)
            async def handler(remote_id: FromPath[str]) -> Response[Any]:
                if remote_id not in self.torrents:
                    return Response({"detail": "unknown"}, status_code=404)
                self.torrents[remote_id]["status"] = status
                return Response({"hash": remote_id, "status": f"{action}d"})

            return handler

        return [toggle("pause", "paused"), toggle("resume", "downloading")]


@asynccontextmanager
async def served(double: DownloaderDouble) -> AsyncIterator[int]:
    """Serve the double on a free loopback port; yields the port."""
    port = free_port()
    async with serving(double.app(), port):
        yield port
