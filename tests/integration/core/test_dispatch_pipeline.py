"""Core end to end over HTTP and Postgres, with downloader doubles that accept, reject or die."""

from __future__ import annotations

import asyncio
from collections import Counter

import psycopg
import pytest

from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.real import free_port


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


def sent_urls(*doubles: DownloaderDouble) -> Counter[str]:
    return Counter(url for double in doubles for request in double.add_requests for url in request)


async def test_the_higher_priority_downloader_gets_the_link(pg_url: str) -> None:
    low, high = DownloaderDouble(), DownloaderDouble()
    async with served(low) as low_port, served(high) as high_port, running_core(pg_url) as core:
        await core.register("low", low_port, priority=10)
        await core.register("high", high_port, priority=90)
        answer = await core.post_links([magnet(1)])
        assert answer["dispatch"] == {"downloading": 1}
        (download,) = await core.downloads()
        assert (download["downloader"], download["remote_id"]) == ("high", f"{1:040x}")
        assert low.add_requests == []


async def test_a_rejection_cascades_to_the_next_downloader(pg_url: str) -> None:
    picky, fallback = DownloaderDouble(reject_all="category not allowed"), DownloaderDouble()
    async with served(picky) as p1, served(fallback) as p2, running_core(pg_url) as core:
        await core.register("picky", p1, priority=90)
        await core.register("fallback", p2, priority=10)
        assert (await core.post_links([magnet(2)]))["dispatch"] == {"downloading": 1}
        (download,) = await core.downloads()
        assert download["downloader"] == "fallback"
        assert sent_urls(picky) == sent_urls(fallback) == Counter({magnet(2): 1})


async def test_an_unreachable_downloader_is_skipped_and_the_link_still_lands(pg_url: str) -> None:
    working = DownloaderDouble()
    async with served(working) as port, running_core(pg_url) as core:
        await core.register("gone", free_port(), priority=90)  # nothing listens there
        await core.register("working", port, priority=10)
        assert (await core.post_links([magnet(3)]))["dispatch"] == {"downloading": 1}
        services = {s["service_name"]: s for s in (await core.client.get("/services")).json()}
        assert services["gone"]["health"]["failures"] == 1
        assert services["gone"]["health"]["backoff_until"] is not None
        assert "ConnectError" in services["gone"]["health"]["last_error"]


async def test_a_5xx_downloader_is_unreachable_not_a_rejection(pg_url: str) -> None:
    broken = DownloaderDouble(status_code=503)
    async with served(broken) as port, running_core(pg_url) as core:
        await core.register("broken", port)
        assert (await core.post_links([magnet(4)]))["dispatch"] == {"pending": 1}
        (download,) = await core.downloads()
        assert "HTTP 503" in download["reason"]
        assert download["next_attempt_at"] is not None


async def test_when_every_downloader_rejects_the_link_fails_with_every_reason(pg_url: str) -> None:
    first, second = (
        DownloaderDouble(reject_all="disk full"),
        DownloaderDouble(reject_all="bad magnet"),
    )
    async with served(first) as p1, served(second) as p2, running_core(pg_url) as core:
        await core.register("first", p1, priority=60)
        await core.register("second", p2, priority=40)
        assert (await core.post_links([magnet(5)]))["dispatch"] == {"failed": 1}
        (download,) = await core.downloads()
        assert download["reason"] == "first: disk full; second: bad magnet"


