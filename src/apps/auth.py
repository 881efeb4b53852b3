"""Bearer-token guard for every route but the public ones, compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

READS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = "public"  # a route's opt flag: open to anyone (health checks)
# Open without a token: the API's own description and browsable docs (they hold no data), and
# the static assets of any page served under /static.
OPEN_PREFIXES = ("/schema", "/static/")


def bearer_guard(
    token: str, *, reads_too: bool = True, open_prefixes: Iterable[str] = OPEN_PREFIXES
) -> Any:
    """A Litestar guard: every route (only writes if not `reads_too`) needs the bearer token,
    except routes flagged PUBLIC and reads under `open_prefixes`.

    Applied app-wide, so a new route cannot be added without it.
    """
    expected = token.encode()
    prefixes = tuple(open_prefixes)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if handler.opt.get(PUBLIC):
            return
        method = connection.scope.get("method", "GET")
        if method in READS and (not reads_too or _under(connection.scope["path"], prefixes)):
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


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in prefixes)
