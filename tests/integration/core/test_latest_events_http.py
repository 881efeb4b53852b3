"""GET /events/latest: the newest events first, paging back to the oldest (the Events page)."""

from __future__ import annotations

from tests.support.core import running_core
from tests.support.downloader_double import DownloaderDouble, served


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}"


async def test_latest_events_come_newest_first_and_page_back_to_the_oldest(pg_url: str):
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(n) for n in range(1, 6)])

        pages = [(await core.client.get("/events/latest", params={"limit": 2})).json()]
        while pages[-1]["next_before"] is not None:
            params = {"limit": 2, "before": pages[-1]["next_before"]}
            pages.append((await core.client.get("/events/latest", params=params)).json())

    titles = [[e["download"]["title"] for e in page["items"]] for page in pages]
    assert titles == [["item 4", "item 3"], ["item 2", "item 1"], ["item 0"]]
    ids = [e["id"] for page in pages for e in page["items"]]
    assert ids == sorted(ids, reverse=True)
    assert pages[0]["next_before"] == ids[1]


async def test_latest_events_of_an_empty_log_is_an_empty_last_page(pg_url: str):
    async with running_core(pg_url) as core:
        response = await core.client.get("/events/latest")

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_before": None}


async def test_latest_events_refuses_a_bad_before_as_a_problem(pg_url: str):
    async with running_core(pg_url) as core:
        response = await core.client.get("/events/latest", params={"before": 0})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
