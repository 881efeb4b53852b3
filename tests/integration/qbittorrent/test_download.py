"""A real download to the end: a file seeded by aria2c on loopback, fetched by qBittorrent."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from adapters.qbittorrent import QBittorrentBackend
from dispatch_domain import Accepted, AddRequest, RemoteState, RemoteStatus
from tests.support.qbittorrent import QBittorrentProcess, connected_backend
from tests.support.seeder import Aria2Seeder
from tests.support.torrents import magnet, make_torrent, random_payload

pytestmark = pytest.mark.real


async def test_a_seeded_magnet_downloads_to_completion(
    qbittorrent: QBittorrentProcess, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "episode-01.bin", 3 * 1024 * 1024 + 123))
    torrent_file = tmp_path / "episode-01.torrent"
    torrent_file.write_bytes(made.content)
    seeder = Aria2Seeder(torrent_file, tmp_path)
    seeder.start()
    try:
        link = magnet(made.info_hash, peer=seeder.peer, name="episode-01.bin")
        root = qbittorrent.seen(qbittorrent.downloads)
        async with connected_backend(qbittorrent, download_root=root) as (backend, _):
            results = await backend.add([AddRequest(link, "finished/show")])
            assert results[link] == Accepted(made.info_hash)
            status = await _until_completed(backend, made.info_hash, timeout=90)
    finally:
        seeder.stop()
    assert status.progress == 1.0
    assert status.size == made.size
    assert status.save_path is not None
    assert status.save_path == qbittorrent.seen(qbittorrent.downloads / "finished" / "show")
    downloaded = qbittorrent.downloads / "finished" / "show" / "episode-01.bin"
    assert downloaded.read_bytes() == made.payload.read_bytes()


async def _until_completed(
    backend: QBittorrentBackend, torrent_hash: str, *, timeout: float
) -> RemoteStatus:
    deadline = time.monotonic() + timeout
    while True:
        [status] = await backend.statuses([torrent_hash])
        if status.state is RemoteState.COMPLETED or time.monotonic() > deadline:
            assert status.state is RemoteState.COMPLETED, f"still {status} after {timeout} s"
            return status
        await asyncio.sleep(0.5)
