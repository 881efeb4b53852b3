"""A feed server for tests: serves feeds on loopback, answers conditional GETs, can fail."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs

from tests.support.serving import serving


@attrs.define
class Served:
    """One feed: its body, or a failure to play (a status, a delay)."""

    body: bytes = b""
    status: int = 200
    delay: float = 0.0

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body, usedforsecurity=False).hexdigest()[:16] + '"'


@attrs.define
class FeedServer:
    """A raw ASGI app: GET /<name> answers feeds[name]; every request's headers are kept."""

    feeds: dict[str, Served] = attrs.Factory(dict)
    requests: list[tuple[str, dict[str, str]]] = attrs.Factory(list)
    url: str = ""

    def put(self, name: str, body: bytes) -> str:
        self.feeds[name] = Served(body)
        return f"{self.url}/{name}"

    def requests_for(self, name: str) -> list[dict[str, str]]:
        return [headers for path, headers in self.requests if path == f"/{name}"]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()  # startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # shutdown
            await send({"type": "lifespan.shutdown.complete"})
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["path"], headers))
        feed = self.feeds.get(scope["path"].lstrip("/"))
        if feed is None:
            await _answer(send, 404, b"no such feed")
            return
        if feed.delay:
            await asyncio.sleep(feed.delay)
        if feed.status != 200:
            await _answer(send, feed.status, b"server trouble")
        elif headers.get("if-none-match") == feed.etag:
            await _answer(send, 304, b"", [(b"etag", feed.etag.encode())])
        else:
            extra = [(b"etag", feed.etag.encode()), (b"content-type", b"application/rss+xml")]
            await _answer(send, 200, feed.body, extra)


async def _answer(
    send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers or []})
    await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    async with serving(server) as url:
        server.url = url
        yield server
