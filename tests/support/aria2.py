"""A real aria2c daemon for tests: loopback RPC with a secret, a session file, no DHT/LPD/PeX."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import attrs
import httpx
import pytest

from adapters.aria2 import Aria2Backend, Aria2Rpc
from adapters.qbittorrent.fetch import TorrentFetcher
from dispatch_domain import DownloadBackend, RemoteState, RemoteStatus
from tests.support.real import free_port, require_binary


@attrs.define
class Aria2Process:
    """One aria2c on a temporary folder; can be stopped and started again on the same session."""

    binary: str
    folder: Path
    rpc_port: int
    peer_port: int
    secret: str = attrs.field(factory=lambda: secrets.token_hex(12), repr=False)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}/jsonrpc"

    @property
    def downloads(self) -> Path:
        return self.folder / "downloads"

    @property
    def session(self) -> Path:
        return self.folder / "aria2.session"

    @classmethod
    def create(cls, folder: Path) -> Aria2Process:
        binary = require_binary("aria2c")
        (folder / "downloads").mkdir(parents=True, exist_ok=True)
        return cls(binary, folder, free_port(), free_port())

    def command(self) -> list[str]:
        return [
            self.binary,
            "--no-conf",
            "--enable-rpc",
            "--rpc-listen-all=false",
            f"--rpc-listen-port={self.rpc_port}",
            f"--rpc-secret={self.secret}",
            f"--dir={self.downloads}",
            f"--input-file={self.session}",
            f"--save-session={self.session}",
            "--save-session-interval=1",
            f"--listen-port={self.peer_port}",
            "--interface=127.0.0.1",
            "--disable-ipv6=true",
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            "--seed-time=0",  # a finished torrent stops seeding: it shows as complete
            "--summary-interval=0",
            "--console-log-level=warn",
        ]

    def start(self, timeout: float = 20.0) -> None:
        self.session.touch()  # --input-file must exist
        log = (self.folder / "aria2c.log").open("ab")
        self._process = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self._wait_until_answering(timeout)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (aria2 writes its session on the way out), SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def restart(self) -> None:
        self.stop()
        self.start()

    def _version_call(self) -> dict[str, object]:
        # A real call: an early request aria2 cannot parse has been seen to stall its server.
        params = [f"token:{self.secret}"]
        return {"jsonrpc": "2.0", "id": "ready", "method": "aria2.getVersion", "params": params}

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"aria2c exited early; see {self.folder / 'aria2c.log'}")
            try:
                httpx.post(self.url, json=self._version_call(), timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"aria2c did not answer within {timeout} s")


_shared: Aria2Process | None = None


def shared_aria2(request: pytest.FixtureRequest) -> Aria2Process:
    """One aria2c for the whole test run, however many modules ask for it."""
    global _shared
    if _shared is None:
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        started = Aria2Process.create(factory.mktemp("aria2"))
        started.start()
        request.config.add_cleanup(started.stop)
        _shared = started
    return _shared


def fresh_aria2(request: pytest.FixtureRequest) -> Aria2Process:
    """An aria2c of one's own, for tests that restart it."""
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    process = Aria2Process.create(factory.mktemp("aria2-own"))
    process.start()
    request.addfinalizer(process.stop)
    return process


@contextlib.asynccontextmanager
async def connected_backend(
    aria2: Aria2Process, *, secret: str | None = None, download_root: str | None = None
) -> AsyncIterator[Aria2Backend]:
    """Our aria2 backend on fresh httpx clients."""
    async with httpx.AsyncClient() as http, httpx.AsyncClient() as fetch_http:
        rpc = Aria2Rpc(http, aria2.url, aria2.secret if secret is None else secret)
        yield Aria2Backend(
            rpc, TorrentFetcher(fetch_http, timeout=10.0), download_root=download_root
        )


async def until_state(
    backend: DownloadBackend, remote_id: str, state: RemoteState, *, timeout: float = 30
) -> RemoteStatus:
    """The download's status once it reaches `state`; fails the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        [status] = await backend.statuses([remote_id])
        if status.state is state or time.monotonic() > deadline:
            assert status.state is state, f"still {status} after {timeout} s"
            return status
        await asyncio.sleep(0.2)
