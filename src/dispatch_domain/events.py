"""Events: what happened to a download, a downloader or a subscription's feed, as subscribers
and the UI receive it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

import attrs

from dispatch_domain.health import Health
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import DownloadStatus


class EventType(StrEnum):
    """The kinds of event Core records and delivers."""

    DOWNLOAD_DISPATCHED = "download.dispatched"
    DOWNLOAD_COMPLETED = "download.completed"
    DOWNLOAD_FAILED = "download.failed"
    DOWNLOAD_STALLED = "download.stalled"
    DOWNLOAD_CANCELLED = "download.cancelled"
    DOWNLOAD_NO_DOWNLOADER = "download.no_downloader"
    DOWNLOADER_DOWN = "downloader.down"
    DOWNLOADER_UP = "downloader.up"
    SUBSCRIPTION_FAILED = "subscription.failed"
    SUBSCRIPTION_RECOVERED = "subscription.recovered"


E = DownloadEvent
T = EventType

EVENT_TYPES: Mapping[DownloadEvent, EventType] = {
    E.ACCEPTED: T.DOWNLOAD_DISPATCHED,
    E.REJECTED: T.DOWNLOAD_FAILED,
    E.NO_DOWNLOADER: T.DOWNLOAD_NO_DOWNLOADER,
    E.REPORTED_COMPLETED: T.DOWNLOAD_COMPLETED,
    E.REPORTED_FAILED: T.DOWNLOAD_FAILED,
    E.STALLED: T.DOWNLOAD_STALLED,
    E.CANCEL: T.DOWNLOAD_CANCELLED,
}
"""The event recorded when a transition is applied. A transition not in the table (a poll
that only updates progress, a retry, a back-off) records nothing: subscribers hear of outcomes,
and a downloader's outage is one downloader.down, not one event per download it follows."""


def event_type_for(event: DownloadEvent) -> EventType | None:
    return EVENT_TYPES.get(event)


def health_event(before: Health, after: Health) -> EventType | None:
    """downloader.down when a healthy downloader fails, downloader.up when a failing one
    answers again; nothing while it stays as it was."""
    if before.failures == 0 and after.failures > 0:
        return T.DOWNLOADER_DOWN
    if before.failures > 0 and after.failures == 0:
        return T.DOWNLOADER_UP
    return None


def fetch_event(failures_before: int, failures_after: int) -> EventType | None:
    """subscription.failed when a feed that was fetched fine fails to fetch or parse,
    subscription.recovered at its first success after failures; nothing while it stays as it
    was (a feed down for a day is one event, not one per retry)."""
    if failures_before == 0 and failures_after > 0:
        return T.SUBSCRIPTION_FAILED
    if failures_before > 0 and failures_after == 0:
        return T.SUBSCRIPTION_RECOVERED
    return None


@attrs.frozen
class DownloadFacts:
    """The download an event is about, as it stood when the event was read."""

    download_id: int
    link_id: int
    title: str
    url: str
    status: DownloadStatus
    downloader: str | None
    reason: str | None
    attempts: int


@attrs.frozen
class DownloaderFacts:
    module_id: int
    service_name: str
    reason: str | None


@attrs.frozen
class SubscriptionFacts:
    """The subscription a fetch event is about; `reason` is why the fetch failed."""

    subscription_id: int
    name: str
    feed_url: str
    reason: str | None


@attrs.frozen
class Event:
    """One recorded event; ids rise in the order events become visible to readers."""

    event_id: int
    type: EventType
    occurred_at: datetime
    download: DownloadFacts | None = None
    downloader: DownloaderFacts | None = None
    subscription: SubscriptionFacts | None = None


_VERBS: Mapping[EventType, str] = {
    T.DOWNLOAD_DISPATCHED: "Dispatched",
    T.DOWNLOAD_COMPLETED: "Completed",
    T.DOWNLOAD_FAILED: "Failed",
    T.DOWNLOAD_STALLED: "Stalled",
    T.DOWNLOAD_CANCELLED: "Cancelled",
    T.DOWNLOAD_NO_DOWNLOADER: "No downloader",
    T.DOWNLOADER_DOWN: "Downloader down",
    T.DOWNLOADER_UP: "Downloader up",
    T.SUBSCRIPTION_FAILED: "Feed failed",
    T.SUBSCRIPTION_RECOVERED: "Feed recovered",
}


def headline(event: Event) -> str:
    """A short line for people: "Failed: Show - 01: no seeds at qbittorrent"."""
    verb = _VERBS[event.type]
    if event.download is not None:
        facts = event.download
        where = f" at {facts.downloader}" if facts.downloader else ""
        detail = f": {facts.reason}{where}" if facts.reason else where
        return f"{verb}: {facts.title}{detail}"
    if event.downloader is not None:
        reason = f": {event.downloader.reason}" if event.downloader.reason else ""
        return f"{verb}: {event.downloader.service_name}{reason}"
    if event.subscription is not None:
        reason = f": {event.subscription.reason}" if event.subscription.reason else ""
        return f"{verb}: {event.subscription.name}{reason}"
    return verb
