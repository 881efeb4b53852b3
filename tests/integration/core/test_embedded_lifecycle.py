"""The embedded Postgres never outlives Core, even after Core was killed with SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.real import free_port

pytestmark = pytest.mark.real


@pytest.fixture
def data_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="dispatch-lifecycle-", dir="/tmp"))
    yield folder / "pg"
    for pid in postgres_pids(folder / "pg"):  # never leave one behind, whatever happened
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


def postgres_pids(data_dir: Path) -> list[int]:
    """Processes named postgres whose command line names `data_dir`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if name == "postgres" and str(data_dir).encode() in command:
            found.append(int(entry.name))
    return found


def start_core(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    command = [sys.executable, "-m", "apps.cli", "serve", "--port", str(port),
               "--data-dir", str(data_dir)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (process.stderr.read() if process.stderr else b"").decode()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("Core did not come up within 60 s")


def test_sigkill_then_start_then_sigterm_leaves_no_postgres(data_dir: Path) -> None:
    killed = start_core(data_dir, free_port())
    assert postgres_pids(data_dir), "the embedded server runs while Core does"
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=15)
    assert postgres_pids(data_dir), "SIGKILL leaves it running: nothing could stop it"

    again = start_core(data_dir, free_port())
    again.send_signal(signal.SIGTERM)
    assert again.wait(timeout=30) in (0, -signal.SIGTERM), "a clean stop"

    deadline = time.monotonic() + 10
    while postgres_pids(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert postgres_pids(data_dir) == []
