"""Subscriptions end to end: Core follows feeds served on loopback, over HTTP and Postgres."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from tests.support.core import RunningCore, eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.feed_server import Served, feed_server
from tests.support.feeds import fixture, magnet_feed

NYAA_1080 = "magnet:?xt=urn:btih:5c5a2e0b6d1f4a7c8e9b0a1c2d3e4f5061728394"
FAST_FEEDS = {"subscription_sweep": 0.2, "feed_timeout": 1.0}


async def subscribe(core: RunningCore, feed_url: str, **fields: Any) -> dict[str, Any]:
    body = {"name": fields.pop("name", "frieren"), "feed_url": feed_url, **fields}
    response = await core.client.post("/subscriptions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def subscription(core: RunningCore, subscription_id: int) -> dict[str, Any]:
    response = await core.client.get(f"/subscriptions/{subscription_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def fetched(core: RunningCore, subscription_id: int) -> dict[str, Any]:
    """The subscription once its first fetch has been recorded."""
    found: dict[str, Any] = {}

    async def recorded() -> bool:
        """the subscription's first fetch is recorded"""
        found.update(await subscription(core, subscription_id))
        return found["last_fetched_at"] is not None

    await eventually(recorded)
    return found


async def make_due(pg_url: str, subscription_id: int) -> None:
    """As if the back-off had passed: the subscription is due now."""
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(
            "UPDATE subscriptions SET next_fetch_at = now() WHERE subscription_id = %s",
            (subscription_id,),
        )


async def test_a_feeds_items_arrive_as_downloads_and_the_filters_hold(pg_url: str) -> None:
    qbit = DownloaderDouble()
    async with (
        feed_server() as feeds,
        served(qbit) as port,
        running_core(pg_url, **FAST_FEEDS) as core,
    ):
        await core.register("qbit", port)
        url = feeds.put("nyaa", fixture("nyaa"))

        made = await subscribe(core, url, include="1080P", exclude="480p", save_path="{name}")
        state = await fetched(core, made["subscription_id"])

        assert (state["items_seen"], state["links_created"], state["last_error"]) == (2, 1, None)
        assert state["last_success_at"] == state["last_fetched_at"]
        (download,) = await core.downloads()
        assert download["url"].startswith(NYAA_1080 + "&dn=")
        assert download["status"] == "downloading"
        assert download["downloader"] == "qbit"
        headers = feeds.requests_for("nyaa")[0]
        assert headers["user-agent"].startswith("bangumi-dispatch/")


async def test_a_second_refresh_asks_if_changed_and_creates_nothing(pg_url: str) -> None:
    async with feed_server() as feeds, running_core(pg_url, **FAST_FEEDS) as core:
        url = feeds.put("dmhy", fixture("dmhy"))
        made = await subscribe(core, url)
        first = await fetched(core, made["subscription_id"])
        assert first["links_created"] == 2

        response = await core.client.post(f"/subscriptions/{made['subscription_id']}/refresh")

        assert response.status_code == 200, response.text
        answer = response.json()
        assert (answer["fetched"], answer["links_created"]) == (False, 0)
        assert answer["subscription"]["links_created"] == 2
        assert answer["subscription"]["items_seen"] == 2
        second = feeds.requests_for("dmhy")[1]
        assert second["if-none-match"] == feeds.feeds["dmhy"].etag
        assert len(await core.downloads()) == 2


@pytest.mark.parametrize(
    ("trouble", "expected"),
    [
        (Served(status=500), "HTTP 500 Internal Server Error"),
        (Served(fixture("mikan"), delay=3.0), "no answer within 1 s"),
        (Served(b"<rss version='2.0'><channel><title>cut off</tit"), "malformed feed: "),
    ],
    ids=["500", "timeout", "malformed"],
)
async def test_a_failing_feed_is_recorded_and_fetched_again_later(
    pg_url: str, trouble: Served, expected: str
) -> None:
    async with feed_server() as feeds, running_core(pg_url, **FAST_FEEDS) as core:
        url = feeds.put("mikan", b"")
        feeds.feeds["mikan"] = trouble
        made = await subscribe(core, url)

        failed = await fetched(core, made["subscription_id"])

        assert failed["last_error"].startswith(expected)
        assert (failed["failures"], failed["last_success_at"]) == (1, None)
        assert failed["next_fetch_at"] > failed["last_fetched_at"]
        feeds.put("mikan", fixture("mikan"))
        await make_due(pg_url, made["subscription_id"])

        async def recovered() -> bool:
            """the subscription's next fetch succeeded"""
            state = await subscription(core, made["subscription_id"])
            return state["last_success_at"] is not None

        await eventually(recovered)
        state = await subscription(core, made["subscription_id"])
        assert (state["failures"], state["last_error"], state["links_created"]) == (0, None, 3)
        assert {d["download_type"] for d in await core.downloads()} == {"torrent"}


