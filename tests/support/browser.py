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


# WCAG 2 contrast of each element's own text against the first opaque background behind it.
_LOW_CONTRAST_JS = """
() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => c / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] === 1) return color;
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const node of document.querySelectorAll("body *")) {
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own || !node.getClientRects().length) continue;
    const [a, b] = [lum(rgb(getComputedStyle(node).color)), lum(background(node))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const text = node.textContent.trim().slice(0, 30);
    if (ratio < 4.5) low.push(`${node.tagName} "${text}": ${ratio.toFixed(2)}`);
  }
  return low;
}
"""


async def low_contrast(page: Page) -> list[str]:
    """Texts on the page whose contrast is below WCAG AA's 4.5:1."""
    found: list[str] = await page.evaluate(_LOW_CONTRAST_JS)
    return found
