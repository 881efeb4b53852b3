"""Core killed with SIGKILL mid-dispatch loses nothing: after a restart the links go out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.support.core import eventually
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.real import free_port


@contextmanager
def core_process(database_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`bangumi-dispatch serve` as its own process, as a user runs it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DISPATCH_LEASE": "2",
        "DISPATCH_SWEEP_INTERVAL": "0.2",
        "DISPATCH_WAIT": "0.5",
    }
    command = [sys.executable, "-m", "apps.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


async def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    async def answers() -> bool:
        """Core answers /health"""
        assert process.poll() is None, (process.stderr.read() if process.stderr else b"").decode()
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{url}/health")).status_code == 200
        except httpx.HTTPError:
            return False

    await eventually(answers, timeout=30)


async def test_links_go_out_after_core_is_killed_before_dispatch_is_recorded(pg_url: str) -> None:
    stuck = DownloaderDouble(delay=30.0)  # holds the first dispatch open until Core is killed
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    magnets = [f"magnet:?xt=urn:btih:{n:040x}" for n in range(1, 6)]
    async with (
        served(stuck) as downloader_port,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        with core_process(pg_url, port) as first:
            await _wait_until_up(url, first)
            registration = {"service_type": "downloader", "service_name": "qb", "host": "127.0.0.1",
                            "port": downloader_port,
                            "capabilities": {"supported_download_types": ["magnet"]}}  # fmt: skip
            assert (await client.post("/services/register", json=registration)).status_code == 201
            items = [{"title": f"e{i}", "download_url": m} for i, m in enumerate(magnets)]
            answer = (
                await client.post(
                    "/raw-fetcher-results", json={"fetcher_source": "rss", "items": items}
                )
            ).json()
            assert (answer["links_created"], answer["dispatch"]) == (5, {"pending": 5})

            async def dispatch_in_flight() -> bool:
                """the downloader has the batch in hand"""
                return len(stuck.add_requests) == 1

            await eventually(dispatch_in_flight)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)

        stuck.release()
        with core_process(pg_url, port) as second:
            await _wait_until_up(url, second)

            async def all_downloading() -> bool:
                """every link was dispatched after the restart"""
                items = (await client.get("/downloads")).json()["items"]
                return len(items) == 5 and {i["status"] for i in items} == {"downloading"}

            await eventually(all_downloading, timeout=20)
        assert [sorted(request) for request in stuck.add_requests] == [sorted(magnets)] * 2
