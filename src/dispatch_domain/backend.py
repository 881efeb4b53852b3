"""The port a downloader service drives: one real download client (qBittorrent and others)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import attrs

from dispatch_domain.answers import AddRequest, AddResult, RemoteStatus
from dispatch_domain.vocabulary import DownloadType


class BackendError(Exception):
    """The download client could not do what was asked; the message says why, for the user."""


@attrs.frozen
class BackendHealth:
    """Whether the client answers and the session is logged in, with the reason if not."""

    reachable: bool
    logged_in: bool
    version: str | None = None
    reason: str | None = None


class DownloadBackend(Protocol):
    """A download client seen through its batch operations; results are keyed by URL or remote id.

    A remote id is what the client follows a download by: the lowercase hex info-hash for
    BitTorrent, the client's own id (aria2's gid, say) otherwise."""

    @property
    def supported_types(self) -> frozenset[DownloadType]: ...

    async def add(self, items: Sequence[AddRequest]) -> Mapping[str, AddResult]:
        """Add every item; each URL gets Accepted(remote_id) or Rejected(reason)."""
        ...

    async def statuses(self, remote_ids: Sequence[str]) -> Sequence[RemoteStatus]:
        """The status of each remote id; an id the client does not know is NOT_FOUND."""
        ...

    async def cancel(self, remote_ids: Sequence[str]) -> Mapping[str, bool]:
        """Remove downloads, keeping their files; True if it existed."""
        ...

    async def pause(self, remote_id: str) -> bool:
        """Pause one download; False if the client does not know it."""
        ...

    async def resume(self, remote_id: str) -> bool:
        """Resume one download; False if the client does not know it."""
        ...

    async def delete(self, remote_id: str, *, delete_files: bool) -> bool:
        """Remove one download, with or without its files; False if unknown."""
        ...

    async def health(self) -> BackendHealth: ...
