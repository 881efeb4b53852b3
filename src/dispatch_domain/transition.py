"""A status change to apply to one download, carrying what Core learned with it."""

from __future__ import annotations

from datetime import datetime

import attrs

from dispatch_domain.status import DownloadEvent, sources_of, target_of
from dispatch_domain.vocabulary import DownloadStatus, RemoteState


@attrs.frozen
class Transition:
    """Apply `event` to a download if its current status allows it; otherwise leave it alone.

    `reason` and `remote_state` are always written (None clears them); the other fields are
    written only when given, so a poll that learns no size keeps the size already known.
    """

    download_id: int
    event: DownloadEvent
    reason: str | None = None
    module_id: int | None = None
    remote_id: str | None = None
    retry_at: datetime | None = None
    progress: float | None = None
    size: int | None = None
    remote_state: RemoteState | None = None
    content_path: str | None = None

    @property
    def target(self) -> DownloadStatus:
        return target_of(self.event)

    @property
    def sources(self) -> frozenset[DownloadStatus]:
        return sources_of(self.event)
