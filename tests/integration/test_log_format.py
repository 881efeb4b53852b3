"""`--log-format json` as a user runs it: the service's lines and its HTTP server's are JSON."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from asyncio.subprocess import PIPE, STDOUT

import httpx
import pytest

from tests.support.real import free_port

SECRET = "pw-never-logged-3c1"


async def _answering(url: str, timeout: float = 20.0) -> httpx.Response:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient() as http:
        while True:
            try:
                return await http.get(url)
            except httpx.TransportError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def test_the_downloader_service_logs_json_lines_uvicorns_included() -> None:
    port, nobody = free_port(), free_port()  # no qBittorrent listens on `nobody`
    env = {**os.environ, "QBITTORRENT_PASSWORD": SECRET, "LOG_FORMAT": "json"}
    arguments = [
        "-m", "apps.cli", "downloader", "qbittorrent", "--port", str(port),
        "--qbittorrent-url", f"http://u:{SECRET}@127.0.0.1:{nobody}", "--core-url", "",
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, env=env, stdout=PIPE, stderr=STDOUT
    )
    try:
        health = await _answering(f"http://127.0.0.1:{port}/health")
    finally:
        process.terminate()
        output = (await asyncio.wait_for(process.communicate(), 15))[0].decode()

    assert health.status_code == 503
    lines = [json.loads(line) for line in output.splitlines()]
    loggers = {line["logger"] for line in lines}
    assert {"apps.downloader.cli", "uvicorn.error", "uvicorn.access"} <= loggers
    assert all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)
    assert any(line["msg"].endswith('"GET /health HTTP/1.1" 503') for line in lines)
    assert SECRET not in output


@pytest.mark.real
async def test_core_logs_json_lines_and_serves_metrics_to_a_loopback_scraper(pg_url: str) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": pg_url, "DISPATCH_API_TOKEN": SECRET}
    arguments = [
        "-m", "apps.cli", "serve", "--port", str(port), "--log-format", "json",
        "--metrics-loopback-open",
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, env=env, stdout=PIPE, stderr=STDOUT
    )
    try:
        health = await _answering(f"http://127.0.0.1:{port}/health")
        async with httpx.AsyncClient() as http:
            metrics = await http.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        process.terminate()
        output = (await asyncio.wait_for(process.communicate(), 15))[0].decode()

    assert health.status_code == 200
    assert metrics.status_code == 200
    assert 'bangumi_dispatch_downloads{status="pending"} 0.0' in metrics.text
    lines = [json.loads(line) for line in output.splitlines()]
    assert {"bangumi_dispatch.core", "uvicorn.error", "uvicorn.access"} <= {
        line["logger"] for line in lines
    }
    assert SECRET not in output
