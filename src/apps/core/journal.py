"""Each status change a download goes through, logged with the download's id, so a person
can follow one download through the logs (`download_id`, `module_id` in JSON lines)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from dispatch_domain.ports import DownloadRepository
from dispatch_domain.status import DownloadEvent as E
from dispatch_domain.transition import Transition

log = logging.getLogger("apps.core.downloads")

# Endings and trouble at INFO and WARNING, once in a download's life; routine steps, which a
# 50,000-link post or an outage repeats for every download, at DEBUG.
LEVELS: Mapping[E, int] = {
    E.ACCEPTED: logging.DEBUG,
    E.REJECTED: logging.WARNING,
    E.UNREACHABLE: logging.DEBUG,
    E.NO_DOWNLOADER: logging.INFO,
    E.DOWNLOADER_AVAILABLE: logging.DEBUG,
    E.REPORTED_DOWNLOADING: logging.DEBUG,
    E.REPORTED_COMPLETED: logging.INFO,
    E.REPORTED_FAILED: logging.WARNING,
    E.POLL_UNREACHABLE: logging.DEBUG,
    E.CANCEL: logging.INFO,
    E.RETRY: logging.INFO,
}


def log_change(change: Transition) -> None:
    level = LEVELS.get(change.event, logging.INFO)
    if not log.isEnabledFor(level):
        return
    ids: dict[str, Any] = {"download_id": change.download_id}
    if change.module_id is not None:
        ids["module_id"] = change.module_id
    why = f": {change.reason}" if change.reason else ""
    log.log(
        level, "download %d %s -> %s%s", change.download_id, change.event.value,
        change.target.value, why, extra=ids,
    )  # fmt: skip


class JournaledDownloads:
    """A download repository that logs each change it applied (not the ones it left alone)."""

    def __init__(self, inner: DownloadRepository) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def apply(self, transitions: Sequence[Transition], now: datetime) -> list[int]:
        changed = await self._inner.apply(transitions, now)
        applied = set(changed)
        for change in transitions:
            if change.download_id in applied:
                log_change(change)
        return changed
