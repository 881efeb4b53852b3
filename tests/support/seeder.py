"""A loopback BitTorrent seeder (aria2c) so a real download can finish without the internet."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import attrs

from tests.support.real import free_port, require_binary


@attrs.define
class Aria2Seeder:
    """aria2c seeding one .torrent from `folder` on 127.0.0.1, with DHT, LPD and PeX off."""

    torrent_file: Path
    folder: Path
    port: int = attrs.field(factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def peer(self) -> str:
        """The `x.pe` value that points a magnet at this seeder."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        binary = require_binary("aria2c")
        log = (self.folder / "aria2c.log").open("ab")
        self._process = subprocess.Popen(
            [
                binary,
                "--no-conf",  # a user's aria2.conf could turn DHT back on
                "--seed-ratio=0.0",  # keep seeding whatever the ratio
                f"--dir={self.folder}",
                "--check-integrity=true",
                f"--listen-port={self.port}",
                "--enable-dht=false",
                "--enable-dht6=false",
                "--bt-enable-lpd=false",
                "--enable-peer-exchange=false",
                "--disable-ipv6=true",
                "--interface=127.0.0.1",
                "--summary-interval=0",
                "--console-log-level=warn",
                str(self.torrent_file),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self._wait_until_listening(timeout)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"aria2c exited early; see {self.folder / 'aria2c.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"aria2c did not listen on {self.port} within {timeout} s")
