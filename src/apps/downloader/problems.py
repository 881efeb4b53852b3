"""Errors as problem+json (RFC 9457), mapped in one place: a failing download client is a 502."""

from __future__ import annotations

from http import HTTPStatus

from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from dispatch_domain import BackendError, InvalidInput


def _from_backend(error: BackendError) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=502, title="The download client failed", detail=str(error)
    )


def _from_invalid(error: InvalidInput) -> ProblemDetailsException:
    return ProblemDetailsException(status_code=422, title="Invalid input", detail=str(error))


def _from_http(error: HTTPException) -> ProblemDetailsException:
    extra = error.extra if isinstance(error.extra, dict) else {"errors": error.extra}
    return ProblemDetailsException(
        status_code=error.status_code,
        title=HTTPStatus(error.status_code).phrase,
        detail=error.detail,
        headers=error.headers,
        extra=extra if error.extra else None,
    )


def problem_details() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                HTTPException: _from_http,
                BackendError: _from_backend,
                InvalidInput: _from_invalid,
            }
        )
    )
