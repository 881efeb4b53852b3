"""Stalls: when a download last made progress, and when waiting longer is pointless."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from dispatch_domain.answers import RemoteStatus
from dispatch_domain.model import Tracked
from dispatch_domain.vocabulary import RemoteState


@attrs.frozen
class StallRule:
    """`stall_after`: time without progress before a download stalls; `metadata_within`: time
    a magnet may wait for its metadata. None (a setting of 0) switches that check off."""

    stall_after: timedelta | None = timedelta(hours=6)
    metadata_within: timedelta | None = timedelta(hours=1)

    def verdict(
        self, tracked: Tracked, status: RemoteStatus, since: datetime, now: datetime, name: str
    ) -> str | None:
        """Why this download has stalled (the reason its attempt fails with), or None.
        `since` is when it last made progress. Only a download its client reports as
        downloading can stall: a paused, complete, failed or vanished one never does."""
        if status.state is not RemoteState.DOWNLOADING:
            return None
        waited = now - since
        if (
            self.metadata_within is not None
            and status.has_metadata is False
            and waited >= self.metadata_within
        ):
            return f"no metadata after {_minutes(self.metadata_within)} at {name}"
        if self.stall_after is not None and waited >= self.stall_after:
            percent = int(max(status.progress, tracked.progress) * 100)
            return (
                f"stalled: no progress for {_duration(self.stall_after)} at {name} "
                f"(last {percent} %)"
            )
        return None


def progress_mark(tracked: Tracked, status: RemoteStatus, now: datetime) -> datetime | None:
    """The new "last progress" time if the download made progress since the last poll (bytes
    done or progress rising), or was never polled; None keeps the mark it has."""
    if tracked.progress_at is None:
        return now
    more_bytes = (
        status.downloaded is not None
        and tracked.downloaded is not None
        and status.downloaded > tracked.downloaded
    )
    first_bytes = status.downloaded is not None and tracked.downloaded is None
    return now if more_bytes or first_bytes or status.progress > tracked.progress else None


def _minutes(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
