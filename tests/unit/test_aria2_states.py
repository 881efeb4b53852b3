"""aria2's tellStatus answers (every number a string) as the downloader contract's statuses."""

from __future__ import annotations

import pytest

from adapters.aria2.listing import Entry, Listing
from adapters.aria2.states import remote_status
from dispatch_domain import RemoteState, RemoteStatus

HASH = "ab" * 20


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("active", RemoteState.DOWNLOADING),
        ("waiting", RemoteState.DOWNLOADING),
        ("paused", RemoteState.PAUSED),
        ("complete", RemoteState.COMPLETED),
        ("error", RemoteState.ERROR),
        ("removed", RemoteState.NOT_FOUND),
    ],
)
def test_each_aria2_status_has_its_contract_state(status: str, expected: RemoteState) -> None:
    assert remote_status("g1", {"status": status}).state is expected


def test_an_http_download_reports_its_numbers_and_file() -> None:
    row = {
        "status": "active",
        "totalLength": "1000",
        "completedLength": "250",
        "dir": "/srv/media/show",
        "files": [{"path": "/srv/media/show/episode-01.mkv"}],
    }
    assert remote_status("2089b05ecca3d829", row) == RemoteStatus(
        remote_id="2089b05ecca3d829",
        state=RemoteState.DOWNLOADING,
        progress=0.25,
        size=1000,
        name="episode-01.mkv",
        save_path="/srv/media/show",
        content_path="/srv/media/show/episode-01.mkv",
        downloaded=250,
        client_state="active",
    )


def test_a_seeding_torrent_has_completed() -> None:
    row = {"status": "active", "seeder": "true", "totalLength": "10", "completedLength": "10"}
    status = remote_status(HASH, row)
    assert (status.state, status.progress) == (RemoteState.COMPLETED, 1.0)


def test_a_magnet_waiting_for_metadata_names_no_file() -> None:
    row = {
        "status": "active",
        "totalLength": "0",
        "completedLength": "0",
        "dir": "/d",
        "files": [{"path": f"[METADATA]{HASH}"}],
    }
    status = remote_status(HASH, row)
    assert (status.state, status.progress, status.size) == (RemoteState.DOWNLOADING, 0.0, 0)
    assert (status.name, status.content_path) == (None, None)


def test_a_multi_file_torrent_names_its_folder() -> None:
    row = {
        "status": "complete",
        "dir": "/d",
        "bittorrent": {"info": {"name": "Season 1"}},
        "files": [{"path": "/d/Season 1/e1.mkv"}, {"path": "/d/Season 1/e2.mkv"}],
    }
    status = remote_status(HASH, row)
    assert (status.name, status.content_path) == ("Season 1", "/d/Season 1")


def test_an_error_carries_aria2s_message_or_its_code() -> None:
    told = {"status": "error", "errorCode": "3", "errorMessage": "Resource not found"}
    untold = {"status": "error", "errorCode": "9", "errorMessage": ""}
    assert remote_status("g", told).reason == "Resource not found"
    assert remote_status("g", untold).reason == "aria2 reports error code 9"


def test_a_magnet_is_found_through_its_metadata_download_to_the_real_one() -> None:
    listing = Listing.of(
        [
            Entry("meta", "complete", HASH, followed=True),
            Entry("real", "active", HASH),
            Entry("again", "error", HASH, error_code="12"),  # a refused duplicate
        ]
    )
    assert listing.find(HASH) == Entry("real", "active", HASH)
    assert [e.gid for e in listing.related(HASH)] == ["meta", "real", "again"]


def test_removed_downloads_and_refused_duplicates_are_not_found() -> None:
    listing = Listing.of(
        [
            Entry("gone", "removed", HASH),
            Entry("again", "error", HASH, error_code="12"),
            Entry("http", "removed"),
        ]
    )
    assert (listing.find(HASH), listing.find("http"), listing.find("unknown")) == (None,) * 3


def test_a_running_download_is_preferred_to_a_finished_or_failed_one() -> None:
    listing = Listing.of(
        [Entry("old", "error", HASH, error_code="1"), Entry("new", "paused", HASH)]
    )
    assert listing.find(HASH) == Entry("new", "paused", HASH)


def test_a_magnet_waiting_for_metadata_has_no_metadata_and_reports_its_swarm() -> None:
    row = {
        "status": "active",
        "completedLength": "0",
        "downloadSpeed": "0",
        "connections": "3",
        "numSeeders": "1",
        "files": [{"path": "[METADATA]deadbeef"}],
        "bittorrent": {},
    }
    status = remote_status(HASH, row)
    assert (status.has_metadata, status.peers, status.seeds, status.download_speed) == (
        False,
        3,
        1,
        0,
    )


def test_a_torrent_with_its_files_has_its_metadata() -> None:
    row = {"status": "active", "files": [{"path": "/d/ep.mkv"}], "bittorrent": {"info": {}}}
    assert remote_status(HASH, row).has_metadata is True