async def test_links_wait_as_no_downloader_until_a_capable_one_registers(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("http-only", port, types=("http",))
        assert (await core.post_links([magnet(6), magnet(7)]))["dispatch"] == {"no_downloader": 2}
        registered = await core.register("torrents", port, types=("magnet",))
        assert registered["released"] == 2

        async def both_downloading() -> bool:
            return [d["status"] for d in await core.downloads()] == ["downloading"] * 2

        await eventually(both_downloading)


async def test_posting_the_same_items_twice_creates_nothing_new(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        urls = [magnet(10), magnet(11), "https://example.com/a.torrent"]
        first = await core.post_links(urls)
        again = await core.post_links(urls)
        assert (first["links_created"], again["links_created"], again["duplicates"]) == (3, 0, 3)
        assert len(await core.downloads()) == 3
        assert sum(sent_urls(double).values()) == 3


async def test_eight_concurrent_overlapping_posts_make_no_duplicate_downloads(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        posts = [[magnet(n) for n in range(start, start + 20)] for start in range(0, 80, 10)]
        answers = await asyncio.gather(*(core.post_links(urls) for urls in posts))
        assert sum(a["links_created"] for a in answers) == 90
        assert sum(a["duplicates"] for a in answers) == 160 - 90

        async def all_downloading() -> bool:
            downloads = await core.downloads()
            return len(downloads) == 90 and {d["status"] for d in downloads} == {"downloading"}

        await eventually(all_downloading)
        assert set(sent_urls(double).values()) == {1}, "every URL sent exactly once"


async def test_two_registrations_at_once_dispatch_each_parked_link_once(pg_url: str) -> None:
    one, two = DownloaderDouble(), DownloaderDouble()
    async with (
        served(one) as port_one,
        served(two) as port_two,
        running_core(pg_url) as core_a,
        running_core(pg_url) as core_b,
    ):
        urls = [magnet(n) for n in range(100, 160)]
        assert (await core_a.post_links(urls))["dispatch"] == {"no_downloader": 60}
        await asyncio.gather(core_a.register("one", port_one), core_b.register("two", port_two))

        async def all_downloading() -> bool:
            return {d["status"] for d in await core_a.downloads()} == {"downloading"}

        await eventually(all_downloading)
        assert sent_urls(one, two) == Counter({url: 1 for url in urls})


async def test_a_link_of_unknown_type_is_kept_with_a_reason(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        answer = await core.post_links(["ftp://example.com/file", "magnet:?xt=urn:btih:abc123"])
        assert (answer["links_created"], answer["invalid"]) == (0, 2)
        reasons = [problem["reason"] for problem in answer["problems"]]
        assert reasons[0] == "not a magnet, .torrent or http(s) link"
        assert reasons[1].startswith("not a usable magnet")
        assert await core.downloads() == []


async def test_a_thousand_item_post_with_ten_garbage_items_handles_the_990(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        items: list[object] = [
            {"title": f"t{n}", "download_url": magnet(n)} for n in range(1000, 1990)
        ]
        garbage: list[object] = [
            {"title": "no url"},
            {"download_url": 42},
            {"download_url": "javascript:alert(1)"},
            {"download_url": ""},
            {"download_url": "magnet:?xt=urn:btih:zz"},
            {"download_url": "https://e.com/x.torrent", "save_path": "../../etc"},
            {"download_url": "https://e.com/y.torrent", "save_path": "/abs"},
            "not an object",
            None,
            {"download_url": ["a", "list"]},
        ]
        for offset, bad in enumerate(garbage):
            items.insert(offset * 97, bad)
        response = await core.client.post(
            "/raw-fetcher-results", json={"fetcher_source": "rss", "items": items}
        )
        answer = response.json()
        assert response.status_code == 200, answer
        assert (answer["items_received"], answer["links_created"], answer["invalid"]) == (
            1000,
            990,
            10,
        )
        assert sorted(p["index"] for p in answer["problems"]) == [n * 97 for n in range(10)]
        assert answer["dispatch"] == {"downloading": 990}
        assert [len(request) for request in double.add_requests] == [990], "one request, all links"


async def test_core_answers_problem_json_for_a_malformed_post(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        response = await core.client.post("/raw-fetcher-results", json={"items": "nope"})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert "fetcher_source" in response.json()["detail"]


async def test_downloads_are_listed_with_filters_and_without_tracker_passkeys(pg_url: str) -> None:
    double = DownloaderDouble(rejects={"https://t.example/dl/2.torrent?passkey=SECRET": "nope"})
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        await core.post_links(["https://t.example/dl/1.torrent?passkey=SECRET",
                               "https://t.example/dl/2.torrent?passkey=SECRET"])  # fmt: skip
        failed = await core.downloads(status="failed")
        assert [d["title"] for d in failed] == ["item 1"]
        listing = (await core.client.get("/downloads")).text
        assert "SECRET" not in listing
        one = (await core.client.get(f"/downloads/{failed[0]['download_id']}")).json()
        assert one["url"] == "https://t.example/dl/2.torrent?passkey=REDACTED"


async def test_a_disabled_downloader_gets_no_new_work(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        module_id = (await core.register("qb", port))["module_id"]
        patched = await core.client.patch(f"/services/{module_id}", json={"is_enabled": False})
        assert patched.status_code == 200 and patched.json()["is_enabled"] is False
        assert (await core.post_links([magnet(20)]))["dispatch"] == {"no_downloader": 1}
        again = await core.register("qb", port)
        assert again["is_enabled"] is False, "re-registering does not undo the operator"
        await core.client.patch(f"/services/{module_id}", json={"is_enabled": True})

        async def downloading() -> bool:
            return [d["status"] for d in await core.downloads()] == ["downloading"]

        await eventually(downloading)


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc"])
async def test_writes_and_reads_need_the_api_token_when_one_is_set(
    pg_url: str, header: str | None
) -> None:
    async with running_core(pg_url, api_token="s3cret") as core:
        headers = {"Authorization": header} if header else {}
        body = {"fetcher_source": "rss", "items": []}
        refused = await core.client.post("/raw-fetcher-results", json=body, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert "s3cret" not in refused.text
        allowed = await core.client.post(
            "/raw-fetcher-results", json=body, headers={"Authorization": "Bearer s3cret"}
        )
        assert allowed.status_code == 200
        for read in ("/downloads", "/downloads/1", "/services", "/services/downloader"):
            answer = await core.client.get(read, headers=headers)
            assert answer.status_code == 401, read


async def test_the_api_is_documented(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        spec = (await core.client.get("/schema/openapi.json")).json()
        assert {"/raw-fetcher-results", "/services/register", "/downloads", "/health"} <= set(
            spec["paths"]
        )
        item = spec["paths"]["/raw-fetcher-results"]["post"]["requestBody"]["content"][
            "application/json"
        ]
        assert "download_url" in item["schema"]["properties"]["items"]["items"]["properties"]
        for page in ("/schema", "/schema/swagger"):  # browsable, as the README says
            answer = await core.client.get(page)
            assert answer.status_code == 200 and "text/html" in answer.headers["content-type"]


async def test_health_reports_the_database_and_both_loops(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        await core.post_links([magnet(30)])  # one dispatch round at least
        health = (await core.client.get("/health")).json()
    assert (health["status"], health["database"]) == ("ok", "ok")
    assert health["dispatcher"]["rounds"] >= 1 and health["dispatcher"]["last_error"] is None
    assert set(health["poller"]) == {"rounds", "last_round_at", "last_error", "last_error_at"}


async def test_a_database_error_in_dispatch_is_shown_and_loses_nothing(pg_url: str) -> None:
    # Lesson 6.3: a status the CHECK constraint did not allow made updates fail silently.
    narrowed = (
        "ALTER TABLE downloads DROP CONSTRAINT downloads_status_check, "
        "ADD CONSTRAINT downloads_status_check CHECK (status IN "
        "('pending', 'completed', 'failed', 'cancelled', 'downloader_error', 'no_downloader'))"
    )
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
            await conn.execute(narrowed)
        answer = await core.post_links([magnet(40)])
        health = (await core.client.get("/health")).json()
        (download,) = await core.downloads()
    assert answer["dispatch"] == {"pending": 1}
    assert "CheckViolation" in health["dispatcher"]["last_error"]
    assert "downloads_status_check" in health["dispatcher"]["last_error"]
    assert "Failing row" not in health["dispatcher"]["last_error"], "row values stay out"
    assert download["status"] == "pending", "the link is still there, to go out once fixed"


async def test_a_cancel_during_dispatch_reaches_the_downloader_that_took_the_link(
    pg_url: str,
) -> None:
    held = DownloaderDouble(delay=30.0)  # holds the add until released
    async with served(held) as port, running_core(pg_url, dispatch_wait=0.3) as core:
        await core.register("qb", port)
        await core.post_links([magnet(50)])

        async def add_in_flight() -> bool:
            """the downloader holds the add request"""
            return len(held.add_requests) == 1

        await eventually(add_in_flight)
        (download,) = await core.downloads()
        cancel = {"download_ids": [download["download_id"]]}
        answer = (await core.client.post("/downloads/cancel", json=cancel)).json()
        assert answer["results"][0]["status"] == "cancelled"
        held.release()

        async def withdrawn() -> bool:
            """Core asked the downloader to drop the torrent it just accepted"""
            return held.cancel_requests == [[f"{50:040x}"]]

        await eventually(withdrawn)
        assert [d["status"] for d in await core.downloads()] == ["cancelled"]


async def test_retry_by_ids_or_status_and_clear_errors_for_bad_requests(pg_url: str) -> None:
    double = DownloaderDouble(reject_all="disk full")
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        await core.post_links([magnet(60), magnet(61)])
        assert {d["status"] for d in await core.downloads()} == {"failed"}

        nothing = await core.client.post("/downloads/retry", json={"download_ids": []})
        assert (nothing.status_code, nothing.json()["results"]) == (200, [])
        both = await core.client.post(
            "/downloads/retry", json={"download_ids": [1], "status": "failed"}
        )
        assert (
            both.status_code == 422 and both.headers["content-type"] == "application/problem+json"
        )
        missing = await core.client.post("/downloads/999999/retry")
        assert missing.status_code == 404

        retried = (await core.client.post("/downloads/retry", json={"status": "failed"})).json()
        assert (retried["done"], retried["not_done"]) == (2, 0)
        attempts = sorted(d["attempts"] for d in await core.downloads())
        assert attempts == [1, 1, 2, 2], "the failed attempts stay as history"
