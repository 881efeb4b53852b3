"""What survives an aria2 restart, when aria2 runs with a session file (--save-session and
--input-file naming the same file, as the docs recommend)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from adapters.aria2 import Aria2Backend
from dispatch_domain import Accepted, AddRequest, RemoteState
from tests.support.aria2 import Aria2Process
from tests.support.aria2_backend import connected_backend, until_state
from tests.support.seeder import Aria2Seeder
from tests.support.torrents import TorrentServer, magnet, make_torrent, random_hash, random_payload
from tests.support.tracker import LoopbackTracker

pytestmark = pytest.mark.real


@pytest.fixture
def silent_url() -> Iterator[str]:
    """An http URL whose server takes the connection and never answers: a download that waits."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/slow.mkv"


async def test_unfinished_downloads_and_finished_torrents_survive_a_restart(
    own_aria2: Aria2Process, file_server: TorrentServer, silent_url: str, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "finished.bin", 200_000))
    (own_aria2.downloads / "finished.bin").write_bytes(made.payload.read_bytes())
    torrent_url = file_server.serve("/finished.torrent", made.content)
    waiting_magnet = magnet(random_hash())
    finished_http = file_server.serve("/done.mkv", os.urandom(50_000))
    async with connected_backend(own_aria2) as backend:
        ids = await _accepted(backend, silent_url, waiting_magnet, torrent_url, finished_http)
        assert await backend.pause(ids[silent_url])
        await until_state(backend, made.info_hash, RemoteState.COMPLETED)
        await until_state(backend, ids[finished_http], RemoteState.COMPLETED)
        own_aria2.restart()
        after = await _states(backend, ids.values())
    assert after == {
        ids[silent_url]: RemoteState.PAUSED,
        ids[waiting_magnet]: RemoteState.DOWNLOADING,
        made.info_hash: RemoteState.COMPLETED,
        # aria2 could only restore a finished http download by fetching it again: not kept.
        ids[finished_http]: RemoteState.NOT_FOUND,
    }


async def test_a_finished_magnet_is_completed_again_once_the_swarm_gives_its_metadata(
    own_aria2: Aria2Process, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "seeded.bin", 400_000))
    torrent_file = tmp_path / "seeded.torrent"
    torrent_file.write_bytes(made.content)
    seeder = Aria2Seeder(torrent_file, tmp_path)
    seeder.start()
    tracker = LoopbackTracker([seeder.peer])
    tracker.start()
    try:
        link = magnet(made.info_hash) + f"&tr={tracker.announce_url}"
        async with connected_backend(own_aria2) as backend:
            await _accepted(backend, link)
            await until_state(backend, made.info_hash, RemoteState.COMPLETED, timeout=60)
            own_aria2.restart()
            # The session keeps the magnet: its metadata comes again, then the file is checked.
            status = await until_state(backend, made.info_hash, RemoteState.COMPLETED)
    finally:
        tracker.stop()
        seeder.stop()
    assert (status.size, status.content_path) == (
        made.size,
        str(own_aria2.downloads / "seeded.bin"),
    )
    assert (own_aria2.downloads / "seeded.bin").read_bytes() == made.payload.read_bytes()


async def test_a_failed_http_download_comes_back_with_its_reason(
    own_aria2: Aria2Process, file_server: TorrentServer
) -> None:
    missing = file_server.base_url + "/no-such-episode.mkv"
    async with connected_backend(own_aria2) as backend:
        remote_id = (await _accepted(backend, missing))[missing]
        await until_state(backend, remote_id, RemoteState.ERROR)
        own_aria2.restart()
        status = await until_state(backend, remote_id, RemoteState.ERROR)
    assert status.reason == "Resource not found"


async def _accepted(backend: Aria2Backend, *urls: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    for url, result in (await backend.add([AddRequest(url) for url in urls])).items():
        assert isinstance(result, Accepted), f"{url}: {result}"
        ids[url] = result.remote_id
    return ids


async def _states(backend: Aria2Backend, remote_ids: Iterable[str]) -> dict[str, RemoteState]:
    return {s.remote_id: s.state for s in await backend.statuses(list(remote_ids))}
