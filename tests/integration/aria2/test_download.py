"""Real downloads to the end on loopback: an http file, a seeded magnet, a .torrent URL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dispatch_domain import Accepted, AddRequest, RemoteState
from tests.support.aria2 import Aria2Process
from tests.support.aria2_backend import connected_backend, until_state
from tests.support.seeder import Aria2Seeder
from tests.support.torrents import TorrentServer, magnet, make_torrent, random_payload
from tests.support.tracker import LoopbackTracker

pytestmark = pytest.mark.real

GID = 16  # aria2's gids are 16 hex digits
COMPLETED = RemoteState.COMPLETED


async def test_an_http_link_downloads_to_completion_under_its_save_path(
    aria2: Aria2Process, file_server: TorrentServer
) -> None:
    body = os.urandom(700_000)
    link = file_server.serve("/files/episode-01.mkv", body)
    async with connected_backend(aria2) as backend:
        [result] = (await backend.add([AddRequest(link, "finished/show")])).values()
        assert isinstance(result, Accepted)
        assert len(result.remote_id) == GID
        status = await until_state(backend, result.remote_id, COMPLETED, timeout=30)
    folder = aria2.downloads / "finished" / "show"
    assert (status.progress, status.size, status.name) == (1.0, 700_000, "episode-01.mkv")
    assert (status.save_path, status.content_path) == (str(folder), str(folder / "episode-01.mkv"))
    assert (folder / "episode-01.mkv").read_bytes() == body


async def test_a_seeded_magnet_is_followed_from_its_metadata_to_the_finished_file(
    aria2: Aria2Process, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "episode-02.bin", 2 * 1024 * 1024 + 77))
    torrent_file = tmp_path / "episode-02.torrent"
    torrent_file.write_bytes(made.content)
    seeder = Aria2Seeder(torrent_file, tmp_path)
    seeder.start()
    tracker = LoopbackTracker([seeder.peer])
    tracker.start()
    try:
        link = magnet(made.info_hash, name="episode-02.bin") + f"&tr={tracker.announce_url}"
        async with connected_backend(aria2) as backend:
            results = await backend.add([AddRequest(link, "magnets")])
            assert results == {link: Accepted(made.info_hash)}
            status = await until_state(backend, made.info_hash, COMPLETED, timeout=90)
    finally:
        tracker.stop()
        seeder.stop()
    downloaded = aria2.downloads / "magnets" / "episode-02.bin"
    assert (status.remote_id, status.size, status.name) == (
        made.info_hash,
        made.size,
        "episode-02.bin",
    )
    assert status.content_path == str(downloaded)
    assert downloaded.read_bytes() == made.payload.read_bytes()


async def test_a_torrent_url_is_fetched_and_followed_by_its_info_hash(
    aria2: Aria2Process, file_server: TorrentServer, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "episode-03.bin", 300_000))
    folder = aria2.downloads / "torrents"
    folder.mkdir(exist_ok=True)
    # The payload is already where aria2 will look: it checks the pieces and needs no peer.
    (folder / "episode-03.bin").write_bytes(made.payload.read_bytes())
    link = file_server.serve("/t/episode-03.torrent", made.content)
    async with connected_backend(aria2) as backend:
        results = await backend.add([AddRequest(link, "torrents")])
        assert results == {link: Accepted(made.info_hash)}
        status = await until_state(backend, made.info_hash, COMPLETED, timeout=30)
    assert (status.size, status.content_path) == (made.size, str(folder / "episode-03.bin"))
