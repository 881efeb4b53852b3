"""A webhook delivery survives Core killed with SIGKILL: the next Core delivers the events."""

from __future__ import annotations

import signal

import httpx
import psycopg
import pytest

from tests.integration.core.test_crash_recovery import _wait_until_up, core_process
from tests.support.core import eventually
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.real import free_port
from tests.support.receiver import Receiver, receiving


async def test_events_recorded_before_a_kill_9_are_delivered_after_the_restart(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DELIVERY_LEASE", "2")  # a killed Core's claim ends after 2 s
    receiver, double = Receiver(), DownloaderDouble()
    receiver.held.clear()  # the first delivery hangs until Core is killed
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    magnets = [f"magnet:?xt=urn:btih:{n:040x}" for n in range(1, 4)]
    async with (
        receiving(receiver) as hook_url,
        served(double) as downloader_port,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        with core_process(pg_url, port) as first:
            await _wait_until_up(url, first)
            hook = {"url": f"{hook_url}/in", "secret": "s"}
            assert (await client.post("/webhooks", json=hook)).status_code == 201
            registration = {
                "service_type": "downloader",
                "service_name": "qb",
                "host": "127.0.0.1",
                "port": downloader_port,
                "capabilities": {"supported_download_types": ["magnet"]},
            }
            assert (await client.post("/services/register", json=registration)).status_code == 201
            items = [{"title": f"e{i}", "download_url": m} for i, m in enumerate(magnets)]
            posted = await client.post(
                "/raw-fetcher-results", json={"fetcher_source": "rss", "items": items}
            )
            assert posted.json()["dispatch"] == {"downloading": 3}

            async def delivery_in_flight() -> bool:
                """Core is posting the first event to the webhook"""
                return receiver.attempts == 1

            await eventually(delivery_in_flight)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)

        recorded = await _event_ids(pg_url)
        assert len(recorded) == 3  # one download.dispatched per link
        receiver.held.set()
        with core_process(pg_url, port) as second:
            await _wait_until_up(url, second)

            async def all_delivered() -> bool:
                """every event recorded before the kill reached the webhook"""
                ids = {r.json()["id"] for r in receiver.received}
                return ids >= set(recorded)

            await eventually(all_delivered, timeout=30)

    delivered = [r.json()["id"] for r in receiver.received]
    first_seen = list(dict.fromkeys(delivered))
    assert first_seen == recorded  # in order, each at least once
    assert all(r.signed_with("s") for r in receiver.received)


async def _event_ids(pg_url: str) -> list[int]:
    """The ids of the events in the database (read while no Core runs)."""
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cursor = await conn.execute("SELECT event_id FROM events ORDER BY event_id")
        return [event_id for (event_id,) in await cursor.fetchall()]
