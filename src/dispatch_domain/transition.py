"""A status change to apply to one download, carrying what Core learned with it."""

from __future__ import annotations

from datetime import datetime

import attrs

from dispatch_domain.status import DownloadEvent, sources_of, target_of
from dispatch_domain.vocabulary import DownloadStatus, RemoteState


def _progress(value: float | None) -> float | None:
    return None if value is None else float(value)  # 1 is a fine progress; store 1.0


@attrs.frozen
class Transition:
    """Apply `event` to a download if its current status allows it; otherwise leave it alone.

    Every field after `retry_at` is a column of the download with the same name. `reason` and
    `remote_state` are always written (None clears them); the others only when given, so a
    poll that learns no size keeps the size already known. A new field of a download is added
    here, to `DownloadView`, to the schema and to the `apply` query, and nowhere else.
    """

    download_id: int
    event: DownloadEvent
    retry_at: datetime | None = None
    reason: str | None = None
    remote_state: RemoteState | None = None
    module_id: int | None = None
    remote_id: str | None = None
    progress: float | None = attrs.field(default=None, converter=_progress)
    size: int | None = None
    content_path: str | None = None
    downloaded: int | None = None
    download_speed: int | None = None
    eta: int | None = None
    peers: int | None = None
    seeds: int | None = None
    client_state: str | None = None
    has_metadata: bool | None = None
    progress_at: datetime | None = None  # when it last made progress (the stall rule's mark)

    @property
    def target(self) -> DownloadStatus:
        return target_of(self.event)

    @property
    def sources(self) -> frozenset[DownloadStatus]:
        return sources_of(self.event)

    def written(self) -> dict[str, object]:
        """The columns this change writes, by name, with their new values."""
        kept = {name: getattr(self, name) for name in KEPT_UNLESS_GIVEN}
        always = {name: getattr(self, name) for name in ALWAYS_WRITTEN}
        return {**always, **{name: value for name, value in kept.items() if value is not None}}


ALWAYS_WRITTEN = ("reason", "remote_state")
KEPT_UNLESS_GIVEN = tuple(
    field.name
    for field in attrs.fields(Transition)
    if field.name not in {"download_id", "event", "retry_at", *ALWAYS_WRITTEN}
)
"""The download's columns a change writes only when it gives a value."""
