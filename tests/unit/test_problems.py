"""Errors shown to users name the failure without the row values Postgres adds below it."""

from __future__ import annotations

from apps.problems import describe


class CheckViolation(Exception):
    pass


def test_an_error_is_described_by_its_kind_and_first_line_only() -> None:
    error = CheckViolation(
        'new row for relation "anime_links" violates check constraint "c"\n'
        "DETAIL:  Failing row contains (https://t.example/dl/1.torrent?passkey=SECRET)."
    )
    assert describe(error) == (
        'CheckViolation: new row for relation "anime_links" violates check constraint "c"'
    )


def test_an_error_without_a_message_is_described_by_its_kind() -> None:
    assert describe(TimeoutError()) == "TimeoutError"
