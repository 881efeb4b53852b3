"""What a downloader answers: values, not exceptions, so the cascade can fold them."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from dispatch_domain.vocabulary import RemoteState

NO_ID = "accepted without an id"
_HEX = frozenset("0123456789abcdefABCDEF")


def remote_key(remote_id: str) -> str:
    """The form a remote id is matched by: an info-hash (40 or 64 hex digits) in lowercase, so a
    client's uppercase hash finds its download; any other id exactly as its downloader gave it."""
    text = remote_id.strip()
    return text.lower() if len(text) in (40, 64) and set(text) <= _HEX else text


@attrs.frozen
class AddRequest:
    """One link handed to a downloader; `save_path` is relative to its download root."""

    url: str
    save_path: str | None = None


@attrs.frozen
class Accepted:
    """The downloader took the link and follows it by `remote_id`: the lowercase hex info-hash
    for BitTorrent, the downloader's own id (aria2's gid, say) for anything else."""

    remote_id: str


@attrs.frozen
class Rejected:
    """The downloader refused the link; trying another downloader may still work."""

    reason: str


@attrs.frozen
class Unreachable:
    """The downloader could not be asked (transport error, timeout, 5xx); not the link's fault."""

    reason: str


@attrs.frozen
class BatchRefused:
    """The downloader answered but refused the whole batch (HTTP 400, 413, 422, a 500 with an
    answer): that may be one link's fault, so the batch is split to find it. Not an outage."""

    reason: str


AddResult = Accepted | Rejected


@attrs.frozen
class Answered:
    """A downloader's answer to a batch, keyed by URL (never by position)."""

    results: Mapping[str, AddResult]

    def result_for(self, url: str) -> AddResult:
        return self.results.get(url, Rejected("the downloader gave no result for this link"))


SubmitAnswer = Answered | Unreachable | BatchRefused


@attrs.frozen
class RemoteStatus:
    """One download as its downloader reports it."""

    remote_id: str
    state: RemoteState
    progress: float = 0.0
    size: int = 0
    name: str | None = None
    save_path: str | None = None
    content_path: str | None = None
    reason: str | None = None
    # What the client knows besides (None: it does not say): bytes done, bytes per second,
    # seconds left, peers and seeds connected, its own word for the state, and whether a
    # magnet has its metadata yet.
    downloaded: int | None = None
    download_speed: int | None = None
    eta: int | None = None
    peers: int | None = None
    seeds: int | None = None
    client_state: str | None = None
    has_metadata: bool | None = None


@attrs.frozen
class StatusReport:
    """A downloader's statuses for the remote ids asked about, keyed by `remote_key`;
    `unclear` holds the ids it reported in words Core does not know (their last known
    status stands)."""

    statuses: Mapping[str, RemoteStatus]
    unclear: frozenset[str] = frozenset()

    def understood(self, remote_id: str) -> bool:
        return remote_key(remote_id) not in self.unclear

    def status_for(self, remote_id: str) -> RemoteStatus:
        found = self.statuses.get(remote_key(remote_id))
        return found or RemoteStatus(remote_id=remote_id, state=RemoteState.NOT_FOUND)


@attrs.frozen
class CancelReport:
    """Which remote ids a downloader cancelled (`True`) and which it did not know (`False`);
    `failed` holds the ones it could not cancel, with its reason (they are still there)."""

    cancelled: Mapping[str, bool]
    failed: Mapping[str, str] = attrs.field(factory=dict)
