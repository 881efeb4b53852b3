"""Core for tests: served over real HTTP on loopback, on a real database, with helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import attrs
import httpx

from apps.core.app import create_app
from apps.core.container import CoreContainer
from apps.core.settings import CoreSettings
from tests.support.loopback import confine
from tests.support.serving import serving

FAST = {
    "sweep_interval": 0.2,
    "dispatch_wait": 5.0,
    "poll_interval": 3600.0,
    "downloader_timeout": 5.0,
}


@attrs.frozen
class RunningCore:
    url: str
    client: httpx.AsyncClient
    container: CoreContainer

    async def register(self, name: str, port: int, types: tuple[str, ...] = ("magnet", "torrent"),
                       priority: int | None = None) -> dict[str, Any]:  # fmt: skip
        body: dict[str, Any] = {
            "service_type": "downloader",
            "service_name": name,
            "host": "127.0.0.1",
            "port": port,
            "capabilities": {
                "download_endpoint": "/downloads",
                "supported_download_types": list(types),
            },
        }
        if priority is not None:
            body["priority"] = priority
        response = await self.client.post("/services/register", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def post_links(self, urls: list[str], **fields: Any) -> dict[str, Any]:
        items = [
            {"title": f"item {i}", "download_url": url, **fields} for i, url in enumerate(urls)
        ]
        response = await self.client.post(
            "/raw-fetcher-results", json={"fetcher_source": "rss", "items": items}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def downloads(self, **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/downloads", params={"limit": 1000, **params})
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


@asynccontextmanager
async def running_core(database_url: str, **overrides: Any) -> AsyncIterator[RunningCore]:
    settings = CoreSettings(database_url=database_url, **{**FAST, **overrides})
    container = CoreContainer(settings=settings)
    confine(container, settings.downloader_timeout)
    async with (
        serving(create_app(container)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        yield RunningCore(url, client, container)


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 10.0, every: float = 0.1
) -> None:
    """Wait until `check()` is true; fail with a clear message after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {check.__doc__ or check}")
        await asyncio.sleep(every)
