"""Every page at desktop and phone width: it fits a 375 px screen, and a screenshot is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.support.browser import DESKTOP, PHONE, low_contrast, tab
from tests.support.core import RunningCore, eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.real import free_port

pytestmark = pytest.mark.real
LIVE = {"poll_interval": 0.5, "poll_soon_after_dispatch": 0.2}
SHOWS = [
    ("[SubsPlease] Sousou no Frieren - 27 (1080p)", "downloading", {"progress": 0.63}),
    ("[Erai-raws] Dungeon Meshi - 12 [1080p][Multiple Subtitle]", "paused", {"progress": 0.2}),
    ("[ASW] Kusuriya no Hitorigoto - 20 [1080p HEVC]", "downloading", {"progress": 0.05}),
    ("[SubsPlease] Oshi no Ko - 11 (1080p)", "completed", {"progress": 1.0}),
    ("[Judas] Vinland Saga S2 - 24 [1080p][HEVC x265 10bit]", "error", {"reason": "disk full"}),
    ("[SubsPlease] Spy x Family - 37 (1080p)", "downloading", {"progress": 0.0}),
]


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}&tr=https://tracker.example/announce?passkey=s3cr3t"


async def stage(core: RunningCore, double: DownloaderDouble, port: int) -> None:
    """A queue with progress, a pause, a completion, a failure and a cancellation."""
    await core.register("nas-aria2", free_port(), types=("magnet", "http"), priority=90)
    await core.register("qbittorrent", port, priority=50)
    items = [{"title": t, "download_url": magnet(n)} for n, (t, _, _) in enumerate(SHOWS)]
    response = await core.client.post(
        "/raw-fetcher-results", json={"fetcher_source": "rss", "items": items}
    )
    assert response.status_code == 200, response.text
    for n, (_, state, fields) in enumerate(SHOWS):
        double.set_state(f"{n:040x}", state, size=(n + 1) * 700 * 1024**2, **fields)
    newest = (await core.downloads())[0]
    await core.client.post("/downloads/cancel", json={"download_ids": [newest["download_id"]]})

    async def settled() -> bool:
        """the completed and the failed download are seen as such"""
        statuses = [d["status"] for d in await core.downloads()]
        return {"completed", "failed", "cancelled"} <= set(statuses)

    await eventually(settled)


def photographed(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.png"))


async def shoot(browser: Browser, url: str, name: str, folder: Path, ready: Any) -> None:
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        async with tab(browser, viewport) as t:
            await t.page.goto(url)
            await ready(t.page)
            await t.page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
            if name != "api-docs":  # Swagger UI's own styles are not ours to judge
                assert await low_contrast(t.page) == [], f"{name} has text hard to read"
            if width == "phone":
                fits = "document.documentElement.scrollWidth <= window.innerWidth"
                assert await t.page.evaluate(fits), f"{name} is wider than 375 px"
            assert t.foreign(url.split("/", 3)[0] + "//" + url.split("/", 3)[2]) == []


async def test_each_page_fits_a_phone_and_is_photographed(
    pg_url: str, browser: Browser, screenshots: Path
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url, **LIVE) as core:
        await stage(core, double, port)

        async def rows(count: int) -> Any:
            async def ready(page: Any) -> None:
                await expect(page.locator("tbody tr")).to_have_count(count)

            return ready

        await shoot(browser, core.url + "/#/queue", "queue", screenshots, await rows(3))
        await shoot(browser, core.url + "/#/history", "history", screenshots, await rows(3))
        await shoot(browser, core.url + "/#/downloaders", "downloaders", screenshots, await rows(2))

        async def events(page: Any) -> None:
            for kind in ("dispatched", "completed", "failed", "cancelled"):
                await expect(page.locator("tbody")).to_contain_text(f"download.{kind}")
            await expect(page.locator(".stamp")).to_contain_text("(live)")

        await shoot(browser, core.url + "/#/events", "events", screenshots, events)

        async def docs(page: Any) -> None:
            await expect(page.locator(".opblock").first).to_be_visible()

        await shoot(browser, core.url + "/schema/swagger", "api-docs", screenshots, docs)

    async with running_core(pg_url, api_token="t0ken") as guarded:

        async def sign_in(page: Any) -> None:
            await expect(page.get_by_label("API token")).to_be_focused()

        await shoot(browser, guarded.url + "/", "sign-in", screenshots, sign_in)

    names = photographed(screenshots)
    assert names == sorted(
        f"{page}-{width}.png"
        for page in ("queue", "history", "downloaders", "events", "api-docs", "sign-in")
        for width in ("desktop", "phone")
    )
