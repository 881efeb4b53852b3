"""qBittorrent's states map to the contract's words exactly as brief §5 says."""

from __future__ import annotations

import pytest

from adapters.qbittorrent.states import (
    STATE_TABLE,
    TRANSIENT_STATES,
    StatusMemory,
    remote_state,
    remote_status,
)
from dispatch_domain import RemoteState

HASH = "0123456789abcdef0123456789abcdef01234567"

DOWNLOADING = [
    "downloading", "stalledDL", "metaDL", "forcedDL", "queuedDL", "checkingDL", "allocating",
]  # fmt: skip
COMPLETED = [
    "uploading", "stalledUP", "forcedUP", "queuedUP", "checkingUP", "pausedUP", "stoppedUP",
]  # fmt: skip


@pytest.mark.parametrize("state", DOWNLOADING)
def test_download_states_are_downloading(state: str) -> None:
    assert remote_state(state, 0.3, None) is RemoteState.DOWNLOADING


@pytest.mark.parametrize("state", COMPLETED)
def test_seeding_and_finished_states_are_completed(state: str) -> None:
    assert remote_state(state, 1.0, None) is RemoteState.COMPLETED


@pytest.mark.parametrize("state", ["pausedDL", "stoppedDL"])
def test_paused_and_stopped_downloads_are_paused_in_both_api_generations(state: str) -> None:
    assert remote_state(state, 0.5, None) is RemoteState.PAUSED


@pytest.mark.parametrize("state", ["error", "missingFiles"])
def test_error_states_are_errors(state: str) -> None:
    assert remote_state(state, 0.5, None) is RemoteState.ERROR


@pytest.mark.parametrize("state", sorted(TRANSIENT_STATES))
@pytest.mark.parametrize("last", [RemoteState.PAUSED, RemoteState.COMPLETED])
def test_transient_states_keep_the_last_known_status(state: str, last: RemoteState) -> None:
    assert state not in STATE_TABLE
    assert remote_state(state, 0.2, last) is last


def test_a_transient_state_never_seen_before_falls_back_on_progress() -> None:
    assert remote_state("moving", 1.0, None) is RemoteState.COMPLETED
    assert remote_state("checkingResumeData", 0.4, None) is RemoteState.DOWNLOADING


def test_a_state_from_a_future_version_keeps_the_last_known_status() -> None:
    assert remote_state("someNewState", 0.1, RemoteState.PAUSED) is RemoteState.PAUSED


def test_status_memory_carries_a_paused_download_through_a_restart_check() -> None:
    memory = StatusMemory()
    remote_status(HASH, {"state": "pausedDL", "progress": 0.5}, memory)
    during_check = remote_status(HASH, {"state": "checkingResumeData", "progress": 0.5}, memory)
    assert during_check.state is RemoteState.PAUSED


def test_status_memory_forgets_the_oldest_hash_first() -> None:
    memory = StatusMemory(capacity=2)
    for name in ("a", "b", "c"):
        memory.remember(name, RemoteState.DOWNLOADING)
    assert memory.recall("a") is None
    assert memory.recall("c") is RemoteState.DOWNLOADING


def test_a_completed_row_reports_progress_one_and_its_fields() -> None:
    row = {
        "state": "stalledUP",
        "progress": 0.9999,
        "size": 1048576,
        "name": "Show 01.mkv",
        "save_path": "/data/show",
        "content_path": "/data/show/Show 01.mkv",
    }
    status = remote_status(HASH, row, StatusMemory())
    assert status.state is RemoteState.COMPLETED
    assert status.progress == 1.0
    assert status.size == 1048576
    assert (status.name, status.save_path) == ("Show 01.mkv", "/data/show")
    assert status.content_path == "/data/show/Show 01.mkv"


def test_a_magnet_without_metadata_reports_size_zero_not_minus_one() -> None:
    status = remote_status(HASH, {"state": "metaDL", "progress": 0, "size": -1}, StatusMemory())
    assert status.size == 0
    assert status.content_path is None


def test_an_error_row_says_why() -> None:
    status = remote_status(HASH, {"state": "missingFiles", "progress": 0.5}, StatusMemory())
    assert status.state is RemoteState.ERROR
    assert status.reason is not None
    assert "files" in status.reason


def test_details_come_from_qbittorrents_own_fields() -> None:
    row = {
        "state": "stalledDL",
        "progress": 0.12,
        "downloaded": 1200,
        "dlspeed": 0,
        "eta": 8640000,
        "num_seeds": 0,
        "num_leechs": 4,
        "has_metadata": True,
    }
    status = remote_status(HASH, row, StatusMemory())
    assert (
        status.downloaded,
        status.download_speed,
        status.eta,
        status.peers,
        status.seeds,
        status.client_state,
        status.has_metadata,
    ) == (1200, 0, None, 4, 0, "stalledDL", True)


def test_qbittorrent_4_5_says_no_metadata_by_a_total_size_of_minus_one() -> None:
    row = {"state": "metaDL", "total_size": -1, "eta": 30}
    status = remote_status(HASH, row, StatusMemory())
    assert (status.has_metadata, status.eta, status.peers) == (False, 30, None)


def test_odd_detail_fields_are_left_out_not_fatal() -> None:
    row = {"state": "downloading", "dlspeed": "fast", "num_seeds": -1, "eta": None}
    status = remote_status(HASH, row, StatusMemory())
    assert (status.state, status.download_speed, status.seeds, status.eta) == (
        RemoteState.DOWNLOADING,
        None,
        None,
        None,
    )
