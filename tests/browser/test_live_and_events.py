"""Live updates from Core's event stream, the Events page, and removing a downloader."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.support.browser import tab
from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

pytestmark = pytest.mark.real
LIVE = {"poll_interval": 0.5, "poll_soon_after_dispatch": 0.2}
PAGE_POLL_SECONDS = 10.0  # the page's own poll (POLL_MS in app.js), which must not be needed


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


async def test_a_status_change_reaches_the_queue_from_the_stream_before_any_poll(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url, **LIVE) as core, tab(browser) as t:
        await core.register("qb", port)
        await core.post_links([magnet(21), magnet(22)])
        opened = time.monotonic()
        await t.page.goto(core.url + "/")
        rows = t.page.locator("tbody tr")
        await expect(rows).to_have_count(2)
        await expect(t.page.locator(".stamp")).to_contain_text("(live)")
        await t.page.evaluate("window.sameDocument = true")

        changed = time.monotonic()
        double.set_state(f"{22:040x}", "completed", progress=1.0)  # Core's poll sees it
        await expect(rows).to_have_count(1)
        shown = time.monotonic()

        await expect(rows.first).to_contain_text("item 0")
        assert await t.page.evaluate("window.sameDocument") is True
        print(f"status change shown {shown - changed:.2f} s after the downloader reported it")
        assert shown - changed < 3.0
        assert shown - opened < PAGE_POLL_SECONDS  # no poll of the page can have run yet
        stream = [url for url in t.requests if url.endswith("/events/stream")]
        assert stream == [core.url + "/events/stream"]
        assert t.foreign(core.url) == []


async def test_the_stream_carries_the_bearer_token_and_updates_a_signed_in_page(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with (
        served(double) as port,
        running_core(pg_url, api_token="s3same") as core,
        tab(browser) as t,
    ):
        core.client.headers["Authorization"] = "Bearer s3same"
        await core.register("qb", port)
        await core.post_links([magnet(23)])
        await t.page.goto(core.url + "/")
        await t.page.get_by_label("API token").fill("s3same")
        await t.page.get_by_role("button", name="Sign in").click()
        await expect(t.page.locator(".stamp")).to_contain_text("(live)")

        (download,) = await core.downloads()
        await core.client.post(
            "/downloads/cancel", json={"download_ids": [download["download_id"]]}
        )

        await expect(t.page.locator("tbody tr")).to_have_count(0)
        headers = t.headers[core.url + "/events/stream"]
        assert headers["authorization"] == "Bearer s3same"
        assert "s3same" not in " ".join(t.requests)


async def test_the_events_page_lists_events_newest_first_as_text_and_follows_new_ones(
    pg_url: str, browser: Browser
) -> None:
    title = '<script>window.pwned = 1</script><img src="/y" onerror="window.pwned = 2">'
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await core.register("qb-events", port)
        await core.post_links([magnet(24)], title=title)
        await core.post_links([magnet(25)], title="Second Show 02")
        await t.page.goto(core.url + "/#/events")
        rows = t.page.locator("tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_contain_text("download.dispatched")
        await expect(rows.nth(0)).to_contain_text("Second Show 02")
        await expect(rows.nth(1).locator(".title")).to_have_text(title)
        await expect(rows.nth(1)).to_contain_text("qb-events")
        await expect(t.page.locator(".stamp")).to_contain_text("(live)")

        first = (await core.downloads())[-1]
        await core.client.post("/downloads/cancel", json={"download_ids": [first["download_id"]]})

        await expect(rows).to_have_count(3)
        await expect(rows.nth(0)).to_contain_text("download.cancelled")
        await expect(rows.nth(0)).to_contain_text("cancelled by the operator")
        assert await t.page.evaluate("window.pwned") is None
        assert await t.page.locator("tbody script, tbody img").count() == 0
        assert not any(url.endswith("/y") for url in t.requests)
        assert t.foreign(core.url) == []


async def test_the_events_page_pages_back_to_older_events(pg_url: str, browser: Browser) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await core.register("qb", port)
        await core.post_links([magnet(100 + n) for n in range(55)])
        await t.page.goto(core.url + "/#/events")
        rows = t.page.locator("tbody tr")
        await expect(rows).to_have_count(50)
        await expect(rows.first).to_contain_text("item 54")
        await expect(t.page.get_by_role("button", name="Newer")).to_be_disabled()

        await t.page.get_by_role("button", name="Older").click()

        await expect(rows).to_have_count(5)
        await expect(rows.first).to_contain_text("item 4")
        await expect(rows.last).to_contain_text("item 0")
        await expect(t.page.get_by_role("button", name="Older")).to_be_disabled()
        await t.page.get_by_role("button", name="Newer").click()
        await expect(rows.first).to_contain_text("item 54")


async def test_removing_a_downloader_without_active_downloads_removes_it(
    pg_url: str, browser: Browser
) -> None:
    async with running_core(pg_url) as core, tab(browser) as t:
        await core.register("idle-box", 9)
        await core.register("other-box", 10)
        await t.page.goto(core.url + "/#/downloaders")
        await expect(t.page.locator("tbody tr")).to_have_count(2)
        await t.page.get_by_role("button", name="Remove idle-box").click()
        await t.page.get_by_role("dialog").get_by_role("button", name="Remove").click()

        await expect(t.page.get_by_role("status")).to_have_text("Removed idle-box")
        await expect(t.page.locator("tbody tr")).to_have_count(1)
        await expect(t.page.locator("tbody tr")).to_contain_text("other-box")
        listed = (await core.client.get("/services/downloader")).json()
        assert [s["service_name"] for s in listed] == ["other-box"]


async def test_removing_a_downloader_with_active_downloads_shows_why_it_was_refused(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await core.register("busy-box", port)
        await core.post_links([magnet(26)])
        await t.page.goto(core.url + "/#/downloaders")
        await t.page.get_by_role("button", name="Remove busy-box").click()
        await t.page.get_by_role("dialog").get_by_role("button", name="Remove").click()

        await expect(t.page.get_by_role("status")).to_have_text(
            "busy-box not removed: the service still has active downloads "
            "(pending, downloading or downloader_error): cancel them or let them finish first"
        )
        await expect(t.page.locator("tbody tr")).to_contain_text("busy-box")
        listed = (await core.client.get("/services/downloader")).json()
        assert [s["service_name"] for s in listed] == ["busy-box"]


async def test_without_the_stream_the_page_falls_back_to_asking_every_few_seconds(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await t.page.route("**/events/stream", lambda route: route.abort())
        await core.register("qb", port)
        await core.post_links([magnet(27)])
        await t.page.goto(core.url + "/#/history")
        await expect(t.page.locator(".stamp")).to_contain_text("event stream unavailable")
        await expect(t.page.locator("tbody tr")).to_have_count(0)

        (download,) = await core.downloads()
        await core.client.post(
            "/downloads/cancel", json={"download_ids": [download["download_id"]]}
        )

        await expect(t.page.locator("tbody tr")).to_contain_text("cancelled", timeout=15_000)
        assert t.foreign(core.url) == []


async def test_a_stream_core_ends_is_reopened_after_the_last_event_it_carried(
    pg_url: str, browser: Browser
) -> None:
    opened: list[str | None] = []

    async def short_stream(route: Any) -> None:
        opened.append(route.request.headers.get("last-event-id"))
        n = len(opened)
        body = f'retry: 100\n\nid: {40 + n}\nevent: download.failed\ndata: {{"id": {40 + n}}}\n\n'
        await route.fulfill(status=200, content_type="text/event-stream", body=body)

    async with running_core(pg_url) as core, tab(browser) as t:
        await t.page.route("**/events/stream", short_stream)
        await t.page.goto(core.url + "/")

        async def reopened_twice() -> bool:
            """the stream was opened three times"""
            return len(opened) >= 3

        await eventually(reopened_twice, timeout=5.0)
        assert opened[:3] == [None, "41", "42"]
        await expect(t.page.locator(".stamp")).to_contain_text("(live)")
