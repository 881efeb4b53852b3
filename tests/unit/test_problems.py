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


def test_a_logged_failure_shows_where_but_not_the_row_values(caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from apps.problems import log_failure

    message = 'violates check constraint "c"\nDETAIL:  Failing row (…SECRET)'
    try:
        raise CheckViolation(message)  # the frame's source line must not hold the secret
    except CheckViolation as error:
        log_failure(logging.getLogger("test"), "dispatch round", error)
    (record,) = caplog.records
    assert "dispatch round failed: CheckViolation" in record.getMessage()
    assert "test_problems.py" in record.getMessage(), "the traceback's frames are kept"
    assert "SECRET" not in record.getMessage() and record.exc_info is None
