"""Downloader health: escalating back-off after outages, shared by the dispatcher and the poller."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

BACKOFF_STEPS: tuple[timedelta, ...] = tuple(timedelta(minutes=m) for m in (1, 5, 15, 30, 60))


def backoff_after(failures: int) -> timedelta:
    """How long to leave a downloader alone after `failures` (>= 1) outages in a row."""
    return BACKOFF_STEPS[min(max(failures, 1), len(BACKOFF_STEPS)) - 1]


@attrs.frozen
class Health:
    """What Core knows of a downloader's reachability."""

    failures: int = 0
    backoff_until: datetime | None = None
    last_seen: datetime | None = None
    last_error: str | None = None

    def in_backoff(self, now: datetime) -> bool:
        return self.backoff_until is not None and now < self.backoff_until

    def down(self, now: datetime, reason: str) -> Health:
        failures = self.failures + 1
        return attrs.evolve(
            self, failures=failures, backoff_until=now + backoff_after(failures), last_error=reason
        )

    def up(self, now: datetime) -> Health:
        """Answered: back-off ends; the last error stays visible as history."""
        return attrs.evolve(self, failures=0, backoff_until=None, last_seen=now)
