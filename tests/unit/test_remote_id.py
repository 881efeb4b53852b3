"""A download's one identity at its downloader: the remote id, for every type of link."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.downloader_api import (
    AddBatchResult,
    AddItemResult,
    add_batch_result,
    make_converter,
)
from adapters.http_downloader import reading
from apps.core.routes.downloads import DownloadOut
from dispatch_domain import (
    Accepted,
    Answered,
    Cascade,
    Downloader,
    DownloadType,
    LinkToPlace,
    Placed,
    Refused,
    Rejected,
)
from dispatch_domain.answers import remote_key
from dispatch_domain.model import DownloadView
from dispatch_domain.vocabulary import DownloadStatus

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HASH = "0123456789abcdef0123456789abcdef01234567"
GID = "2089b05ecca3d829"
FILE = "https://example.org/episode-1.mkv"


def test_an_info_hash_is_matched_in_lowercase_and_any_other_id_exactly() -> None:
    assert remote_key(HASH.upper()) == HASH
    assert remote_key(" " + HASH + " ") == HASH
    assert remote_key("JOB-7") == "JOB-7"
    assert remote_key(GID) == GID


def test_an_acceptance_on_the_wire_carries_the_downloader_s_id_for_any_link() -> None:
    answer = AddBatchResult(
        [
            AddItemResult(url="magnet:?xt=urn:btih:x", status="accepted", hash=HASH.upper()),
            AddItemResult(url=FILE, status="accepted", hash=GID),
        ]
    )

    assert reading.add_results(make_converter().unstructure(answer)) == {
        "magnet:?xt=urn:btih:x": Accepted(HASH),
        FILE: Accepted(GID),
    }


def test_an_acceptance_without_an_id_on_the_wire_is_that_item_s_rejection() -> None:
    answer = AddBatchResult(
        [
            AddItemResult(url=FILE, status="accepted", hash=None),
            AddItemResult(url=FILE + "?2", status="accepted", hash="  "),
            AddItemResult(url=FILE + "?3", status="accepted", hash=GID),
        ]
    )

    assert reading.add_results(make_converter().unstructure(answer)) == {
        FILE: Rejected("accepted without an id"),
        FILE + "?2": Rejected("accepted without an id"),
        FILE + "?3": Accepted(GID),
    }


def test_a_downloader_service_never_sends_an_acceptance_without_an_id() -> None:
    sent = add_batch_result({FILE: Accepted(""), FILE + "?2": Accepted(GID)})

    assert sent.results == [
        AddItemResult(url=FILE, status="rejected", reason="accepted without an id"),
        AddItemResult(url=FILE + "?2", status="accepted", hash=GID),
    ]


def test_the_cascade_refuses_an_acceptance_without_an_id_and_places_one_with_an_id() -> None:
    links = [
        LinkToPlace(1, FILE, DownloadType.HTTP),
        LinkToPlace(2, FILE + "?2", DownloadType.HTTP),
    ]
    aria = Downloader(7, "aria2", "http://127.0.0.1:1", frozenset({DownloadType.HTTP}))
    cascade = Cascade.start(links, [aria], now=NOW)

    done = cascade.fold(Answered({FILE: Accepted(""), FILE + "?2": Accepted(GID)}))

    assert done.outcomes() == {
        1: Refused(("aria2: accepted without an id",)),
        2: Placed(7, GID),
    }


def _view(download_type: DownloadType, remote_id: str | None) -> DownloadView:
    return DownloadView(
        download_id=1,
        link_id=1,
        url=FILE,
        title="t",
        download_type=download_type,
        status=DownloadStatus.DOWNLOADING,
        attempts=1,
        created_at=NOW,
        updated_at=NOW,
        module_id=7,
        remote_id=remote_id,
    )


def test_the_api_shows_a_torrent_hash_for_torrents_and_magnets_only() -> None:
    magnet = DownloadOut.of(_view(DownloadType.MAGNET, HASH))
    torrent = DownloadOut.of(_view(DownloadType.TORRENT, HASH))
    http = DownloadOut.of(_view(DownloadType.HTTP, GID))

    assert (magnet.remote_id, magnet.torrent_hash) == (HASH, HASH)
    assert (torrent.remote_id, torrent.torrent_hash) == (HASH, HASH)
    assert (http.remote_id, http.torrent_hash) == (GID, None)


def test_a_download_of_any_type_with_an_id_is_at_its_downloader() -> None:
    assert _view(DownloadType.HTTP, GID).at_downloader is True
    assert _view(DownloadType.MAGNET, HASH).at_downloader is True
    assert _view(DownloadType.HTTP, None).at_downloader is False
