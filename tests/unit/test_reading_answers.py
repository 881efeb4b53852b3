"""Core reads a downloader's answers item by item: an odd item costs only itself, and only a
body that is not the contract at all is the downloader's failure."""

from __future__ import annotations

import pytest

from adapters.http_downloader.reading import (
    NotTheContract,
    StatusReader,
    add_results,
    cancel_report,
)
from dispatch_domain import Accepted, CancelReport, Rejected, RemoteState, RemoteStatus

HASH_A, HASH_B = "a" * 40, "b" * 40


def test_any_result_but_accepted_is_a_rejection_with_its_reason_or_its_word() -> None:
    payload = {
        "results": [
            {"url": "u1", "status": "accepted", "hash": HASH_A.upper()},
            {"url": "u2", "status": "failed", "reason": "disk full"},
            {"url": "u3", "status": "queued_for_later"},
            {"url": "u4", "status": "accepted"},
            {"status": "accepted", "hash": HASH_B},  # names no link
            "not an object",
            {"url": 5, "status": "accepted", "hash": HASH_B},
        ],
        "extra": "ignored",
    }

    assert add_results(payload) == {
        "u1": Accepted(HASH_A),
        "u2": Rejected("disk full"),
        "u3": Rejected("the downloader answered 'queued_for_later'"),
        "u4": Rejected("accepted without an id"),
    }


@pytest.mark.parametrize(
    "payload", [None, [], "results", {"results": None}, {"results": {"u": "accepted"}}, {}]
)
def test_a_body_that_is_not_the_contract_is_refused_whole(payload: object) -> None:
    with pytest.raises(NotTheContract):
        add_results(payload)
    with pytest.raises(NotTheContract):
        cancel_report(payload)


@pytest.mark.parametrize("word", ["checking", "queued", "unknown", "", None, 3])
def test_a_status_in_an_unknown_word_is_unclear_and_the_others_are_read(word: object) -> None:
    payload = {
        "statuses": [
            {"hash": HASH_A, "status": word, "progress": 0.5, "size": 1},
            {"hash": HASH_B.upper(), "status": "completed", "progress": 1.0, "size": 9},
        ]
    }

    report = StatusReader().report([payload])

    assert report.unclear == frozenset({HASH_A})
    assert not report.understood(HASH_A.upper())
    assert report.statuses == {HASH_B: RemoteStatus(HASH_B, RemoteState.COMPLETED, 1.0, 9)}


def test_a_status_with_unreadable_fields_is_unclear_and_a_missing_progress_is_zero() -> None:
    payload = {
        "statuses": [
            {"hash": HASH_A, "status": "downloading", "progress": "half"},
            {"hash": HASH_B, "status": "downloading"},
            {"status": "downloading"},
        ]
    }

    report = StatusReader().report([payload])

    assert report.unclear == frozenset({HASH_A})
    assert report.statuses == {HASH_B: RemoteStatus(HASH_B, RemoteState.DOWNLOADING, 0.0, 0)}


def test_cancel_words_beyond_the_contract_are_that_hash_s_failure() -> None:
    payload = {
        "results": [
            {"hash": HASH_A, "status": "cancelled"},
            {"hash": HASH_B, "status": "failed: torrent is locked"},
            {"hash": "c" * 40, "status": "not_found"},
            {"hash": "d" * 40},
        ]
    }

    assert cancel_report(payload) == CancelReport(
        {HASH_A: True, "c" * 40: False},
        {HASH_B: "failed: torrent is locked", "d" * 40: "no status given"},
    )


def test_status_details_are_read_and_odd_or_unknown_ones_cost_nothing() -> None:
    payload = {
        "statuses": [
            {
                "hash": HASH_A,
                "status": "downloading",
                "progress": 0.5,
                "downloaded": 500,
                "download_speed": 1024,
                "eta": 60,
                "peers": 5,
                "seeds": 2,
                "client_state": "stalledDL",
                "has_metadata": True,
                "a_field_from_the_future": {"x": 1},
            },
            {
                "hash": HASH_B,
                "status": "downloading",
                "downloaded": "lots",
                "eta": -1,
                "peers": True,
                "client_state": 7,
                "has_metadata": "yes",
            },
        ]
    }

    report = StatusReader().report([payload])

    assert report.statuses[HASH_A] == RemoteStatus(
        HASH_A,
        RemoteState.DOWNLOADING,
        0.5,
        downloaded=500,
        download_speed=1024,
        eta=60,
        peers=5,
        seeds=2,
        client_state="stalledDL",
        has_metadata=True,
    )
    assert report.statuses[HASH_B] == RemoteStatus(HASH_B, RemoteState.DOWNLOADING)
