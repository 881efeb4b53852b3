"""The real clock: timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs


@attrs.frozen
class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
