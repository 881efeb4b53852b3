"""GET /metrics on Core and on the downloader service, scraped over real HTTP: the values move
with real work, and the endpoint sits behind the token unless opened to loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from dependency_injector import providers
from prometheus_client.parser import text_string_to_metric_families

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import QBittorrentSettings, ServiceSettings
from tests.integration.core.test_subscriptions import FAST_FEEDS, make_due, subscribe
from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.feed_server import Served, feed_server
from tests.support.feeds import fixture
from tests.support.qbittorrent import PASSWORD, USERNAME, ScriptedWebUI
from tests.support.receiver import Receiver, receiving
from tests.support.serving import serving
from tests.support.torrents import magnet, random_hash

TOKEN = "metrics-token-7"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:  # fmt: skip
    return scraped[(name, frozenset(labels.items()))]


async def scrape(client: httpx.AsyncClient, url: str, **headers: str) -> dict:  # type: ignore[type-arg]
    response = await client.get(f"{url}/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return samples(response.text)


@pytest.mark.real
async def test_core_metrics_move_with_dispatched_links(pg_url: str) -> None:
    refused = "https://t.example/dl/2.torrent?passkey=SECRET"
    double = DownloaderDouble(rejects={refused: "not this one"})
    async with served(double) as port, running_core(pg_url) as core:
        before = await scrape(core.client, core.url)
        await core.register("qb", port)
        await core.post_links([magnet(random_hash()), magnet(random_hash()), refused])
        after = await scrape(core.client, core.url)

    assert value(before, "bangumi_dispatch_downloads", status="downloading") == 0
    assert value(after, "bangumi_dispatch_downloads", status="downloading") == 2
    assert value(after, "bangumi_dispatch_downloads", status="failed") == 1
    links = "bangumi_dispatch_links_dispatched_total"
    assert value(after, links, downloader="qb", outcome="accepted") == 2
    assert value(after, links, downloader="qb", outcome="rejected") == 1
    assert value(after, "bangumi_dispatch_rounds_total", outcome="ok") >= 1
    assert value(after, "bangumi_dispatch_rounds_total", outcome="error") == 0
    assert value(after, "bangumi_dispatch_round_duration_seconds_count") >= 1
    assert value(after, "bangumi_dispatch_downloader_up", downloader="qb") == 1
    assert value(after, "bangumi_dispatch_downloader_backoff_level", downloader="qb") == 0
    assert not any("SECRET" in str(key) for key in after), "never a URL as a label"


@pytest.mark.real
async def test_core_metrics_show_a_downloader_backing_off_and_poll_cycles(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        await core.register("gone", 9)  # nothing listens on port 9 of loopback
        await core.post_links([magnet(random_hash())])
        await (await core.container.poll_loop()).cycle()
        scraped = await scrape(core.client, core.url)

    links = "bangumi_dispatch_links_dispatched_total"
    assert value(scraped, links, downloader="gone", outcome="unreachable") == 1
    assert value(scraped, "bangumi_dispatch_downloader_up", downloader="gone") == 0
    assert value(scraped, "bangumi_dispatch_downloader_backoff_level", downloader="gone") == 1
    assert value(scraped, "bangumi_dispatch_poll_cycles_total", outcome="ok") == 1
    assert value(scraped, "bangumi_dispatch_poll_cycle_duration_seconds_count") == 1


@pytest.mark.real
async def test_core_metrics_count_feed_fetches_and_deliveries(pg_url: str) -> None:
    listening, refusing = Receiver(), Receiver(status=503)
    async with (
        feed_server() as feeds,
        receiving(listening) as listening_url,
        receiving(refusing) as refusing_url,
        running_core(pg_url, delivery_interval=0.2, **FAST_FEEDS) as core,
    ):
        before = await scrape(core.client, core.url)
        apprise_url = f"json://{listening_url.removeprefix('http://')}/notify"
        for path, body in [
            ("/webhooks", {"url": f"{listening_url}/in"}),
            ("/webhooks", {"url": f"{refusing_url}/in"}),
            ("/notifications", {"apprise_url": apprise_url}),
        ]:
            assert (await core.client.post(path, json=body)).status_code == 201
        feeds.put("nyaa", fixture("nyaa"))
        feeds.feeds["broken"] = Served(status=500)
        nyaa = await subscribe(core, f"{feeds.url}/nyaa", name="nyaa")
        await subscribe(core, f"{feeds.url}/broken", name="broken")

        async def both_fetched_and_delivered() -> bool:
            """both feeds were fetched and their events reached both receivers"""
            scraped = await scrape(core.client, core.url)
            fetches = value(scraped, "bangumi_dispatch_feed_fetches_total", outcome="new")
            return fetches == 1 and len(listening.received) >= 2 and refusing.attempts >= 1

        await eventually(both_fetched_and_delivered)
        await make_due(pg_url, nyaa["subscription_id"])

        async def fetched_again() -> bool:
            """the nyaa feed was asked for again and answered 304"""
            scraped = await scrape(core.client, core.url)
            return value(scraped, "bangumi_dispatch_feed_fetches_total", outcome="unchanged") == 1

        await eventually(fetched_again)
        after = await scrape(core.client, core.url)

    fetches, deliveries = "bangumi_dispatch_feed_fetches_total", "bangumi_dispatch_deliveries_total"
    for outcome in ("new", "unchanged", "failed"):
        assert value(before, fetches, outcome=outcome) == 0
        assert value(after, fetches, outcome=outcome) == 1, outcome
    assert value(after, "bangumi_dispatch_feed_fetch_duration_seconds_count") == 3
    assert value(before, deliveries, kind="webhook", outcome="delivered") == 0
    assert value(after, deliveries, kind="webhook", outcome="delivered") >= 1
    assert value(after, deliveries, kind="webhook", outcome="failed") >= 1
    assert value(after, deliveries, kind="apprise", outcome="delivered") >= 1
    assert value(after, deliveries, kind="apprise", outcome="failed") == 0
    assert value(after, "bangumi_dispatch_delivery_rounds_total", outcome="ok") >= 1
    assert value(after, "bangumi_dispatch_delivery_rounds_total", outcome="error") == 0
    assert not any(feeds.url in str(key) for key in after), "never a URL as a label"


@pytest.mark.real
async def test_core_metrics_need_the_token_unless_opened_to_loopback(pg_url: str) -> None:
    async with running_core(pg_url, api_token=TOKEN) as core:
        assert (await core.client.get("/metrics")).status_code == 401
        assert (await core.client.get("/metrics", headers=AUTH)).status_code == 200
    async with running_core(pg_url, api_token=TOKEN, metrics_loopback_open=True) as core:
        assert (await core.client.get("/metrics")).status_code == 200


@asynccontextmanager
async def downloader_service(
    webui: ScriptedWebUI, **service: object
) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """The qBittorrent downloader service over real HTTP, its WebUI scripted."""
    settings = QBittorrentSettings(url="http://qbittorrent.test:8080", password=PASSWORD)
    assert settings.username == USERNAME
    container = make_container(ServiceSettings(token=TOKEN, **service), settings)  # type: ignore[arg-type]
    container.qbittorrent_http.override(
        providers.Singleton(httpx.AsyncClient, transport=webui.transport())
    )
    async with serving(create_app(container)) as url, httpx.AsyncClient(timeout=10) as client:
        yield url, client


async def test_downloader_metrics_count_client_calls_and_logins() -> None:
    webui = ScriptedWebUI()
    async with downloader_service(webui) as (url, client):
        before = await scrape(client, url, **AUTH)
        items = [{"url": magnet(random_hash())}, {"url": magnet(random_hash())}]
        added = await client.post(f"{url}/downloads", json={"items": items}, headers=AUTH)
        assert added.status_code == 200
        await client.get(f"{url}/downloads", params={"hashes": random_hash()}, headers=AUTH)
        after = await scrape(client, url, **AUTH)

    calls = "bangumi_downloader_client_calls_total"
    assert value(before, calls, endpoint="add", outcome="ok") == 0
    assert value(after, calls, endpoint="add", outcome="ok") == 1
    assert value(after, calls, endpoint="statuses", outcome="ok") == 1
    assert value(after, calls, endpoint="add", outcome="error") == 0
    durations = "bangumi_downloader_client_call_duration_seconds_count"
    assert value(after, durations, endpoint="add") == 1
    assert value(after, "bangumi_downloader_login_attempts_total", outcome="ok") == 1
    assert value(after, "bangumi_downloader_client_reachable") == 1
    assert value(after, "bangumi_downloader_client_logged_in") == 1


async def test_downloader_metrics_show_a_refused_login_and_a_failing_client() -> None:
    webui = ScriptedWebUI(password="not-what-the-service-sends")
    async with downloader_service(webui) as (url, client):
        answer = await client.get(
            f"{url}/downloads", params={"hashes": random_hash()}, headers=AUTH
        )
        assert answer.status_code == 502
        scraped = await scrape(client, url, **AUTH)

    assert value(scraped, "bangumi_downloader_login_attempts_total", outcome="refused") == 1
    calls = "bangumi_downloader_client_calls_total"
    assert value(scraped, calls, endpoint="statuses", outcome="error") == 1
    assert value(scraped, "bangumi_downloader_client_logged_in") == 0


async def test_downloader_metrics_need_the_token_unless_opened_to_loopback() -> None:
    async with downloader_service(ScriptedWebUI()) as (url, client):
        assert (await client.get(f"{url}/metrics")).status_code == 401
    async with downloader_service(ScriptedWebUI(), metrics_loopback_open=True) as (url, client):
        assert (await client.get(f"{url}/metrics")).status_code == 200


async def test_two_apps_in_one_process_keep_their_own_metrics() -> None:
    async with (
        downloader_service(ScriptedWebUI()) as (first, client),
        downloader_service(ScriptedWebUI()) as (second, _),
    ):
        items = [{"url": magnet(random_hash())}]
        await client.post(f"{first}/downloads", json={"items": items}, headers=AUTH)
        one, other = await scrape(client, first, **AUTH), await scrape(client, second, **AUTH)

    calls = "bangumi_downloader_client_calls_total"
    assert value(one, calls, endpoint="add", outcome="ok") == 1
    assert value(other, calls, endpoint="add", outcome="ok") == 0
