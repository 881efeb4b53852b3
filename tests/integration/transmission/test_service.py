"""The downloader service in front of a real transmission-daemon, through its HTTP contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import ServiceSettings, TransmissionSettings
from tests.support.torrents import TorrentServer, magnet, make_torrent, random_hash, random_payload
from tests.support.transmission import TransmissionProcess

pytestmark = pytest.mark.real


@pytest.fixture
async def client(transmission: TransmissionProcess) -> AsyncIterator[AsyncTestClient]:
    settings = TransmissionSettings(
        url=transmission.url, download_root=transmission.seen(transmission.downloads)
    )
    container = make_container(ServiceSettings(name="transmission"), transmission=settings)
    async with AsyncTestClient(create_app(container)) as made:
        yield made


async def test_a_magnet_and_a_torrent_url_are_followed_then_cancelled(
    client: AsyncTestClient,
    transmission: TransmissionProcess,
    torrent_server: TorrentServer,
    tmp_path: Path,
) -> None:
    made = make_torrent(random_payload(tmp_path, "episode-07.bin", 70_000))
    torrent_url = torrent_server.serve("/t/episode-07.torrent", made.content)
    torrent = random_hash()
    items = [{"url": magnet(torrent)}, {"url": torrent_url, "save_path": "service/show"}]
    response = await client.post("/downloads", json={"items": items})
    assert response.status_code == 200
    results = {r["url"]: (r["status"], r["hash"]) for r in response.json()["results"]}
    assert results == {
        magnet(torrent): ("accepted", torrent),
        torrent_url: ("accepted", made.info_hash),
    }

    again = await client.post("/downloads", json={"items": [{"url": torrent_url}]})
    assert [(r["status"], r["hash"]) for r in again.json()["results"]] == [
        ("accepted", made.info_hash)
    ]

    polled = await client.get("/downloads", params={"hashes": f"{torrent},{made.info_hash}"})
    statuses = {s["hash"]: s for s in polled.json()["statuses"]}
    assert statuses[torrent]["status"] == "downloading"  # no peer: waiting for its metadata
    assert statuses[made.info_hash]["status"] == "downloading"
    assert statuses[made.info_hash]["save_path"] == transmission.seen(
        transmission.downloads / "service" / "show"
    )

    cancelled = await client.post("/downloads/cancel", json={"hashes": [torrent, made.info_hash]})
    assert {c["hash"]: c["status"] for c in cancelled.json()["results"]} == {
        torrent: "cancelled",
        made.info_hash: "cancelled",
    }
    gone = await client.get("/downloads", params={"hashes": torrent})
    assert [s["status"] for s in gone.json()["statuses"]] == ["not_found"]


async def test_health_names_transmission_and_its_version(
    client: AsyncTestClient, transmission: TransmissionProcess
) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    report = response.json()
    assert (report["status"], report["service"], report["logged_in"]) == (
        "ok",
        "transmission",
        True,
    )
    assert report["version"].startswith(transmission.release.version)