async def test_the_preferred_downloader_is_offered_the_links_first(pg_url: str) -> None:
    main, anime = DownloaderDouble(), DownloaderDouble()
    async with (
        feed_server() as feeds,
        served(main) as main_port,
        served(anime) as anime_port,
        running_core(pg_url, **FAST_FEEDS) as core,
    ):
        await core.register("main", main_port, priority=90)
        await core.register("anime", anime_port, priority=10)
        url = feeds.put("acgrip", fixture("acgrip"))

        made = await subscribe(core, url, preferred_downloader="anime")
        await fetched(core, made["subscription_id"])
        await core.post_links(["magnet:?xt=urn:btih:" + "e" * 40])

        async def all_placed() -> bool:
            """every download is at a downloader"""
            return {d["status"] for d in await core.downloads()} == {"downloading"}

        await eventually(all_placed)
        by_downloader = sorted((d["downloader"], d["title"][:12]) for d in await core.downloads())
        assert by_downloader == [
            ("anime", "[Nekomoe kis"),
            ("anime", "[Nekomoe kis"),
            ("main", "item 0"),
        ]


async def test_a_5000_item_feed_comes_in_as_one_post(pg_url: str) -> None:
    async with feed_server() as feeds, running_core(pg_url, **FAST_FEEDS) as core:
        url = feeds.put("big", magnet_feed(5000))
        made = await subscribe(core, url, enabled=False)

        response = await core.client.post(f"/subscriptions/{made['subscription_id']}/refresh")

        assert response.status_code == 200, response.text
        assert response.json()["links_created"] == 5000
        async with await psycopg.AsyncConnection.connect(pg_url) as conn:
            cursor = await conn.execute(
                "SELECT count(*), sum(items_received) FROM fetcher_reports "
                "WHERE subscription_id = %s",
                (made["subscription_id"],),
            )
            assert await cursor.fetchone() == (1, 5000)


async def test_deleting_a_subscription_keeps_its_downloads(pg_url: str) -> None:
    async with feed_server() as feeds, running_core(pg_url, **FAST_FEEDS) as core:
        made = await subscribe(core, feeds.put("dmhy", fixture("dmhy")))
        await fetched(core, made["subscription_id"])

        response = await core.client.delete(f"/subscriptions/{made['subscription_id']}")

        assert response.status_code == 204
        assert (
            await core.client.get(f"/subscriptions/{made['subscription_id']}")
        ).status_code == 404
        assert len(await core.downloads()) == 2


async def test_two_cores_on_one_database_fetch_a_feed_once(pg_url: str) -> None:
    async with (
        feed_server() as feeds,
        running_core(pg_url, **FAST_FEEDS) as one,
        running_core(pg_url, **FAST_FEEDS) as two,
    ):
        made = await subscribe(one, feeds.put("nyaa", fixture("nyaa")))
        await fetched(two, made["subscription_id"])
        await asyncio.sleep(1.0)  # five more sweeps of each Core

        assert len(feeds.requests_for("nyaa")) == 1
        assert len(await two.downloads()) == 2


async def test_health_shows_the_subscription_loop(pg_url: str) -> None:
    async with feed_server() as feeds, running_core(pg_url, **FAST_FEEDS) as core:
        made = await subscribe(core, feeds.put("atom", fixture("atom")))
        await fetched(core, made["subscription_id"])

        loop = (await core.client.get("/health")).json()["subscriptions"]

        assert loop["rounds"] >= 1 and loop["last_error"] is None
