"""The download status machine: a table of allowed transitions and one function to apply events."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from dispatch_domain.errors import Conflict
from dispatch_domain.vocabulary import DownloadStatus, RemoteState

S = DownloadStatus


class DownloadEvent(StrEnum):
    """Something that happened to a download attempt."""

    ACCEPTED = "accepted"  # a downloader took it
    REJECTED = "rejected"  # every capable downloader refused it
    UNREACHABLE = "unreachable"  # every capable downloader was down; try again later
    NO_DOWNLOADER = "no_downloader"  # no enabled downloader takes its type
    DOWNLOADER_AVAILABLE = "downloader_available"  # one that takes its type registered
    REPORTED_DOWNLOADING = "reported_downloading"
    REPORTED_COMPLETED = "reported_completed"
    REPORTED_FAILED = "reported_failed"  # client error, or the client no longer knows it
    POLL_UNREACHABLE = "poll_unreachable"  # its downloader did not answer a poll
    STALLED = "stalled"  # no progress (or no metadata) for too long: taken off its client
    CANCEL = "cancel"
    RETRY = "retry"


ACTIVE: frozenset[DownloadStatus] = frozenset({S.PENDING, S.DOWNLOADING, S.DOWNLOADER_ERROR})
FINAL: frozenset[DownloadStatus] = frozenset({S.COMPLETED})
RETRYABLE: frozenset[DownloadStatus] = frozenset(
    {S.FAILED, S.CANCELLED, S.NO_DOWNLOADER, S.DOWNLOADER_ERROR}
)
TRACKED: frozenset[DownloadStatus] = frozenset({S.DOWNLOADING, S.DOWNLOADER_ERROR})
CANCELLABLE: frozenset[DownloadStatus] = frozenset(set(DownloadStatus) - FINAL - {S.CANCELLED})
E = DownloadEvent
_AT_DOWNLOADER = (S.DOWNLOADING, S.DOWNLOADER_ERROR)

TRANSITIONS: Mapping[tuple[DownloadStatus, DownloadEvent], DownloadStatus] = {
    (S.PENDING, E.ACCEPTED): S.DOWNLOADING,
    (S.PENDING, E.REJECTED): S.FAILED,
    (S.PENDING, E.UNREACHABLE): S.PENDING,
    (S.PENDING, E.NO_DOWNLOADER): S.NO_DOWNLOADER,
    (S.NO_DOWNLOADER, E.DOWNLOADER_AVAILABLE): S.PENDING,
    **{(s, E.REPORTED_DOWNLOADING): S.DOWNLOADING for s in _AT_DOWNLOADER},
    **{(s, E.REPORTED_COMPLETED): S.COMPLETED for s in _AT_DOWNLOADER},
    **{(s, E.REPORTED_FAILED): S.FAILED for s in _AT_DOWNLOADER},
    **{(s, E.POLL_UNREACHABLE): S.DOWNLOADER_ERROR for s in _AT_DOWNLOADER},
    (S.DOWNLOADING, E.STALLED): S.FAILED,
    **{(s, E.CANCEL): S.CANCELLED for s in CANCELLABLE},
    **{(s, E.RETRY): S.PENDING for s in RETRYABLE},
}


class IllegalTransition(Conflict):
    """An event that the table does not allow from the current status."""

    def __init__(self, status: DownloadStatus, event: DownloadEvent) -> None:
        super().__init__(f"a {status.value} download cannot take the event {event.value!r}")
        self.status = status
        self.event = event


def apply(status: DownloadStatus, event: DownloadEvent) -> DownloadStatus:
    """The status after `event`, or IllegalTransition if the table has no such move."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(status, event) from None


_TARGETS: Mapping[DownloadEvent, DownloadStatus] = {e: t for (_, e), t in TRANSITIONS.items()}
_SOURCES: Mapping[DownloadEvent, frozenset[DownloadStatus]] = {
    event: frozenset(status for status, taken in TRANSITIONS if taken == event) for event in E
}


def target_of(event: DownloadEvent) -> DownloadStatus:
    """Where `event` leads; every event in the table has exactly one target (a test checks)."""
    return _TARGETS[event]


def sources_of(event: DownloadEvent) -> frozenset[DownloadStatus]:
    """Every status `event` may be applied to; repositories guard bulk updates with it."""
    return _SOURCES[event]


REPORT_EVENTS: Mapping[RemoteState, DownloadEvent] = {
    RemoteState.DOWNLOADING: E.REPORTED_DOWNLOADING,
    RemoteState.PAUSED: E.REPORTED_DOWNLOADING,
    RemoteState.COMPLETED: E.REPORTED_COMPLETED,
    RemoteState.ERROR: E.REPORTED_FAILED,
    RemoteState.NOT_FOUND: E.REPORTED_FAILED,
}
