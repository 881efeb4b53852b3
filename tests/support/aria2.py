"""A real aria2c (Debian 12's 1.36) with its JSON-RPC on loopback, for an aria2 backend's tests."""

from __future__ import annotations

import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import attrs
import httpx
import pytest

from tests.support.clients import remove_later, start_daemon, stop_daemon
from tests.support.real import free_port, require_binary


@attrs.define
class Aria2Process:
    """aria2c --enable-rpc on a temporary folder: DHT, LPD and PeX off, every socket on loopback."""

    folder: Path
    rpc_port: int
    listen_port: int
    secret: str = attrs.field(repr=False)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}/jsonrpc"

    @property
    def downloads(self) -> Path:
        return self.folder / "downloads"

    @property
    def session(self) -> Path:
        """Read at start (--input-file) and written at exit (--save-session)."""
        return self.folder / "session"

    @classmethod
    def create(cls, request: pytest.FixtureRequest, *, session: bool) -> Aria2Process:
        folder = Path(tempfile.mkdtemp(prefix="bangumi-aria2-"))
        remove_later(request, folder, session=session)
        (folder / "downloads").mkdir()
        (folder / "session").touch()
        return cls(folder, free_port(), free_port(), secrets.token_hex(12))

    def command(self) -> list[str]:
        session = self.session
        return [
            require_binary("aria2c"),
            "--no-conf",
            "--enable-rpc",
            f"--rpc-listen-port={self.rpc_port}",
            "--rpc-listen-all=false",
            f"--rpc-secret={self.secret}",
            f"--dir={self.downloads}",
            f"--input-file={session}",
            f"--save-session={session}",
            "--save-session-interval=1",
            f"--listen-port={self.listen_port}",
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            "--disable-ipv6=true",
            "--interface=127.0.0.1",
            "--summary-interval=0",
            "--console-log-level=warn",
        ]

    def start(self, timeout: float = 20.0) -> None:
        self._process = start_daemon(self.command(), self.folder / "aria2c.log")
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
        # A real call: an early request aria2 cannot parse has been seen to stall its server.
        deadline = time.monotonic() + timeout
        call = {"jsonrpc": "2.0", "id": "up", "method": "aria2.getVersion"}
        call["params"] = [f"token:{self.secret}"]  # type: ignore[assignment]
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"aria2c exited early; see {self.folder / 'aria2c.log'}")
            try:
                httpx.post(self.url, json=call, timeout=1.0).raise_for_status()
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
        started = Aria2Process.create(request, session=True)
        started.start()
        request.config.add_cleanup(started.stop)
        _shared = started
    return _shared


def fresh_aria2(request: pytest.FixtureRequest) -> Aria2Process:
    """An aria2c of one's own for one test (one that restarts it, say)."""
    process = Aria2Process.create(request, session=False)
    process.start()
    request.addfinalizer(process.stop)
    return process
