"""What a downloader answers: values, not exceptions, so the cascade can fold them."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from dispatch_domain.vocabulary import RemoteState


@attrs.frozen
class AddRequest:
    """One link handed to a downloader; `save_path` is relative to its download root."""

    url: str
    save_path: str | None = None


@attrs.frozen
class Accepted:
    """The downloader took the link; `hash` is the info-hash it knows it by (None for http)."""

    hash: str | None = None


@attrs.frozen
class Rejected:
    """The downloader refused the link; trying another downloader may still work."""

    reason: str


@attrs.frozen
class Unreachable:
    """The downloader could not be asked (transport error, timeout, 5xx); not the link's fault."""

    reason: str


AddResult = Accepted | Rejected


@attrs.frozen
class Answered:
    """A downloader's answer to a batch, keyed by URL (never by position)."""

    results: Mapping[str, AddResult]

    def result_for(self, url: str) -> AddResult:
        return self.results.get(url, Rejected("the downloader gave no result for this link"))


@attrs.frozen
class RemoteStatus:
    """One download as its downloader reports it."""

    hash: str
    state: RemoteState
    progress: float = 0.0
    size: int = 0
    name: str | None = None
    save_path: str | None = None
    content_path: str | None = None
    reason: str | None = None


@attrs.frozen
class StatusReport:
    """A downloader's statuses for the hashes asked about, keyed by lowercase hash."""

    statuses: Mapping[str, RemoteStatus]

    def status_for(self, torrent_hash: str) -> RemoteStatus:
        found = self.statuses.get(torrent_hash.lower())
        return found or RemoteStatus(hash=torrent_hash, state=RemoteState.NOT_FOUND)


@attrs.frozen
class CancelReport:
    """Which hashes a downloader cancelled (`True`) and which it did not know (`False`)."""

    cancelled: Mapping[str, bool]
