"""Debian's Chromium driven by Playwright: headless, loopback only, every request recorded."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import attrs
from playwright.async_api import Browser, Page, async_playwright

from tests.support.real import require_binary

# No updates, sync, field trials or safe-browsing lookups: nothing but the page's own requests.
QUIET = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The system's Chromium (never a browser Playwright downloads)."""
    path = require_binary("chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=QUIET)
        try:
            yield browser
        finally:
            await browser.close()


@attrs.define
class Tab:
    """One page and every URL it asked for."""

    page: Page
    requests: list[str] = attrs.Factory(list)
    headers: dict[str, dict[str, str]] = attrs.Factory(dict)

    def foreign(self, *origins: str) -> list[str]:
        """The requests that went anywhere but the given origins."""
        return [url for url in self.requests if not url.startswith(tuple(o + "/" for o in origins))]


@asynccontextmanager
async def tab(browser: Browser, viewport: dict[str, int] | None = None) -> AsyncIterator[Tab]:
    context = await browser.new_context(viewport=viewport or DESKTOP)  # type: ignore[arg-type]
    page = await context.new_page()
    opened = Tab(page)

    def record(request: Any) -> None:
        opened.requests.append(request.url)
        opened.headers[request.url] = dict(request.headers)

    page.on("request", record)
    try:
        yield opened
    finally:
        await context.close()


def screenshot_dir(default: Path) -> Path:
    """Where screenshots go: UI_SCREENSHOTS_DIR (e.g. docs/screenshots), else the run's own."""
    folder = Path(os.environ.get("UI_SCREENSHOTS_DIR") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
