"""The downloader service's Prometheus metrics: calls to its download client by endpoint and
outcome, login attempts, and whether the client answers (asked when scraped)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Mapping, Sequence
from typing import TypeVar

import attrs
from prometheus_client import Counter, Gauge, Histogram

from apps.metrics import new_registry
from dispatch_domain import BackendHealth, DownloadBackend
from dispatch_domain.answers import AddRequest, AddResult, RemoteStatus
from dispatch_domain.vocabulary import DownloadType

T = TypeVar("T")
ENDPOINTS = ("add", "statuses", "cancel", "pause", "resume", "delete", "health")
LOGIN_OUTCOMES = ("ok", "refused", "banned", "error")
CALL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class DownloaderMetrics:
    """The service's metrics, in a registry of its own (one per app, never the global one)."""

    def __init__(self) -> None:
        self.registry = registry = new_registry()
        self.calls = Counter(
            "bangumi_downloader_client_calls",
            "Calls to the download client, by endpoint of the downloader contract and outcome "
            "(ok, error)",
            ["endpoint", "outcome"], registry=registry,
        )  # fmt: skip
        self.call_seconds = Histogram(
            "bangumi_downloader_client_call_duration_seconds",
            "How long a call to the download client took, by endpoint",
            ["endpoint"], buckets=CALL_BUCKETS, registry=registry,
        )  # fmt: skip
        self.logins = Counter(
            "bangumi_downloader_login_attempts",
            "Logins to the download client, by outcome (ok, refused, banned, error)",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.reachable = Gauge(
            "bangumi_downloader_client_reachable",
            "1 when the download client answered the last health check (run at scrape time)",
            registry=registry,
        )  # fmt: skip
        self.logged_in = Gauge(
            "bangumi_downloader_client_logged_in",
            "1 when this service holds a session with the download client",
            registry=registry,
        )  # fmt: skip
        for endpoint in ENDPOINTS:
            self.calls.labels(endpoint, "ok")
            self.calls.labels(endpoint, "error")
        for outcome in LOGIN_OUTCOMES:
            self.logins.labels(outcome)

    def login(self, outcome: str) -> None:
        self.logins.labels(outcome).inc()

    async def refresh(self, backend: DownloadBackend) -> None:
        """Ask the client how it is: the health check's answer becomes the two gauges."""
        health = await backend.health()
        self.reachable.set(1 if health.reachable else 0)
        self.logged_in.set(1 if health.logged_in else 0)

    async def timed(self, endpoint: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            result = await call
        except Exception:
            self.calls.labels(endpoint, "error").inc()
            raise
        finally:
            self.call_seconds.labels(endpoint).observe(time.perf_counter() - started)
        self.calls.labels(endpoint, "ok").inc()
        return result


@attrs.frozen
class MeteredBackend:
    """Any download backend, each call counted and timed by endpoint and outcome."""

    inner: DownloadBackend
    metrics: DownloaderMetrics

    @property
    def supported_types(self) -> frozenset[DownloadType]:
        return self.inner.supported_types

    async def add(self, items: Sequence[AddRequest]) -> Mapping[str, AddResult]:
        return await self.metrics.timed("add", self.inner.add(items))

    async def statuses(self, hashes: Sequence[str]) -> Sequence[RemoteStatus]:
        return await self.metrics.timed("statuses", self.inner.statuses(hashes))

    async def cancel(self, hashes: Sequence[str]) -> Mapping[str, bool]:
        return await self.metrics.timed("cancel", self.inner.cancel(hashes))

    async def pause(self, torrent_hash: str) -> bool:
        return await self.metrics.timed("pause", self.inner.pause(torrent_hash))

    async def resume(self, torrent_hash: str) -> bool:
        return await self.metrics.timed("resume", self.inner.resume(torrent_hash))

    async def delete(self, torrent_hash: str, *, delete_files: bool) -> bool:
        call = self.inner.delete(torrent_hash, delete_files=delete_files)
        return await self.metrics.timed("delete", call)

    async def health(self) -> BackendHealth:
        return await self.metrics.timed("health", self.inner.health())
