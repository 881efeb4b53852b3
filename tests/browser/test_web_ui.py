"""Core's web page in a real browser: live queue, actions, sign-in, escaping, no strays."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.support.browser import tab
from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

pytestmark = pytest.mark.real
LIVE = {"poll_interval": 0.5, "poll_soon_after_dispatch": 0.2}


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


async def test_the_queue_shows_posted_downloads_and_follows_progress_without_reload(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url, **LIVE) as core, tab(browser) as t:
        await core.register("qb-main", port)
        await core.post_links([magnet(1), magnet(2)])
        await t.page.goto(core.url + "/")
        rows = t.page.locator("tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_contain_text("item 1")  # newest first
        await expect(rows.nth(1)).to_contain_text("item 0")
        await expect(rows.nth(0)).to_contain_text("qb-main")
        await t.page.evaluate("window.sameDocument = true")

        double.set_state(f"{2:040x}", "downloading", progress=0.42, size=3 * 1024**3)

        await expect(rows.nth(0)).to_contain_text(
            "42 %", timeout=15_000
        )  # the page polls progress every 10 s
        await expect(rows.nth(0)).to_contain_text("3.0 GiB")
        assert await t.page.evaluate("window.sameDocument") is True  # no reload happened
        assert t.foreign(core.url) == []


async def test_cancel_by_keyboard_and_retry_by_click_change_the_download_in_the_api(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await core.register("qb", port)
        await core.post_links([magnet(3)])
        (first,) = await core.downloads()
        await t.page.goto(core.url + "/#/queue")
        cancel = t.page.get_by_role("button", name="Cancel item 0")
        await cancel.focus()
        await t.page.keyboard.press("Enter")
        dialog = t.page.get_by_role("dialog")
        await expect(dialog).to_contain_text('Cancel "item 0"?')
        await t.page.get_by_role("button", name="Cancel download").focus()
        await t.page.keyboard.press("Enter")

        await expect(t.page.get_by_role("status")).to_have_text(
            f"Cancelled download {first['download_id']}"
        )
        (cancelled,) = await core.downloads()
        assert cancelled["status"] == "cancelled"
        assert double.cancel_requests == [[f"{3:040x}"]]

        await t.page.get_by_role("link", name="History").click()
        await t.page.get_by_role("button", name="Retry item 0").click()

        await expect(t.page.get_by_role("status")).to_contain_text(
            f"Retried download {first['download_id']} as download"
        )
        newest = (await core.downloads())[0]
        assert newest["download_id"] != first["download_id"]
        assert newest["attempts"] == 2
        assert t.foreign(core.url) == []


async def test_declining_the_confirmation_leaves_the_download_alone(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await core.register("qb", port)
        await core.post_links([magnet(4)])
        await t.page.goto(core.url + "/")
        await t.page.get_by_role("button", name="Cancel item 0").click()
        await t.page.get_by_role("button", name="Keep it").click()

        await expect(t.page.get_by_role("status")).to_contain_text("left as it was")
        assert [d["status"] for d in await core.downloads()] == ["downloading"]
        assert double.cancel_requests == []


async def test_with_a_token_only_the_sign_in_shows_until_the_right_token_is_given(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with (
        served(double) as port,
        running_core(pg_url, api_token="open-sesame-7") as core,
        tab(browser) as t,
    ):
        core.client.headers["Authorization"] = "Bearer open-sesame-7"
        await core.register("qb", port)
        await core.post_links([magnet(5)], title="Secret Show 01")
        await t.page.goto(core.url + "/")
        await expect(t.page.get_by_role("heading", name="Sign in")).to_be_visible()
        await expect(t.page.get_by_role("navigation")).to_be_hidden()
        assert await t.page.get_by_text("Secret Show 01").count() == 0

        await t.page.get_by_label("API token").fill("wrong")
        await t.page.get_by_role("button", name="Sign in").click()
        await expect(t.page.get_by_role("alert")).to_have_text("Core refused that token.")

        await t.page.get_by_label("API token").fill("open-sesame-7")
        await t.page.get_by_role("button", name="Sign in").click()
        await expect(t.page.get_by_text("Secret Show 01")).to_be_visible()
        await t.page.reload()  # asked once: the token is kept
        await expect(t.page.get_by_text("Secret Show 01")).to_be_visible()

        api_calls = [url for url in t.headers if re.search(r"/(downloads|services)\b", url)]
        assert api_calls
        assert {t.headers[url].get("authorization") for url in api_calls} == {
            "Bearer open-sesame-7"
        }


async def test_a_title_with_markup_is_shown_as_text_and_never_runs(
    pg_url: str, browser: Browser
) -> None:
    title = '<script>window.pwned = 1</script><img src="/x" onerror="window.pwned = 2">'
    async with running_core(pg_url) as core, tab(browser) as t:
        await core.post_links(["magnet:?xt=urn:btih:" + "ab" * 20 + "&tr=<b>x</b>"], title=title)
        shell = await t.page.goto(core.url + "/")  # no downloader: it waits as no_downloader
        assert shell is not None
        policy = shell.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "connect-src 'self';" in policy

        await expect(t.page.locator(".title")).to_have_text(title)
        assert await t.page.evaluate("window.pwned") is None
        assert await t.page.locator("tbody script, tbody img, tbody b").count() == 0
        assert not any(url.endswith("/x") for url in t.requests)


async def test_every_page_asks_nothing_of_any_host_but_core(pg_url: str, browser: Browser) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await core.register("qb", port)
        await core.post_links([magnet(6)])
        for page in ("#/queue", "#/history", "#/downloaders"):
            await t.page.goto(f"{core.url}/{page}")
            await expect(t.page.locator("tbody tr")).to_have_count(1 if page != "#/history" else 0)
        await t.page.goto(core.url + "/schema/swagger")
        await expect(t.page.locator(".opblock").first).to_be_visible()

        assert len(t.requests) > 10
        assert t.foreign(core.url) == []


async def test_a_downloader_can_be_reprioritised_and_disabled_from_the_page(
    pg_url: str, browser: Browser
) -> None:
    async with running_core(pg_url) as core, tab(browser) as t:
        await core.register("qb", 9, priority=10)  # nothing listens: only its record matters
        await t.page.goto(core.url + "/#/downloaders")
        await t.page.get_by_label("Priority of qb").fill("77")
        await t.page.get_by_label("Priority of qb").press("Enter")
        await expect(t.page.get_by_role("status")).to_have_text("qb: priority 77")
        await t.page.get_by_role("checkbox").uncheck()
        await expect(t.page.get_by_role("status")).to_have_text("qb disabled")

        async def changed() -> bool:
            """the priority is 77 and the downloader disabled"""
            (service,) = (await core.client.get("/services/downloader")).json()
            return (service["priority"], service["is_enabled"]) == (77, False)

        await eventually(changed)


async def test_pause_and_resume_from_the_page_reach_the_downloader(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core, tab(browser) as t:
        await core.register("qb", port)
        await core.post_links([magnet(7)])
        await t.page.goto(core.url + "/")
        await t.page.get_by_role("button", name="Pause item 0").click()

        await expect(t.page.get_by_role("status")).to_contain_text("Paused download")
        await expect(t.page.locator("tbody tr")).to_contain_text("downloading (paused)")
        assert [d["paused"] for d in await core.downloads()] == [True]
        assert double.torrents[f"{7:040x}"]["status"] == "paused"

        await t.page.get_by_role("button", name="Resume item 0").click()
        await expect(t.page.get_by_role("status")).to_contain_text("Resumed download")
        assert [d["paused"] for d in await core.downloads()] == [False]


async def test_retry_all_failed_asks_first_then_retries_every_failed_download(
    pg_url: str, browser: Browser
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url, **LIVE) as core, tab(browser) as t:
        await core.register("qb", port)
        await core.post_links([magnet(8), magnet(9)])
        for n in (8, 9):
            double.set_state(f"{n:040x}", "error", reason="disk full")

        async def both_failed() -> bool:
            """both downloads are failed"""
            return [d["status"] for d in await core.downloads()] == ["failed", "failed"]

        await eventually(both_failed)
        await t.page.goto(core.url + "/#/history")
        await expect(t.page.locator("tbody tr")).to_have_count(2)
        await expect(t.page.locator("tbody tr").first).to_contain_text("disk full")
        await t.page.get_by_role("button", name="Retry all failed").click()
        await t.page.get_by_role("dialog").get_by_role("button", name="Retry all failed").click()

        await expect(t.page.get_by_role("status")).to_have_text(
            "Retried 2 failed download(s); 0 not retried"
        )
        attempts = sorted(d["attempts"] for d in await core.downloads())
        assert attempts == [1, 1, 2, 2]


async def test_the_queue_filters_by_downloader_and_status_and_searches_titles(
    pg_url: str, browser: Browser
) -> None:
    torrents, web = DownloaderDouble(), DownloaderDouble()
    async with (
        served(torrents) as p1,
        served(web) as p2,
        running_core(pg_url) as core,
        tab(browser) as t,
    ):
        await core.register("qb", p1, types=("magnet",))
        await core.register("web", p2, types=("http",))
        await core.post_links([magnet(10), magnet(11), "https://files.example/Show 03.mkv"])
        await core.post_links(["https://files.example/Parked.torrent"], title="Parked One")
        await t.page.goto(core.url + "/")
        rows = t.page.locator("tbody tr")
        await expect(rows).to_have_count(4)

        await t.page.get_by_label("Downloader", exact=True).select_option(label="web")
        await expect(rows).to_have_text([re.compile("https://files.example/Show 03.mkv")])

        await t.page.get_by_label("Downloader", exact=True).select_option(label="All downloaders")
        await t.page.get_by_label("Status", exact=True).select_option("no_downloader")
        await expect(rows).to_have_text([re.compile("Parked One")])

        await t.page.get_by_label("Status", exact=True).select_option("")
        await t.page.get_by_label("Search titles").fill("ITEM 1")
        await expect(rows).to_have_text([re.compile(f"item 1magnet:.xt=urn:btih:{11:040x}")])


async def test_remove_asks_first_then_deletes_the_downloader_by_id(
    pg_url: str, browser: Browser
) -> None:
    async with running_core(pg_url) as core, tab(browser) as t:
        registered = await core.register("old-box", 9)
        await t.page.goto(core.url + "/#/downloaders")
        await t.page.get_by_role("button", name="Remove old-box").click()
        await expect(t.page.get_by_role("dialog")).to_contain_text("Remove old-box?")
        async with t.page.expect_request(lambda r: r.method == "DELETE") as sent:
            await t.page.get_by_role("dialog").get_by_role("button", name="Remove").click()

        assert (await sent.value).url == f"{core.url}/services/{registered['module_id']}"
        await expect(t.page.get_by_role("status")).to_contain_text("old-box")
