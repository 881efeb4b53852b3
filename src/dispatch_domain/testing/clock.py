"""A clock tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs


@attrs.define
class FakeClock:
    current: datetime = datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
