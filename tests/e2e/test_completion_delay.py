"""How soon Core sees a real download finish, polling as its defaults say (every 5 s while a
downloader has active downloads). The figure is recorded in docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import downloader_service
from tests.e2e.test_pipeline import Pipeline, seeded
from tests.support.core import running_core
from tests.support.qbittorrent import QBittorrentProcess, connected_backend
from tests.support.real import free_port
from tests.support.torrents import magnet

pytestmark = pytest.mark.real
DEFAULT_POLLING = {"poll_interval": 5.0, "poll_soon_after_dispatch": 5.0}


async def test_core_sees_a_real_download_complete_within_6_seconds_of_the_client(
    pg_url: str, qbittorrent: QBittorrentProcess, tmp_path: Path
) -> None:
    made, seeder = seeded(tmp_path, "delay-01.bin", size=48 * 1024 * 1024 + 5)
    seeder.start()
    port = free_port()
    try:
        async with (
            running_core(pg_url, **DEFAULT_POLLING) as core,
            downloader_service(qbittorrent, core.url, port),
            connected_backend(qbittorrent) as (backend, _),
        ):
            line = Pipeline(core, qbittorrent, port)
            await line.registered()
            link = magnet(made.info_hash, peer=seeder.peer, name="delay-01.bin")
            download_id = await line.post(link)
            client_done = await _client_finishes(backend, made.info_hash, timeout=120)
            done = await line.until_status(download_id, "completed", timeout=30)
            delay = time.monotonic() - client_done
    finally:
        seeder.stop()
    print(f"\ncompletion delay: {delay:.2f} s from qBittorrent finishing to completed in Core")
    assert done["progress"] == 1.0
    assert delay <= 6.0


async def _client_finishes(backend: object, info_hash: str, timeout: float) -> float:
    """When (time.monotonic()) qBittorrent itself first reports the download complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = await backend.statuses([info_hash])  # type: ignore[attr-defined]
        if statuses and statuses[0].progress >= 1.0:
            return time.monotonic()
        await asyncio.sleep(0.05)
    raise AssertionError(f"qBittorrent did not finish {info_hash} within {timeout} s")
