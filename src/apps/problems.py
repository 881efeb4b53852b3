"""Errors as problem+json (RFC 9457), mapped in one place for every app."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

import msgspec
from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from dispatch_domain.errors import Conflict, DispatchError, InvalidInput, NotFound
from dispatch_domain.services.operations import DownloaderUnavailable

log = logging.getLogger(__name__)

DOMAIN_STATUS: Mapping[type[DispatchError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    Conflict: (409, "Conflict"),
    InvalidInput: (422, "Invalid input"),
    DownloaderUnavailable: (503, "Downloader unavailable"),
}


def _from_domain(error: DispatchError) -> ProblemDetailsException:
    for kind, (status, title) in DOMAIN_STATUS.items():
        if isinstance(error, kind):
            return ProblemDetailsException(status_code=status, title=title, detail=str(error))
    return ProblemDetailsException(status_code=400, title="Bad request", detail=str(error))


def _from_http(error: HTTPException) -> ProblemDetailsException:
    if error.status_code >= 500 and isinstance(error.__cause__, msgspec.ValidationError):
        return _from_shape(error.__cause__)  # a body Litestar could not convert: the caller's
    if error.status_code >= 500 and error.__cause__ is not None:
        return _from_unexpected(error.__cause__)  # type: ignore[arg-type]
    extra = (
        error.extra
        if isinstance(error.extra, dict)
        else {"errors": error.extra}
        if error.extra
        else None
    )
    return ProblemDetailsException(
        status_code=error.status_code,
        title=_title_for(error.status_code),
        detail=error.detail,
        headers=error.headers,
        extra=extra,
    )


def _from_shape(error: msgspec.ValidationError) -> ProblemDetailsException:
    """A body whose shape is wrong (an object where a list belongs, say): the caller's fault."""
    return ProblemDetailsException(
        status_code=400, title="Bad request", detail=f"the body does not fit: {error}"
    )


def describe(error: BaseException) -> str:
    """The error's kind and first line, for users and logs.

    Later lines are dropped: Postgres puts the offending row's values there ("DETAIL: Failing
    row contains (…)"), and a row can hold a URL with a tracker passkey.
    """
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


def log_failure(logger: logging.Logger, what: str, error: BaseException) -> None:
    """Log a failure with where it happened, but only the described message (see describe)."""
    where = "".join(traceback.format_tb(error.__traceback__))
    logger.error("%s failed: %s\n%s", what, describe(error), where.rstrip())


def _from_unexpected(error: Exception) -> ProblemDetailsException:
    # The operator's log gets where it failed; the answer names the failure, never hides it.
    log_failure(log, "request", error)
    return ProblemDetailsException(status_code=500, title="Internal error", detail=describe(error))


RETRY_AFTER = 5  # seconds: how soon a client may try again when the database is away


def unavailable(error: Exception) -> ProblemDetailsException:
    """The database cannot be reached: 503, and when to try again. Nothing was changed."""
    log.warning("request refused, the database is unavailable: %s", describe(error))
    return ProblemDetailsException(
        status_code=503,
        title="Database unavailable",
        detail=describe(error),
        headers={"Retry-After": str(RETRY_AFTER)},
    )


def _title_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_details_plugin(
    extra: Mapping[type[Exception], Callable[[Any], ProblemDetailsException]] | None = None,
) -> ProblemDetailsPlugin:
    """Domain errors, HTTP errors and anything unexpected all answer as problem+json."""
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        DispatchError: _from_domain,
        HTTPException: _from_http,
        msgspec.ValidationError: _from_shape,
        Exception: _from_unexpected,
        **(extra or {}),
    }
    return ProblemDetailsPlugin(ProblemDetailsConfig(exception_to_problem_detail_map=mapping))
