"""A real transmission-daemon for tests (3.00 on the host, 4.1.x from chroots), loopback only."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import attrs
import httpx
import pytest

from adapters.bittorrent import TorrentFetcher
from adapters.transmission import RpcCredentials, TransmissionBackend, TransmissionRpc
from tests.support.clients import (
    TRANSMISSION,
    Release,
    Runtime,
    remove_later,
    runtime_for,
    start_daemon,
    stop_daemon,
)
from tests.support.loopback import LoopbackOnly
from tests.support.real import free_port

USERNAME = "dispatch"
PASSWORD = "transmission-test-password"


def write_settings(
    config: Path, *, rpc_port: int, peer_port: int, downloads: str, auth: bool
) -> None:
    """settings.json with every socket on loopback and no DHT, LPD, PeX or port forwarding."""
    settings = {
        "rpc-enabled": True,
        "rpc-bind-address": "127.0.0.1",
        "rpc-port": rpc_port,
        "rpc-whitelist-enabled": True,
        "rpc-whitelist": "127.0.0.1,::1",
        "rpc-authentication-required": auth,
        "rpc-username": USERNAME if auth else "",
        "rpc-password": PASSWORD if auth else "",
        "peer-port": peer_port,
        "peer-port-random-on-start": False,
        "bind-address-ipv4": "127.0.0.1",
        "bind-address-ipv6": "::1",
        "dht-enabled": False,
        "lpd-enabled": False,
        "pex-enabled": False,
        "port-forwarding-enabled": False,
        "blocklist-enabled": False,
        "download-dir": downloads,
        "incomplete-dir-enabled": False,
        "download-queue-enabled": False,
        "seed-queue-enabled": False,
        "queue-stalled-enabled": False,
        "start-added-torrents": True,
        "watch-dir-enabled": False,
        "message-level": 2,
    }
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps(settings, indent=2))


@attrs.define
class TransmissionProcess:
    """One transmission-daemon (host or chroot) on a temporary config folder.

    `folder` and `downloads` are host paths; `seen()` gives a path as the daemon sees it.
    """

    release: Release
    runtime: Runtime
    folder: Path
    rpc_port: int
    peer_port: int
    downloads: Path
    auth: bool
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}/transmission/rpc"

    @property
    def peer(self) -> str:
        return f"127.0.0.1:{self.peer_port}"

    def seen(self, path: Path) -> str:
        return self.runtime.seen(path)

    @classmethod
    def create(
        cls, request: pytest.FixtureRequest, version: str, *, session: bool, auth: bool = False
    ) -> TransmissionProcess:
        release = TRANSMISSION[version]
        runtime = runtime_for(release)
        folder = runtime.scratch(f"transmission-{version}")
        remove_later(request, folder, session=session)
        downloads = folder / "downloads"
        downloads.mkdir()
        rpc_port, peer_port = free_port(), free_port()
        write_settings(
            folder / "config",
            rpc_port=rpc_port,
            peer_port=peer_port,
            downloads=runtime.seen(downloads),
            auth=auth,
        )
        return cls(release, runtime, folder, rpc_port, peer_port, downloads, auth)

    def start(self, timeout: float = 30.0) -> None:
        config = self.runtime.seen(self.folder / "config")
        command = self.runtime.command(self.release.binary, "-f", "-g", config)
        self._process = start_daemon(command, self.folder / "transmission-daemon.log")
        self._wait_until_answering(timeout)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def stop(self, timeout: float = 15.0) -> None:
        process, self._process = self._process, None
        stop_daemon(process, timeout)

    def restart(self) -> None:
        self.stop()
        self.start()

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"transmission-daemon exited early; see {self.folder}")
            try:
                httpx.post(self.url, timeout=1.0)
                return  # any answer (409 asking for a session id) means the RPC is up
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"transmission-daemon did not answer within {timeout} s")


_shared: dict[str, TransmissionProcess] = {}


def shared_transmission(request: pytest.FixtureRequest, version: str) -> TransmissionProcess:
    """One transmission-daemon per version for the whole test run."""
    if version not in _shared:
        started = TransmissionProcess.create(request, version, session=True)
        started.start()
        request.config.add_cleanup(started.stop)
        _shared[version] = started
    return _shared[version]


def fresh_transmission(
    request: pytest.FixtureRequest, version: str, *, auth: bool = False
) -> TransmissionProcess:
    """A transmission-daemon of one's own, e.g. to restart it or to require a password."""
    process = TransmissionProcess.create(request, version, session=False, auth=auth)
    process.start()
    request.addfinalizer(process.stop)
    return process


@attrs.define
class RpcLog:
    """The RPC methods an httpx client sent, in order (the 409 handshake's repeat included)."""

    methods: list[str] = attrs.field(factory=list)

    async def record(self, request: httpx.Request) -> None:
        self.methods.append(json.loads(request.content or b"{}").get("method", ""))

    def clear(self) -> None:
        self.methods.clear()


@contextlib.asynccontextmanager
async def transmission_backend(
    transmission: TransmissionProcess,
    *,
    credentials: RpcCredentials | None = None,
    download_root: str | None = None,
) -> AsyncIterator[tuple[TransmissionBackend, RpcLog]]:
    """Our Transmission backend on fresh httpx clients, with its RPC calls recorded."""
    log = RpcLog()
    async with (
        httpx.AsyncClient(event_hooks={"request": [log.record]}) as http,
        httpx.AsyncClient(transport=LoopbackOnly()) as fetch_http,  # no outside lookups
    ):
        rpc = TransmissionRpc(http, transmission.url, credentials)
        fetcher = TorrentFetcher(fetch_http, timeout=10.0)
        yield TransmissionBackend(rpc, fetcher, download_root=download_root), log
