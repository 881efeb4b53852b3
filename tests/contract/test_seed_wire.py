"""Core's gateway against a downloader of the seed system: requests its DTOs accept, and its
answers read item by item, so an odd word costs only its own item."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import attrs
import httpx
import pytest

from adapters.http_downloader import HttpDownloaderGateway
from dispatch_domain import (
    Accepted,
    AddRequest,
    Answered,
    CancelReport,
    Downloader,
    DownloadType,
    Rejected,
    RemoteState,
    StatusReport,
    Unreachable,
)
from dispatch_domain.model import Tracked
from dispatch_domain.services.polling import transitions_from_report
from dispatch_domain.vocabulary import DownloadStatus
from tests.support.seed_downloader import SeedDownloader, served_seed

HASH_A, HASH_B, HASH_C = "a" * 40, "b" * 40, "c" * 40
MAGNET_A, MAGNET_B = f"magnet:?xt=urn:btih:{HASH_A}", f"magnet:?xt=urn:btih:{HASH_B}"


@attrs.frozen
class Seed:
    double: SeedDownloader
    gateway: HttpDownloaderGateway
    downloader: Downloader


@pytest.fixture
async def seed() -> AsyncIterator[Seed]:
    double = SeedDownloader(hashes={MAGNET_A: HASH_A, MAGNET_B: HASH_B})
    async with served_seed(double) as url, httpx.AsyncClient(timeout=5) as http:
        downloader = Downloader(1, "seed-qb", url, frozenset(DownloadType))
        yield Seed(double, HttpDownloaderGateway(http), downloader)


async def test_a_link_without_a_save_path_is_sent_with_an_empty_string(seed: Seed) -> None:
    answer = await seed.gateway.submit(
        seed.downloader, [AddRequest(MAGNET_A), AddRequest(MAGNET_B, "shows/B")]
    )

    assert seed.double.received == [
        {
            "items": [
                {"url": MAGNET_A, "save_path": ""},
                {"url": MAGNET_B, "save_path": "shows/B"},
            ]
        }
    ]
    assert answer == Answered({MAGNET_A: Accepted(HASH_A), MAGNET_B: Accepted(HASH_B)})


async def test_an_item_the_seed_reports_failed_is_that_item_s_rejection(seed: Seed) -> None:
    seed.double.failures[MAGNET_B] = "qBittorrent refused the torrent"

    answer = await seed.gateway.submit(
        seed.downloader, [AddRequest(MAGNET_A), AddRequest(MAGNET_B)]
    )

    assert answer == Answered(
        {MAGNET_A: Accepted(HASH_A), MAGNET_B: Rejected("qBittorrent refused the torrent")}
    )


async def test_an_unknown_status_word_keeps_that_download_as_it_was_and_is_logged_once(
    seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    seed.double.states.update({HASH_A: "checking", HASH_B: "completed", HASH_C: "checking"})

    with caplog.at_level(logging.WARNING):
        report = await seed.gateway.statuses(seed.downloader, [HASH_A, HASH_B, HASH_C])
        again = await seed.gateway.statuses(seed.downloader, [HASH_A])

    assert isinstance(report, StatusReport) and isinstance(again, StatusReport)
    assert report.unclear == frozenset({HASH_A, HASH_C})
    assert report.status_for(HASH_B).state is RemoteState.COMPLETED
    tracked = [
        Tracked(1, 1, HASH_A, DownloadStatus.DOWNLOADING),
        Tracked(2, 1, HASH_B, DownloadStatus.DOWNLOADING),
    ]
    assert [t.download_id for t in transitions_from_report(tracked, report)] == [2]
    warnings = [r.getMessage() for r in caplog.records if "'checking'" in r.getMessage()]
    assert len(warnings) == 1


async def test_a_hash_the_seed_failed_to_cancel_is_that_hash_s_failure(seed: Seed) -> None:
    seed.double.states.update({HASH_A: "downloading", HASH_B: "downloading"})
    seed.double.cancel_failures[HASH_B] = "torrent is locked"

    report = await seed.gateway.cancel(seed.downloader, [HASH_A, HASH_B, HASH_C])

    assert report == CancelReport(
        {HASH_A: True, HASH_C: False}, {HASH_B: "failed: torrent is locked"}
    )


async def test_an_answer_that_is_not_the_contract_at_all_is_the_downloader_s_failure(
    seed: Seed,
) -> None:
    seed.double.garbage = True

    added = await seed.gateway.submit(seed.downloader, [AddRequest(MAGNET_A)])
    polled = await seed.gateway.statuses(seed.downloader, [HASH_A])

    assert isinstance(added, Unreachable) and "invalid answer from /downloads" in added.reason
    assert isinstance(polled, Unreachable) and "invalid answer from /downloads" in polled.reason


async def test_the_seed_refuses_a_null_save_path_as_its_dto_does(seed: Seed) -> None:
    """The double is as strict as the seed: a Core sending null would be refused whole."""
    async with httpx.AsyncClient(base_url=seed.downloader.base_url) as http:
        response = await http.post(
            "/downloads", json={"items": [{"url": MAGNET_A, "save_path": None, "extra": 1}]}
        )

    assert response.status_code == 422
    assert "save_path" in response.text
