"""Bearer-token guard for write routes, compared in constant time."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

READS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"  # a route's opt flag: open to anyone (health checks)


def bearer_guard(token: str, *, reads_too: bool = False) -> Any:
    """A Litestar guard: every write (and every read if `reads_too`) needs the bearer token.

    Applied app-wide, so a new write route cannot be added without it.
    """
    expected = token.encode()

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if handler.opt.get(PUBLIC):
            return
        if not reads_too and connection.scope.get("method", "GET") in READS:
            return
        require_bearer(connection, expected)

    return guard


def require_bearer(connection: ASGIConnection[Any, Any, Any, Any], expected: bytes) -> None:
    """Raise 401 unless the request carries `Authorization: Bearer <expected>`."""
    scheme, _sep, given = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise NotAuthorizedException(
            detail="this route needs 'Authorization: Bearer <token>' with the service's token",
            headers={"WWW-Authenticate": "Bearer"},
        )
