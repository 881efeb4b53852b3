"""Our aria2 backend on a real aria2c for tests, and waiting for a download to reach a state."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx

from adapters.aria2 import Aria2Backend, Aria2Rpc
from adapters.bittorrent.fetch import TorrentFetcher
from dispatch_domain import DownloadBackend, RemoteState, RemoteStatus
from tests.support.aria2 import Aria2Process
from tests.support.loopback import LoopbackOnly


@contextlib.asynccontextmanager
async def connected_backend(
    aria2: Aria2Process, *, secret: str | None = None, download_root: str | None = None
) -> AsyncIterator[Aria2Backend]:
    """Our aria2 backend on fresh httpx clients."""
    async with (
        httpx.AsyncClient() as http,
        httpx.AsyncClient(transport=LoopbackOnly()) as fetch_http,
    ):
        rpc = Aria2Rpc(http, aria2.url, aria2.secret if secret is None else secret)
        yield Aria2Backend(
            rpc, TorrentFetcher(fetch_http, timeout=10.0), download_root=download_root
        )


async def until_state(
    backend: DownloadBackend, remote_id: str, state: RemoteState, *, timeout: float = 30
) -> RemoteStatus:
    """The download's status once it reaches `state`; fails the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        [status] = await backend.statuses([remote_id])
        if status.state is state or time.monotonic() > deadline:
            assert status.state is state, f"still {status} after {timeout} s"
            return status
        await asyncio.sleep(0.2)
