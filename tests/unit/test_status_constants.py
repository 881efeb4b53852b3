"""The status sets and the report table, written out: mutation testing leaves module-level
constants alone, so these are the tests that notice one of them changing."""

from __future__ import annotations

from dispatch_domain.attempts import Attempt, makes_second_active, plan_retries
from dispatch_domain.status import (
    ACTIVE,
    CANCELLABLE,
    FINAL,
    REPORT_EVENTS,
    RETRYABLE,
    TRACKED,
    DownloadEvent,
)
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus

S = DownloadStatus
E = DownloadEvent


def test_active_downloads_are_the_pending_the_downloading_and_the_unreachable() -> None:
    assert {"pending", "downloading", "downloader_error"} == {s.value for s in ACTIVE}


def test_failed_cancelled_parked_and_unreachable_downloads_may_be_retried() -> None:
    assert {"failed", "cancelled", "no_downloader", "downloader_error"} == {
        s.value for s in RETRYABLE
    }


def test_only_a_completed_download_is_final() -> None:
    assert {"completed"} == {s.value for s in FINAL}


def test_downloads_at_a_downloader_are_followed() -> None:
    assert {"downloading", "downloader_error"} == {s.value for s in TRACKED}


def test_everything_but_completed_and_cancelled_can_be_cancelled() -> None:
    assert {"pending", "downloading", "failed", "no_downloader", "downloader_error"} == {
        s.value for s in CANCELLABLE
    }


def test_each_reported_state_has_its_event() -> None:
    assert {state.value: event.value for state, event in REPORT_EVENTS.items()} == {
        "downloading": "reported_downloading",
        "paused": "reported_downloading",
        "completed": "reported_completed",
        "error": "reported_failed",
        "not_found": "reported_failed",
    }


def test_a_retry_waits_while_another_attempt_of_the_link_is_active() -> None:
    old = Attempt(download_id=1, link_id=9, attempt=1, status=S.DOWNLOADING)
    new = Attempt(download_id=2, link_id=9, attempt=2, status=S.FAILED)
    assert plan_retries([2], [old, new]).retried == ()


def test_a_retry_starts_the_latest_attempt_when_the_others_are_over() -> None:
    old = Attempt(download_id=1, link_id=9, attempt=1, status=S.COMPLETED)
    new = Attempt(download_id=2, link_id=9, attempt=2, status=S.NO_DOWNLOADER)
    plan = plan_retries([1, 2], [old, new])
    assert (plan.retried, plan.superseded) == ((new,), [2])


def test_a_second_active_attempt_is_refused_by_status_name() -> None:
    """Which changes would make an inactive attempt active, written out per status."""
    retry = Transition(1, E.RETRY)
    assert [
        current.value
        for current in (S.FAILED, S.CANCELLED, S.NO_DOWNLOADER, S.COMPLETED)
        if makes_second_active(current, retry, link_has_another_active=True)
    ] == ["failed", "cancelled", "no_downloader", "completed"]
    assert not makes_second_active(S.DOWNLOADER_ERROR, retry, link_has_another_active=True)
    assert not makes_second_active(S.FAILED, retry, link_has_another_active=False)
