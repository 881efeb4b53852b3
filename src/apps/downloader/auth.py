"""Bearer-token guard for every route but the public ones (health), compared in constant time."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

PUBLIC = "public"


def bearer_guard(token: str) -> Any:
    """A Litestar guard; applied app-wide so a new route cannot be added without it."""
    expected = token.encode()

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if handler.opt.get(PUBLIC):
            return
        scheme, _, given = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise NotAuthorizedException(
                detail="this route needs 'Authorization: Bearer <token>' with the service's token",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return guard
