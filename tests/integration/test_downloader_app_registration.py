"""Registration with a real (tiny) Core over HTTP: retried with back-off, then repeated."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import threading
import time
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
import httpx
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.registration import Registrar, Registration
from apps.downloader.settings import ServiceSettings
from dispatch_domain import DownloadType
from dispatch_domain.testing.backend import FakeBackend
from tests.support.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess, shared_qbittorrent
from tests.support.real import free_port

CORE_TOKEN = "core-token-5d2"


@attrs.frozen
class Received:
    at: float
    authorization: str | None
    payload: dict[str, Any]


@attrs.define
class CoreDouble:
    """Answers POST /services/register: 503 for the first `fail_first` calls, then 201."""

    fail_first: int = 0
    received: list[Received] = attrs.field(factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> None:
        core = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                core.received.append(
                    Received(time.monotonic(), self.headers.get("Authorization"), json.loads(body))
                )
                failing = len(core.received) <= core.fail_first
                status = 503 if failing or self.path != "/services/register" else 201
                answer = b'{"service_id": 1, "module_id": 1}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def core() -> Iterator[CoreDouble]:
    double = CoreDouble(fail_first=3)
    double.start()
    yield double
    double.stop()


async def _until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_retries_with_escalating_backoff_until_core_answers(core: CoreDouble) -> None:
    registration = Registration.of(
        "qbt-1", "10.0.0.5", 8081, {DownloadType.TORRENT, DownloadType.MAGNET}
    )
    async with httpx.AsyncClient() as http:
        registrar = Registrar(
            http,
            core.url,
            registration,
            core_token=CORE_TOKEN,
            interval=60,
            backoff=(0.1, 0.2, 0.4),
        )
        task = asyncio.create_task(registrar.run())
        await _until(lambda: registrar.registered)
        task.cancel()
    attempts = [r.at for r in core.received]
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert len(core.received) == 4
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2 and gaps[2] >= 0.4
    assert gaps[0] < gaps[1] < gaps[2]


async def test_sends_the_registration_payload_with_the_core_token(core: CoreDouble) -> None:
    core.fail_first = 0
    registration = Registration.of(
        "qbt-1", "10.0.0.5", 8081, {DownloadType.TORRENT, DownloadType.MAGNET}
    )
    async with httpx.AsyncClient() as http:
        registrar = Registrar(http, core.url, registration, core_token=CORE_TOKEN)
        assert await registrar.register_once() is None
    [received] = core.received
    assert received.authorization == f"Bearer {CORE_TOKEN}"
    assert received.payload == {
        "service_type": "downloader",
        "service_name": "qbt-1",
        "host": "10.0.0.5",
        "port": 8081,
        "capabilities": {
            "download_endpoint": "/downloads",
            "supported_download_types": ["magnet", "torrent"],
        },
    }


async def test_the_app_registers_on_start_and_again_periodically(core: CoreDouble) -> None:
    settings = ServiceSettings(
        name="qbt-app",
        port=18081,
        core_url=core.url,
        register_interval=0.2,
        register_backoff=(0.05,),
    )
    container = make_container(settings)
    container.backend.override(providers.Object(FakeBackend()))
    async with AsyncTestClient(create_app(container)) as client:
        await _until(lambda: len(core.received) >= 6)
        health = (await client.get("/health")).json()
    assert health["registered_with_core"] is True
    assert {r.payload["service_name"] for r in core.received} == {"qbt-app"}
    assert all(r.authorization is None for r in core.received)


async def test_a_registration_failure_is_logged_without_the_token(
    core: CoreDouble, caplog: pytest.LogCaptureFixture
) -> None:
    registration = Registration.of("qbt-1", "127.0.0.1", 8081, {DownloadType.MAGNET})
    async with httpx.AsyncClient() as http:
        registrar = Registrar(http, core.url, registration, core_token=CORE_TOKEN, backoff=(0.01,))
        task = asyncio.create_task(registrar.run())
        await _until(lambda: registrar.registered)
        task.cancel()
    assert "could not register 'qbt-1' with Core" in caplog.text
    assert "HTTP 503" in caplog.text
    assert CORE_TOKEN not in caplog.text


@pytest.mark.real
async def test_the_command_serves_qbittorrent_and_registers_with_core(
    request: pytest.FixtureRequest, core: CoreDouble
) -> None:
    qbittorrent: QBittorrentProcess = shared_qbittorrent(request)
    core.fail_first = 0
    port = free_port()
    env = {
        **os.environ,
        "QBITTORRENT_PASSWORD": PASSWORD,
        "DOWNLOADER_TOKEN": "service-token",
        "DISPATCH_API_TOKEN": CORE_TOKEN,
    }
    arguments = [
        "-m", "apps.cli", "downloader", "qbittorrent",
        "--qbittorrent-url", qbittorrent.url, "--qbittorrent-username", USERNAME,
        "--core-url", core.url, "--host", "127.0.0.1", "--port", str(port),
        "--name", "qbt-cli", "--register-interval", "0.5",
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, env=env, stdout=PIPE, stderr=STDOUT
    )
    try:
        await _until(lambda: len(core.received) >= 2, timeout=30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            health = (await http.get("/health")).json()
            unauthorised = await http.get("/downloads")
    finally:
        process.terminate()
        output = (await asyncio.wait_for(process.communicate(), 15))[0].decode()
    assert health["status"] == "ok"
    assert health["version"].startswith("v")
    assert unauthorised.status_code == 401
    assert core.received[-1].payload["port"] == port
    assert core.received[-1].authorization == f"Bearer {CORE_TOKEN}"
    assert PASSWORD not in output
    assert CORE_TOKEN not in output
