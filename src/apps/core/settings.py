"""Core's settings: command-line options over environment variables over defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import attrs

from apps.network import is_loopback

LOOPBACK = "127.0.0.1"


@attrs.frozen
class CoreSettings:
    host: str = LOOPBACK
    port: int = 8080
    database_url: str | None = None  # None: an embedded Postgres in `data_dir`
    data_dir: Path | None = None  # None: the platform's data folder (see adapters.postgres)
    api_token: str | None = None  # writes need it when set; without it Core stays on loopback
    downloader_token: str | None = None  # bearer token Core sends to downloader services
    downloader_timeout: float = 30.0
    poll_interval: float = 60.0  # DOWNLOAD_POLL_INTERVAL
    poll_soon_after_dispatch: float = 5.0
    sweep_interval: float = 5.0  # how often the dispatcher looks for due or left-over work
    dispatch_wait: float = 10.0  # how long a fetcher post waits for its dispatch round
    dispatch_batch: int = 50_000  # a whole post (at most 50,000 items) goes out in one round
    dispatch_lease: float = 300.0  # claimed work comes back this long after a crash
    log_level: str = "INFO"
    event_retention_days: float = 30.0  # EVENT_RETENTION_DAYS: older events are pruned
    delivery_interval: float = 1.0  # how often webhooks and notifications look for new events
    webhook_timeout: float = 10.0
    delivery_lease: float = 120.0  # DELIVERY_LEASE: a crashed Core's deliveries resume after it

    @property
    def poll_claim(self) -> timedelta:
        """How long a poll claims a downloader: most of a cycle, so no process polls it twice."""
        return timedelta(seconds=self.poll_interval * 0.9)

    @property
    def event_retention(self) -> timedelta:
        return timedelta(days=self.event_retention_days)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.dispatch_lease)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> CoreSettings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        defaults = cls()
        data_dir = get("DISPATCH_DATA_DIR")
        return cls(
            host=get("DISPATCH_HOST") or defaults.host,
            port=int(get("DISPATCH_PORT") or defaults.port),
            database_url=get("DATABASE_URL"),
            data_dir=Path(data_dir) if data_dir else None,
            api_token=get("DISPATCH_API_TOKEN"),
            downloader_token=get("DOWNLOADER_TOKEN"),
            poll_interval=float(get("DOWNLOAD_POLL_INTERVAL") or defaults.poll_interval),
            sweep_interval=float(get("DISPATCH_SWEEP_INTERVAL") or defaults.sweep_interval),
            dispatch_lease=float(get("DISPATCH_LEASE") or defaults.dispatch_lease),
            dispatch_wait=float(get("DISPATCH_WAIT") or defaults.dispatch_wait),
            log_level=get("LOG_LEVEL") or defaults.log_level,
            delivery_lease=float(get("DELIVERY_LEASE") or defaults.delivery_lease),
            event_retention_days=float(
                get("EVENT_RETENTION_DAYS") or defaults.event_retention_days
            ),
        )

    def bind_host(self) -> str:
        """Where to listen: loopback only when no API token is set, whatever was asked."""
        return self.host if self.api_token or is_loopback(self.host) else LOOPBACK
