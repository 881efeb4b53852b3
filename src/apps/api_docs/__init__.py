"""OpenAPI docs that work offline: Swagger UI served from files shipped in this package."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.router import Router
from litestar.static_files import create_static_files_router

from apps.auth import PUBLIC

ASSETS = Path(__file__).parent / "swagger-ui"  # swagger-ui-dist, unmodified (see VERSION)
ASSETS_PATH = "/static/swagger-ui"
BEARER = "bearer"


def offline_openapi_config(title: str, version: str, description: str) -> OpenAPIConfig:
    """Swagger UI at /schema/swagger (and /schema); no other UI, since each would load a CDN."""
    swagger = SwaggerRenderPlugin(
        path="/swagger",
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )
    return OpenAPIConfig(
        title=title,
        version=version,
        description=description,
        path="/schema",
        render_plugins=[swagger],
        # "Authorize" in Swagger UI takes the token, so that "Try it out" passes the guard.
        components=Components(
            security_schemes={BEARER: SecurityScheme(type="http", scheme="bearer")}
        ),
        security=[{BEARER: []}],
    )


def swagger_assets() -> Router:
    """The Swagger UI files; public, like the page that loads them."""
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS], name="swagger-ui", opt={PUBLIC: True}
    )
