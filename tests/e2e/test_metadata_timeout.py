"""A magnet nobody seeds, on real qBittorrent: it waits for metadata that never comes, and
Core gives up after METADATA_TIMEOUT, failing it and removing it from qBittorrent."""

from __future__ import annotations

import pytest

from dispatch_domain import RemoteState
from tests.e2e.conftest import downloader_service
from tests.e2e.test_pipeline import Pipeline
from tests.support.core import running_core
from tests.support.qbittorrent import QBittorrentProcess, connected_backend
from tests.support.real import free_port
from tests.support.torrents import magnet, random_hash

pytestmark = pytest.mark.real
IMPATIENT = {
    "poll_interval": 0.5,
    "poll_soon_after_dispatch": 0.3,
    "metadata_timeout": 3.0,
    "stall_timeout": 0.0,
}


async def test_a_magnet_without_a_seeder_fails_after_the_metadata_timeout_and_is_removed(
    pg_url: str, qbittorrent: QBittorrentProcess
) -> None:
    info_hash = random_hash()
    port = free_port()
    async with (
        running_core(pg_url, **IMPATIENT) as core,
        downloader_service(qbittorrent, core.url, port),
        connected_backend(qbittorrent) as (backend, _),
    ):
        line = Pipeline(core, qbittorrent, port)
        await line.registered()
        download_id = await line.post(magnet(info_hash, name="nobody-seeds.bin"))
        failed = await line.until_status(download_id, "failed", timeout=30)
        (left,) = await backend.statuses([info_hash])
        attempts = await core.downloads()

    assert failed["reason"] == "no metadata after 3 s at qbittorrent"
    assert failed["has_metadata"] is False
    assert left.state is RemoteState.NOT_FOUND  # removed from qBittorrent
    assert len(attempts) == 1  # no other downloader: it stays failed
