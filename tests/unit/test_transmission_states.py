"""Transmission's status numbers, percentDone and error in the contract's words."""

from __future__ import annotations

import pytest

from adapters.transmission.states import remote_status
from dispatch_domain import RemoteState, RemoteStatus

HASH = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("status", "percent_done", "expected"),
    [
        (0, 0.3, RemoteState.PAUSED),  # stopped before the end
        (0, 1.0, RemoteState.COMPLETED),  # stopped after it
        (1, 0.0, RemoteState.DOWNLOADING),  # queued to check
        (2, 0.5, RemoteState.DOWNLOADING),  # checking
        (2, 1.0, RemoteState.COMPLETED),
        (3, 0.0, RemoteState.DOWNLOADING),  # queued to download
        (4, 0.0, RemoteState.DOWNLOADING),  # downloading, or a magnet awaiting metadata
        (5, 1.0, RemoteState.COMPLETED),  # queued to seed
        (6, 1.0, RemoteState.COMPLETED),  # seeding
    ],
)
def test_status_numbers(status: int, percent_done: float, expected: RemoteState) -> None:
    row = {"status": status, "percentDone": percent_done, "error": 0}
    assert remote_status(HASH, row).state is expected


def test_a_local_error_is_an_error_with_transmissions_words() -> None:
    row = {
        "status": 0,
        "percentDone": 0.4,
        "error": 3,
        "errorString": "No data found! Ensure your drives are connected",
        "name": "ep.mkv",
        "downloadDir": "/srv/tv",
        "totalSize": 1000,
    }
    assert remote_status(HASH, row) == RemoteStatus(
        remote_id=HASH,
        state=RemoteState.ERROR,
        progress=0.4,
        size=1000,
        name="ep.mkv",
        save_path="/srv/tv",
        content_path="/srv/tv/ep.mkv",
        reason=(
            "Transmission reports an error for this torrent: "
            "No data found! Ensure your drives are connected"
        ),
        client_state="stopped",
    )


@pytest.mark.parametrize("tracker_error", [1, 2])
def test_a_tracker_warning_or_error_does_not_stop_a_download(tracker_error: int) -> None:
    row = {"status": 4, "percentDone": 0.1, "error": tracker_error, "errorString": "timed out"}
    status = remote_status(HASH, row)
    assert (status.state, status.reason) == (RemoteState.DOWNLOADING, None)


def test_details_come_from_transmissions_own_fields() -> None:
    row = {
        "status": 4,
        "percentDone": 0.5,
        "rateDownload": 2048,
        "eta": 120,
        "peersConnected": 7,
        "peersSendingToUs": 2,
        "metadataPercentComplete": 1,
        "downloadedEver": 600,
        "haveValid": 500,
    }
    status = remote_status(HASH, row)
    assert (
        status.downloaded,
        status.download_speed,
        status.eta,
        status.peers,
        status.seeds,
        status.client_state,
        status.has_metadata,
    ) == (500, 2048, 120, 7, 2, "downloading", True)


def test_an_unknown_eta_and_a_magnet_without_metadata() -> None:
    row = {"status": 4, "eta": -1, "metadataPercentComplete": 0.25}
    status = remote_status(HASH, row)
    assert (status.eta, status.has_metadata) == (None, False)
