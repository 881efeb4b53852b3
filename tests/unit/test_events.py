"""Which changes are events, and how an event reads to people."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from dispatch_domain import Health
from dispatch_domain.events import (
    EVENT_TYPES,
    DownloaderFacts,
    DownloadFacts,
    Event,
    EventType,
    SubscriptionFacts,
    event_type_for,
    fetch_event,
    headline,
    health_event,
)
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import DownloadStatus

E = DownloadEvent
T = EventType
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_each_outcome_of_a_download_has_its_event_type():
    assert dict(EVENT_TYPES) == {
        E.ACCEPTED: T.DOWNLOAD_DISPATCHED,
        E.REJECTED: T.DOWNLOAD_FAILED,
        E.NO_DOWNLOADER: T.DOWNLOAD_NO_DOWNLOADER,
        E.STALLED: T.DOWNLOAD_STALLED,
        E.REPORTED_COMPLETED: T.DOWNLOAD_COMPLETED,
        E.REPORTED_FAILED: T.DOWNLOAD_FAILED,
        E.CANCEL: T.DOWNLOAD_CANCELLED,
    }


def test_progress_back_offs_outages_and_retries_are_not_download_events():
    quiet = [
        E.REPORTED_DOWNLOADING,
        E.UNREACHABLE,
        E.POLL_UNREACHABLE,
        E.RETRY,
        E.DOWNLOADER_AVAILABLE,
    ]
    assert [event_type_for(event) for event in quiet] == [None] * 5


def test_every_event_type_has_its_wire_name():
    assert [t.value for t in EventType] == [
        "download.dispatched",
        "download.completed",
        "download.failed",
        "download.stalled",
        "download.cancelled",
        "download.no_downloader",
        "downloader.down",
        "downloader.up",
        "subscription.failed",
        "subscription.recovered",
    ]


def test_a_downloader_is_down_when_it_starts_failing_and_up_when_it_answers_again():
    healthy = Health()
    down = healthy.down(NOW, "refused")

    assert health_event(healthy, down) is T.DOWNLOADER_DOWN
    assert health_event(down, down.down(NOW, "again")) is None
    assert health_event(down, down.up(NOW)) is T.DOWNLOADER_UP
    assert health_event(healthy, healthy.up(NOW)) is None


def _download_event(kind: EventType, reason: str | None) -> Event:
    facts = DownloadFacts(
        7,
        3,
        "Show - 01",
        "magnet:?xt=urn:btih:" + "a" * 40,
        DownloadStatus.FAILED,
        "qbittorrent",
        reason,
        1,
    )
    return Event(1, kind, NOW, download=facts)


def test_a_failure_reads_with_its_title_reason_and_downloader():
    event = _download_event(T.DOWNLOAD_FAILED, "no progress for 6 h")

    assert headline(event) == "Failed: Show - 01: no progress for 6 h at qbittorrent"


def test_a_completion_without_a_reason_names_the_downloader():
    assert headline(_download_event(T.DOWNLOAD_COMPLETED, None)) == (
        "Completed: Show - 01 at qbittorrent"
    )


def test_a_downloader_going_down_reads_with_its_name_and_error():
    event = Event(
        2,
        T.DOWNLOADER_DOWN,
        NOW,
        downloader=DownloaderFacts(4, "qbittorrent", "connection refused"),
    )

    assert headline(event) == "Downloader down: qbittorrent: connection refused"


def test_a_feed_is_failed_when_it_starts_failing_and_recovered_at_its_next_success():
    assert fetch_event(0, 1) is T.SUBSCRIPTION_FAILED
    assert fetch_event(1, 2) is None
    assert fetch_event(4, 0) is T.SUBSCRIPTION_RECOVERED
    assert fetch_event(0, 0) is None


def test_a_failing_feed_reads_with_the_subscription_name_and_reason():
    facts = SubscriptionFacts(
        5, "Frieren", "https://feeds.example/f.xml?passkey=s3cret", "HTTP 500"
    )
    failed = Event(3, T.SUBSCRIPTION_FAILED, NOW, subscription=facts)
    recovered = Event(
        4, T.SUBSCRIPTION_RECOVERED, NOW, subscription=attrs.evolve(facts, reason=None)
    )

    assert headline(failed) == "Feed failed: Frieren: HTTP 500"
    assert headline(recovered) == "Feed recovered: Frieren"
