"""Registration with Core: announce this downloader, retry with back-off, repeat periodically."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import attrs
import httpx

from adapters.redact import redact_url
from dispatch_domain import DownloadType, ServiceType

log = logging.getLogger(__name__)

REGISTER_PATH = "/services/register"
DOWNLOAD_ENDPOINT = "/downloads"


@attrs.frozen
class Registration:
    """What this downloader tells Core about itself."""

    service_name: str
    host: str
    port: int
    supported_types: tuple[DownloadType, ...]

    @classmethod
    def of(cls, name: str, host: str, port: int, types: Iterable[DownloadType]) -> Registration:
        order = list(DownloadType)  # the vocabulary's order: magnet, torrent, http
        return cls(name, host, port, tuple(sorted(types, key=order.index)))

    def payload(self) -> dict[str, Any]:
        return {
            "service_type": ServiceType.DOWNLOADER.value,
            "service_name": self.service_name,
            "host": self.host,
            "port": self.port,
            "capabilities": {
                "download_endpoint": DOWNLOAD_ENDPOINT,
                "supported_download_types": [kind.value for kind in self.supported_types],
            },
        }


@attrs.define
class Registrar:
    """Keeps Core aware of this downloader: until Core first answers, then every `interval`."""

    http: httpx.AsyncClient
    core_url: str
    registration: Registration
    core_token: str | None = attrs.field(default=None, repr=False)
    interval: float = 300.0
    backoff: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
    timeout: float = 10.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    registered: bool = False
    last_error: str | None = None

    async def run(self) -> None:
        """Register forever: escalating back-off while Core does not answer, then periodically."""
        failures = 0
        while True:
            error = await self.register_once()
            if error is None:
                failures = 0
                await self.sleep(self.interval)
                continue
            delay = self.backoff[min(failures, len(self.backoff) - 1)]
            failures += 1
            log.warning(
                "could not register %r with Core at %s (%s); retrying in %g s",
                self.registration.service_name,
                redact_url(self.core_url),
                error,
                delay,
                extra={"service_name": self.registration.service_name},
            )
            await self.sleep(delay)

    async def register_once(self) -> str | None:
        """One registration; None when Core accepted it, else why it did not."""
        headers = {"Authorization": f"Bearer {self.core_token}"} if self.core_token else {}
        url = self.core_url.rstrip("/") + REGISTER_PATH
        try:
            response = await self.http.post(
                url, json=self.registration.payload(), headers=headers, timeout=self.timeout
            )
        except httpx.HTTPError as error:
            return self._failed(f"{type(error).__name__}: Core did not answer")
        if not response.is_success:
            return self._failed(f"HTTP {response.status_code} {response.text.strip()[:200]!r}")
        if not self.registered:
            log.info(
                "registered %r with Core at %s",
                self.registration.service_name,
                redact_url(self.core_url),
                extra={"service_name": self.registration.service_name},
            )
        self.registered, self.last_error = True, None
        return None

    def _failed(self, reason: str) -> str:
        self.last_error = reason
        return reason
