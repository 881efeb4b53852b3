"""A .torrent URL and a magnet of the same torrent are two downloads in Core and one torrent
in qBittorrent: cancelling one leaves the torrent to the other, which ends completed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch_domain import RemoteState
from tests.e2e.test_pipeline import pipeline, seeded
from tests.support.qbittorrent import QBittorrentProcess, connected_backend
from tests.support.torrents import TorrentServer, magnet

pytestmark = pytest.mark.real


@pytest.fixture
def torrent_server() -> Iterator[TorrentServer]:
    server = TorrentServer()
    server.start()
    yield server
    server.stop()


async def test_cancelling_one_of_two_downloads_of_a_torrent_leaves_it_to_the_other(
    pg_url: str, qbittorrent: QBittorrentProcess, torrent_server: TorrentServer, tmp_path: Path
) -> None:
    made, seeder = seeded(tmp_path, "shared-01.bin")
    by_file_url = torrent_server.serve("/rss/shared-01.torrent", made.content)
    async with (
        pipeline(pg_url, qbittorrent) as line,
        connected_backend(qbittorrent) as (backend, _),
    ):
        by_magnet_url = magnet(made.info_hash, peer=seeder.peer, name="shared-01.bin")
        answer = await line.core.post_links([by_file_url, by_magnet_url])
        assert answer["dispatch"] == {"downloading": 2}
        ids = {d["url"]: d["download_id"] for d in await line.core.downloads()}
        by_file, by_magnet = ids[by_file_url], ids[by_magnet_url]
        assert {(await line.download(i))["remote_id"] for i in ids.values()} == {made.info_hash}

        cancel = await line.core.client.post("/downloads/cancel", json={"download_ids": [by_file]})

        assert cancel.json()["results"][0]["status"] == "cancelled"
        [status] = await backend.statuses([made.info_hash])
        assert status.state is not RemoteState.NOT_FOUND, "the torrent stayed in qBittorrent"
        seeder.start()
        try:
            done = await line.until_status(by_magnet, "completed", timeout=90)
        finally:
            seeder.stop()
        assert (await line.download(by_file))["status"] == "cancelled"
    assert done["progress"] == 1.0
