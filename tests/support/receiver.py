"""A webhook receiver on loopback for Core's tests: records each POST, can fail or hold them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs
from litestar import Litestar, Request, Response, post

from tests.support.real import free_port
from tests.support.serving import serving


@attrs.frozen
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """The receiver's side of the check: HMAC the raw body, compare in constant time."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("x-bangumi-signature", ""))


@attrs.define
class Receiver:
    """Answers 204, or `status` while it is set; holds each POST while `held` is clear."""

    status: int | None = None
    received: list[Received] = attrs.Factory(list)
    attempts: int = 0
    held: asyncio.Event = attrs.Factory(asyncio.Event)

    def __attrs_post_init__(self) -> None:
        self.held.set()

    def app(self) -> Litestar:
        @post("/{path:path}", status_code=204)
        async def receive(request: Request[Any, Any, Any]) -> Response[None]:
            self.attempts += 1
            await self.held.wait()
            if self.status is not None:
                return Response(None, status_code=self.status)
            self.received.append(Received(dict(request.headers), await request.body()))
            return Response(None, status_code=204)

        return Litestar([receive], logging_config=None)


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    """Serve `receiver` on a free loopback port; yields its base URL."""
    async with serving(receiver.app(), port=free_port()) as url:
        yield url
