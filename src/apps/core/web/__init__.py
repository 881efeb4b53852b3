"""Core's web page: one HTML shell plus plain ES modules and a stylesheet, shipped as files."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.router import Router
from litestar.static_files import create_static_files_router

from apps.auth import PUBLIC
from apps.core.settings import CoreSettings

STATIC = Path(__file__).parent / "static"
SHELL = Path(__file__).parent / "index.html"
_MARK = "__TOKEN_REQUIRED__"


@get("/", opt={PUBLIC: True}, include_in_schema=False, media_type=MediaType.HTML)
async def page(settings: NamedDependency[CoreSettings]) -> Response[str]:
    """The page's shell; it tells the scripts whether they must ask for the API token first."""
    shell = SHELL.read_text(encoding="utf-8")
    required = "true" if settings.api_token else "false"
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": _CSP}
    return Response(shell.replace(_MARK, required), media_type=MediaType.HTML, headers=headers)


@post("/ui/session", status_code=204, include_in_schema=False)
async def check_token() -> None:
    """Answers 204 only past the bearer guard that every write has: the sign-in form's check."""


def web_routes() -> list[object]:
    """The page, its sign-in check and its static files (public: they hold no data)."""
    assets: Router = create_static_files_router(
        path="/static/ui", directories=[STATIC], name="web-ui", opt={PUBLIC: True}
    )
    return [page, check_token, assets]


# Scripts, styles and requests from Core only; nothing inline can run.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
