"""The repository rules decided once in the domain: retries, one active attempt, no-op writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dispatch_domain.attempts import (
    Attempt,
    changes_nothing,
    makes_second_active,
    plan_retries,
    retryable,
)
from dispatch_domain.status import DownloadEvent as E
from dispatch_domain.transition import KEPT_UNLESS_GIVEN, Transition
from dispatch_domain.vocabulary import DownloadStatus as S
from dispatch_domain.vocabulary import RemoteState

LATER = datetime(2026, 1, 1, tzinfo=UTC)


def _link(*statuses: S, link_id: int = 1, first_id: int = 10) -> list[Attempt]:
    """The attempts of one link, oldest first."""
    return [Attempt(first_id + n, link_id, n + 1, status) for n, status in enumerate(statuses)]


@pytest.mark.parametrize("status", [S.FAILED, S.CANCELLED, S.NO_DOWNLOADER, S.DOWNLOADER_ERROR])
def test_a_link_s_latest_attempt_may_be_retried_when_it_ended_or_is_stuck(status: S) -> None:
    (attempt,) = _link(status)
    assert retryable(attempt, [attempt]) is True


@pytest.mark.parametrize("status", [S.PENDING, S.DOWNLOADING, S.COMPLETED])
def test_an_attempt_under_way_or_completed_is_not_retried(status: S) -> None:
    (attempt,) = _link(status)
    assert retryable(attempt, [attempt]) is False


def test_an_older_attempt_is_not_retried_once_a_newer_one_exists() -> None:
    old, new = _link(S.FAILED, S.FAILED)
    assert (retryable(old, [old, new]), retryable(new, [old, new])) == (False, True)


def test_a_stuck_attempt_is_not_retried_while_another_attempt_of_its_link_is_active() -> None:
    stuck, active = _link(S.DOWNLOADER_ERROR, S.DOWNLOADING)
    assert retryable(stuck, [stuck, active]) is False


def test_a_retry_plan_takes_each_retryable_request_once_and_supersedes_the_open_ones() -> None:
    attempts = [
        *_link(S.FAILED, link_id=1, first_id=10),
        *_link(S.DOWNLOADER_ERROR, link_id=2, first_id=20),
        *_link(S.FAILED, S.DOWNLOADING, link_id=3, first_id=30),
    ]

    plan = plan_retries([20, 10, 10, 30, 31, 99], attempts)

    assert [a.download_id for a in plan.retried] == [10, 20]
    assert plan.superseded == [20]


@pytest.mark.parametrize(
    ("current", "event", "another_active", "refused"),
    [
        (S.FAILED, E.RETRY, True, True),  # would be a second active attempt
        (S.FAILED, E.RETRY, False, False),
        (S.NO_DOWNLOADER, E.DOWNLOADER_AVAILABLE, True, True),
        (S.DOWNLOADING, E.REPORTED_DOWNLOADING, True, False),  # already active: no new one
        (S.PENDING, E.REJECTED, True, False),  # leaves the active set
    ],
)
def test_no_change_makes_a_second_active_attempt_of_a_link(
    current: S, event: E, another_active: bool, refused: bool
) -> None:
    assert makes_second_active(current, Transition(1, event), another_active) is refused


COLUMNS = {
    "reason": None,
    "remote_state": RemoteState.DOWNLOADING,
    "module_id": 3,
    "remote_id": "2089b05ecca3d829",
    "progress": 0.5,
    "size": 100,
    "content_path": None,
    "downloaded": None,
    "download_speed": None,
    "eta": None,
    "peers": None,
    "seeds": None,
    "client_state": None,
    "has_metadata": None,
    "progress_at": None,
}
SAME = Transition(1, E.REPORTED_DOWNLOADING, remote_state=RemoteState.DOWNLOADING, progress=0.5)


def test_a_report_that_repeats_what_is_known_changes_nothing() -> None:
    assert changes_nothing(S.DOWNLOADING, COLUMNS, SAME) is True
    assert changes_nothing(S.DOWNLOADING, COLUMNS, Transition(1, E.REPORTED_DOWNLOADING)) is False


@pytest.mark.parametrize(
    "change",
    [
        Transition(1, E.REPORTED_DOWNLOADING, remote_state=RemoteState.PAUSED, progress=0.5),
        Transition(1, E.REPORTED_DOWNLOADING, remote_state=RemoteState.DOWNLOADING, size=200),
        Transition(1, E.REPORTED_DOWNLOADING, remote_state=RemoteState.DOWNLOADING, reason="x"),
        Transition(1, E.POLL_UNREACHABLE, remote_state=RemoteState.DOWNLOADING),
    ],
    ids=["remote state", "size", "reason", "status"],
)
def test_a_change_to_any_written_field_or_the_status_is_written(change: Transition) -> None:
    assert changes_nothing(S.DOWNLOADING, COLUMNS, change) is False


def test_a_new_due_time_always_counts_as_a_change() -> None:
    unchanged = {**COLUMNS, "remote_state": None}
    assert (
        changes_nothing(S.PENDING, unchanged, Transition(1, E.UNREACHABLE, retry_at=LATER)) is False
    )


def test_a_change_writes_reason_and_remote_state_always_and_the_rest_only_when_given() -> None:
    assert KEPT_UNLESS_GIVEN == (
        "module_id",
        "remote_id",
        "progress",
        "size",
        "content_path",
        "downloaded",
        "download_speed",
        "eta",
        "peers",
        "seeds",
        "client_state",
        "has_metadata",
        "progress_at",
    )
    assert Transition(1, E.ACCEPTED, module_id=3, remote_id="job-7").written() == {
        "reason": None,
        "remote_state": None,
        "module_id": 3,
        "remote_id": "job-7",
    }
    assert Transition(1, E.REPORTED_COMPLETED, progress=1).written()["progress"] == 1.0
