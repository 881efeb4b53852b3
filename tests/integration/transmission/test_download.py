"""A real download to the end: a qBittorrent seed on loopback dials in, Transmission fetches."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from adapters.transmission import TransmissionBackend
from dispatch_domain import Accepted, AddRequest, RemoteState, RemoteStatus
from tests.support.qbittorrent import shared_qbittorrent
from tests.support.qbittorrent_seeder import QBittorrentSeeder
from tests.support.torrents import magnet, make_torrent, random_payload
from tests.support.transmission import TransmissionProcess, transmission_backend

pytestmark = pytest.mark.real


async def test_a_seeded_magnet_downloads_to_completion(
    request: pytest.FixtureRequest, transmission: TransmissionProcess, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "episode-02.bin", 512 * 1024 + 321))
    link = magnet(made.info_hash, name="episode-02.bin")
    root = transmission.seen(transmission.downloads)
    async with (
        QBittorrentSeeder(shared_qbittorrent(request), made) as seeder,
        transmission_backend(transmission, download_root=root) as (backend, _),
    ):
        results = await backend.add([AddRequest(link, "finished/show")])
        assert results[link] == Accepted(made.info_hash)
        status = await _until_completed(backend, made.info_hash, seeder, transmission)
        await backend.cancel([made.info_hash])
    assert (status.progress, status.size, status.name) == (1.0, made.size, "episode-02.bin")
    assert status.save_path == transmission.seen(transmission.downloads / "finished" / "show")
    downloaded = transmission.downloads / "finished" / "show" / "episode-02.bin"
    assert downloaded.read_bytes() == made.payload.read_bytes()


async def _until_completed(
    backend: TransmissionBackend,
    torrent_hash: str,
    seeder: QBittorrentSeeder,
    transmission: TransmissionProcess,
    timeout: float = 90.0,
) -> RemoteStatus:
    deadline = time.monotonic() + timeout
    dialled, size = 0.0, 0
    while True:
        # Dial until the metadata arrives (a dial may find the torrent not ready yet), then
        # leave the connection be: pieces start ~10 s later on every version, and dialling
        # every 5 s made the transfer slower (about 40 s instead of 14 s on 4.1.x).
        if time.monotonic() - dialled > (3 if size == 0 else 25):
            await seeder.connect_to(transmission.peer)
            dialled = time.monotonic()
        [status] = await backend.statuses([torrent_hash])
        size = status.size
        if status.state is RemoteState.COMPLETED or time.monotonic() > deadline:
            assert status.state is RemoteState.COMPLETED, f"still {status} after {timeout} s"
            return status
        await asyncio.sleep(0.3)
