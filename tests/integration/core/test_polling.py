"""Polling through Core over HTTP: statuses follow the downloader, and two Cores share the work."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

POLLING = {"poll_interval": 1.0, "poll_soon_after_dispatch": 0.2}


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}"


async def test_two_cores_on_one_database_poll_every_download_and_none_twice_per_cycle(
    pg_url: str,
) -> None:
    double = DownloaderDouble()
    count = 250  # two status requests per cycle: 180 + 70 hashes
    async with (
        served(double) as port,
        running_core(pg_url, **POLLING) as core_a,
        running_core(pg_url, **POLLING) as core_b,
    ):
        await core_a.register("qb", port)
        await core_a.post_links([magnet(n) for n in range(count)])
        await asyncio.sleep(1.5)  # past the poll that follows the dispatch
        first = len(double.status_requests)
        started = time.monotonic()
        await asyncio.sleep(4.0)
        window = time.monotonic() - started
        asked = Counter(h for request in double.status_requests[first:] for h in request)

        for n in range(count):
            double.set_state(f"{n:040x}", "completed", progress=1.0, size=1000 + n)

        async def everything_completed() -> bool:
            """both Cores together brought every download to completed"""
            seen = await core_b.downloads()
            return len(seen) == count and {d["status"] for d in seen} == {"completed"}

        await eventually(everything_completed, timeout=15)

    cycles = set(asked.values())
    assert len(asked) == count and len(cycles) == 1, "each cycle asks for every download once"
    (per_download,) = cycles
    # One Core alone polls about once a second; two uncoordinated Cores would poll twice as often.
    # The claim holds a downloader for 0.9 of an interval, whichever Core took it.
    assert 2 <= per_download <= window / 0.9 + 1
    assert all(len(request) <= 180 for request in double.status_requests), "URL-sized chunks"


async def test_statuses_follow_the_downloader_paused_error_and_gone(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url, **POLLING) as core:
        await core.register("qb", port)
        await core.post_links([magnet(1), magnet(2), magnet(3)])
        double.set_state(f"{1:040x}", "paused", progress=0.4, size=100)
        double.set_state(f"{2:040x}", "error", progress=0.1, size=100, reason="disk full")
        double.torrents.pop(f"{3:040x}")

        async def settled() -> bool:
            """the poll brought the three statuses over"""
            found = {d["remote_id"][-1]: d for d in await core.downloads()}
            return [found[k]["status"] for k in "123"] == ["downloading", "failed", "failed"]

        await eventually(settled, timeout=10)
        found = {d["remote_id"][-1]: d for d in await core.downloads()}
    assert (found["1"]["paused"], found["1"]["progress"], found["1"]["size"]) == (True, 0.4, 100)
    assert found["2"]["reason"] == "disk full"
    assert found["3"]["reason"] == "no longer in the downloader"


async def test_an_unreachable_downloader_shows_downloader_error_then_recovers(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url, **POLLING) as core:
        await core.register("qb", port)
        await core.post_links([magnet(7)])
        double.status_code = 503

        async def errored() -> bool:
            """the download shows downloader_error"""
            return [d["status"] for d in await core.downloads()] == ["downloader_error"]

        await eventually(errored, timeout=10)
        (service,) = (await core.client.get("/services")).json()
        assert service["health"]["failures"] >= 1 and service["health"]["backoff_until"]
        double.status_code = 200
        double.set_state(f"{7:040x}", "completed", progress=1.0, size=42)
        await core.register("qb", port)  # a downloader that comes back registers again

        async def completed() -> bool:
            """the download shows completed"""
            return [d["status"] for d in await core.downloads()] == ["completed"]

        await eventually(completed, timeout=10)
