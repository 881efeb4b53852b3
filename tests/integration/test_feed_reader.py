"""The HTTP feed reader against a loopback server: validators, bounds, spacing, failures."""

from __future__ import annotations

import time

import httpx

from adapters.feeds import HttpFeedReader
from dispatch_domain.feeds import FeedFailed, FeedPage, FeedUnchanged, Validators
from tests.support.feed_server import Served, feed_server
from tests.support.feeds import fixture, magnet_feed
from tests.support.real import free_port


async def test_validators_are_kept_and_sent_back() -> None:
    async with feed_server() as feeds, httpx.AsyncClient() as client:
        url = feeds.put("nyaa", fixture("nyaa"))
        reader = HttpFeedReader(client, per_host=0)

        first = await reader.read(url, Validators())
        assert isinstance(first, FeedPage) and len(first.items) == 2
        assert first.validators.etag == feeds.feeds["nyaa"].etag
        again = await reader.read(url, Validators(first.validators.etag, "Fri, 06 Oct 2023"))

        assert again == FeedUnchanged()
        sent = feeds.requests_for("nyaa")[1]
        assert sent["if-none-match"] == feeds.feeds["nyaa"].etag
        assert sent["if-modified-since"] == "Fri, 06 Oct 2023"
        assert sent["user-agent"].startswith("bangumi-dispatch/0.1 (feed reader")


async def test_a_body_over_the_limit_is_a_failure() -> None:
    async with feed_server() as feeds, httpx.AsyncClient() as client:
        url = feeds.put("big", magnet_feed(100))
        reader = HttpFeedReader(client, max_bytes=1000, per_host=0)

        assert await reader.read(url, Validators()) == FeedFailed(
            "the feed is larger than 1000 bytes"
        )


async def test_error_statuses_and_refused_connections_are_failures() -> None:
    async with feed_server() as feeds, httpx.AsyncClient() as client:
        feeds.feeds["down"] = Served(status=503)
        reader = HttpFeedReader(client, per_host=0)

        assert await reader.read(f"{feeds.url}/down", Validators()) == FeedFailed(
            "HTTP 503 Service Unavailable"
        )
        assert await reader.read(f"{feeds.url}/nothing", Validators()) == FeedFailed(
            "HTTP 404 Not Found"
        )
        nobody = f"http://127.0.0.1:{free_port()}/rss?passkey=abc"
        assert await reader.read(nobody, Validators()) == FeedFailed(
            "could not fetch the feed: ConnectError"
        )


async def test_requests_to_one_host_are_spaced() -> None:
    async with feed_server() as feeds, httpx.AsyncClient() as client:
        url = feeds.put("dmhy", fixture("dmhy"))
        reader = HttpFeedReader(client, per_host=0.4)
        started = time.monotonic()

        for _ in range(3):
            assert isinstance(await reader.read(url, Validators()), FeedPage)

        assert time.monotonic() - started >= 0.8
