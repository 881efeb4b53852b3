"""Core's settings: one table (option, environment variable, default, help) and the value
they make; command-line options win over environment variables, which win over defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs

from apps.network import is_loopback
from apps.settings_table import CORE_PORT, LOGGING, METRICS, Setting, SettingsTable
from dispatch_domain.stalls import StallRule

LOOPBACK = "127.0.0.1"

CORE = SettingsTable(
    "Core",
    (
        Setting("host", "DISPATCH_HOST", LOOPBACK, "address to listen on (loopback only "
                "while no API token is set)", flag="--host"),
        Setting("port", "DISPATCH_PORT", CORE_PORT, "port to listen on", flag="--port", kind=int),
        Setting("database_url", "DATABASE_URL", None, "Postgres URL",
                flag="--database-url", shown="embedded Postgres"),
        Setting("data_dir", "DISPATCH_DATA_DIR", None, "embedded Postgres data folder",
                flag="--data-dir", kind=Path, shown="platform data folder"),
        Setting("api_token", "DISPATCH_API_TOKEN", None,
                "bearer token every route needs but `/health`, the API docs and the page's "
                "static files", shown="none: the API is open, Core stays on loopback"),
        Setting("downloader_token", "DOWNLOADER_TOKEN", None,
                "bearer token Core sends to downloader services"),
        Setting("downloader_timeout", "DOWNLOADER_TIMEOUT", 30.0,
                "seconds to wait for a downloader service", flag="--downloader-timeout",
                kind=float),
        Setting("poll_interval", "DOWNLOAD_POLL_INTERVAL", 5.0,
                "seconds between status polls while a downloader has active downloads, "
                "stretched so polling takes at most a tenth of the time; with nothing active, "
                "every 60 s (or this, if longer)",
                flag="--poll-interval", kind=float),
        Setting("stall_timeout", "STALL_TIMEOUT", 21600.0,
                "seconds without progress before a download stalls: it is removed from its "
                "client (files kept), fails and goes to another downloader; 0 = off",
                flag="--stall-timeout", kind=float),
        Setting("metadata_timeout", "METADATA_TIMEOUT", 3600.0,
                "seconds a magnet may wait for its metadata before it stalls; 0 = off",
                flag="--metadata-timeout", kind=float),
        Setting("max_attempts", "MAX_ATTEMPTS", 3,
                "attempts a link gets when its downloads stall", flag="--max-attempts",
                kind=int),
        Setting("sweep_interval", "DISPATCH_SWEEP_INTERVAL", 5.0,
                "seconds between looks for due or left-over work", flag="--sweep-interval",
                kind=float),
        Setting("dispatch_wait", "DISPATCH_WAIT", 10.0,
                "seconds a fetcher post waits for its dispatch round", flag="--dispatch-wait",
                kind=float),
        Setting("dispatch_lease", "DISPATCH_LEASE", 300.0,
                "seconds before work claimed by a crashed Core goes out again",
                flag="--dispatch-lease", kind=float),
        Setting("event_retention_days", "EVENT_RETENTION_DAYS", 30.0,
                "days events are kept before they are pruned", flag="--event-retention-days",
                kind=float),
        Setting("delivery_lease", "DELIVERY_LEASE", 120.0,
                "seconds before a crashed Core's webhook and notification deliveries resume "
                "elsewhere", flag="--delivery-lease", kind=float),
    ),
) + LOGGING + METRICS  # fmt: skip


def _default(name: str) -> Any:
    return attrs.field(default=CORE.default(name))


@attrs.frozen
class CoreSettings:
    host: str = _default("host")
    port: int = _default("port")
    database_url: str | None = None  # None: an embedded Postgres
    data_dir: Path | None = None  # None: the platform's data folder
    api_token: str | None = attrs.field(default=None, repr=False)  # without it: loopback only
    downloader_token: str | None = attrs.field(default=None, repr=False)
    downloader_timeout: float = _default("downloader_timeout")
    poll_interval: float = _default("poll_interval")
    poll_soon_after_dispatch: float = 5.0
    idle_poll_interval: float = 60.0  # between polls while no download is active
    stall_timeout: float = _default("stall_timeout")
    metadata_timeout: float = _default("metadata_timeout")
    max_attempts: int = _default("max_attempts")
    sweep_interval: float = _default("sweep_interval")
    dispatch_wait: float = _default("dispatch_wait")
    dispatch_batch: int = 50_000  # a whole post (at most 50,000 items) goes out in one round
    dispatch_lease: float = _default("dispatch_lease")
    log_level: str = _default("log_level")
    log_format: str = _default("log_format")
    metrics_loopback_open: bool = _default("metrics_loopback_open")
    subscription_sweep: float = 15.0  # how often Core looks for subscriptions due a fetch
    feed_timeout: float = 30.0  # a feed's whole request, body included
    database_timeout: float = 10.0  # how long a request waits for the database before a 503
    event_retention_days: float = _default("event_retention_days")
    delivery_interval: float = 1.0  # how often webhooks and notifications look for new events
    webhook_timeout: float = 10.0
    delivery_lease: float = _default("delivery_lease")

    @property
    def poll_claim(self) -> timedelta:
        """How long a poll claims a downloader: most of a cycle, so no process polls it twice."""
        return timedelta(seconds=self.poll_interval * 0.9)

    @property
    def idle_poll_wait(self) -> float:
        """Idle polls never come more often than busy ones."""
        return max(self.idle_poll_interval, self.poll_interval)

    @property
    def stall_rule(self) -> StallRule:
        return StallRule(
            stall_after=timedelta(seconds=self.stall_timeout) if self.stall_timeout else None,
            metadata_within=(
                timedelta(seconds=self.metadata_timeout) if self.metadata_timeout else None
            ),
        )

    @property
    def event_retention(self) -> timedelta:
        return timedelta(days=self.event_retention_days)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.dispatch_lease)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> CoreSettings:
        return cls(**CORE.values(None, env))

    def bind_host(self) -> str:
        """Where to listen: loopback only when no API token is set, whatever was asked."""
        return self.host if self.api_token or is_loopback(self.host) else LOOPBACK
