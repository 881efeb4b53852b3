"""The downloader service in front of a real aria2c, spoken to through its HTTP contract."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import Aria2Settings, ServiceSettings
from tests.support.aria2 import Aria2Process
from tests.support.torrents import TorrentServer, magnet, random_hash

pytestmark = pytest.mark.real


@pytest.fixture
async def client(aria2: Aria2Process) -> AsyncIterator[AsyncTestClient]:
    settings = Aria2Settings(url=aria2.url, secret=aria2.secret)
    container = make_container(ServiceSettings(name="aria2"), aria2=settings)
    async with AsyncTestClient(create_app(container)) as made:
        yield made


async def test_an_http_link_and_a_magnet_are_followed_through_the_contract(
    client: AsyncTestClient, aria2: Aria2Process, file_server: TorrentServer
) -> None:
    body = os.urandom(100_000)
    link, torrent = file_server.serve("/service/episode.mkv", body), random_hash()
    items = [{"url": link, "save_path": "service"}, {"url": magnet(torrent)}]
    response = await client.post("/downloads", json={"items": items})
    results = {r["url"]: r for r in response.json()["results"]}
    assert {r["status"] for r in results.values()} == {"accepted"}
    gid = results[link]["hash"]
    assert results[magnet(torrent)]["hash"] == torrent
    statuses = await _until_completed(client, gid, torrent)
    assert statuses[torrent]["status"] == "downloading"
    assert statuses[gid]["content_path"] == str(aria2.downloads / "service" / "episode.mkv")
    assert (aria2.downloads / "service" / "episode.mkv").read_bytes() == body
    cancelled = await client.post("/downloads/cancel", json={"hashes": [torrent, gid]})
    assert {c["hash"]: c["status"] for c in cancelled.json()["results"]} == {
        torrent: "cancelled",
        gid: "cancelled",
    }


async def test_health_names_aria2_and_its_version(client: AsyncTestClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    report = response.json()
    assert (report["status"], report["service"], report["logged_in"]) == ("ok", "aria2", True)
    assert report["version"].startswith("1.")


async def _until_completed(
    client: AsyncTestClient, gid: str, torrent: str, timeout: float = 30
) -> dict[str, dict[str, object]]:
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get("/downloads", params={"hashes": f"{gid},{torrent}"})
        statuses = {s["hash"]: s for s in response.json()["statuses"]}
        if statuses[gid]["status"] == "completed" or time.monotonic() > deadline:
            assert statuses[gid]["status"] == "completed", statuses
            return statuses
        await asyncio.sleep(0.2)
