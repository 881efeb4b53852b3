"""The whole pipeline with real parts: Core on Postgres, the qBittorrent downloader service,
qbittorrent-nox, and an aria2c seeder on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest

from dispatch_domain import RemoteState
from tests.e2e.conftest import downloader_service
from tests.support.core import RunningCore, eventually, running_core
from tests.support.qbittorrent import QBittorrentProcess, connected_backend
from tests.support.real import free_port
from tests.support.seeder import Aria2Seeder
from tests.support.torrents import MadeTorrent, magnet, make_torrent, random_hash, random_payload

pytestmark = pytest.mark.real
POLLING = {"poll_interval": 1.0, "poll_soon_after_dispatch": 0.3}


@attrs.frozen
class Pipeline:
    core: RunningCore
    qbittorrent: QBittorrentProcess
    downloader_port: int

    async def download(self, download_id: int) -> dict[str, Any]:
        response = await self.core.client.get(f"/downloads/{download_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def until_status(
        self, download_id: int, status: str, timeout: float = 60
    ) -> dict[str, Any]:
        seen: dict[str, Any] = {}

        async def reached() -> bool:
            seen.update(await self.download(download_id))
            return seen["status"] == status

        reached.__doc__ = f"download {download_id} is {status}"
        await eventually(reached, timeout=timeout, every=0.25)
        return seen

    async def post(self, url: str) -> int:
        await self.core.post_links([url])
        (found,) = [d for d in await self.core.downloads() if d["torrent_hash"] or d["url"] == url]
        return int(found["download_id"])

    async def registered(self) -> None:
        async def known() -> bool:
            """the downloader service registered with Core"""
            services = (await self.core.client.get("/services/downloader")).json()
            return any(s["port"] == self.downloader_port for s in services)

        await eventually(known, timeout=15)


@asynccontextmanager
async def pipeline(pg_url: str, qbittorrent: QBittorrentProcess) -> AsyncIterator[Pipeline]:
    port = free_port()
    async with (
        running_core(pg_url, **POLLING) as core,
        downloader_service(qbittorrent, core.url, port),
    ):
        ready = Pipeline(core, qbittorrent, port)
        await ready.registered()
        yield ready


def seeded(
    tmp_path: Path, name: str, size: int = 2 * 1024 * 1024 + 17
) -> tuple[MadeTorrent, Aria2Seeder]:
    made = make_torrent(random_payload(tmp_path, name, size))
    torrent_file = tmp_path / f"{name}.torrent"
    torrent_file.write_bytes(made.content)
    return made, Aria2Seeder(torrent_file, tmp_path)


async def test_a_fetched_magnet_ends_completed_in_core_with_the_file_on_disk(
    pg_url: str, qbittorrent: QBittorrentProcess, tmp_path: Path
) -> None:
    made, seeder = seeded(tmp_path, "show-01.bin")
    seeder.start()
    try:
        async with pipeline(pg_url, qbittorrent) as line:
            link = magnet(made.info_hash, peer=seeder.peer, name="show-01.bin")
            answer = await line.core.post_links([link], save_path="e2e/show")
            assert answer["dispatch"] == {"downloading": 1}
            (download,) = await line.core.downloads()
            assert (download["downloader"], download["torrent_hash"]) == (
                "qbittorrent",
                made.info_hash,
            )
            done = await line.until_status(download["download_id"], "completed", timeout=90)
    finally:
        seeder.stop()
    assert (done["progress"], done["size"]) == (1.0, made.size)
    on_disk = qbittorrent.downloads / "e2e" / "show" / "show-01.bin"
    assert on_disk.read_bytes() == made.payload.read_bytes()
    assert done["content_path"] == str(on_disk)


async def test_a_download_that_finished_while_its_downloader_was_down_ends_completed(
    pg_url: str, qbittorrent: QBittorrentProcess, tmp_path: Path
) -> None:
    made, seeder = seeded(tmp_path, "show-02.bin")
    port = free_port()
    async with running_core(pg_url, **POLLING) as core:
        async with downloader_service(qbittorrent, core.url, port):
            line = Pipeline(core, qbittorrent, port)
            await line.registered()
            link = magnet(made.info_hash, peer=seeder.peer, name="show-02.bin")
            assert (await core.post_links([link]))["dispatch"] == {"downloading": 1}
            (download,) = await core.downloads()
        # The downloader service is gone; qBittorrent goes on, and the seeder starts now.
        errored = await line.until_status(download["download_id"], "downloader_error", timeout=15)
        assert "did not answer a status poll" in errored["reason"]
        seeder.start()
        try:
            async with connected_backend(qbittorrent) as (backend, _):

                async def finished_in_qbittorrent() -> bool:
                    """qBittorrent finished the torrent while Core could not see it"""
                    [status] = await backend.statuses([made.info_hash])
                    return status.state is RemoteState.COMPLETED

                await eventually(finished_in_qbittorrent, timeout=90, every=0.5)
            assert (await line.download(download["download_id"]))["status"] == "downloader_error"
            async with downloader_service(qbittorrent, core.url, port):
                done = await line.until_status(download["download_id"], "completed", timeout=30)
        finally:
            seeder.stop()
    assert (done["progress"], done["size"], done["reason"]) == (1.0, made.size, None)


async def test_a_torrent_deleted_in_qbittorrent_behind_cores_back_fails_with_a_reason(
    pg_url: str, qbittorrent: QBittorrentProcess
) -> None:
    torrent_hash = random_hash()  # no peers: it stays downloading until deleted
    async with pipeline(pg_url, qbittorrent) as line:
        await line.core.post_links([magnet(torrent_hash)])
        (download,) = await line.core.downloads()
        assert download["status"] == "downloading"
        async with connected_backend(qbittorrent) as (backend, _):
            assert await backend.delete(torrent_hash, delete_files=True)
        failed = await line.until_status(download["download_id"], "failed", timeout=15)
    assert failed["reason"] == "no longer in the downloader"
    assert failed["remote_state"] == "not_found"


async def test_cancel_pause_and_resume_from_core_reach_qbittorrent(
    pg_url: str, qbittorrent: QBittorrentProcess
) -> None:
    torrent_hash = random_hash()
    async with (
        pipeline(pg_url, qbittorrent) as line,
        connected_backend(qbittorrent) as (backend, _),
    ):
        await line.core.post_links([magnet(torrent_hash)])
        (download,) = await line.core.downloads()
        download_id = download["download_id"]

        paused = await line.core.client.post(f"/downloads/{download_id}/pause")
        assert paused.status_code == 200 and paused.json()["paused"] is True

        async def paused_in_qbittorrent() -> bool:
            """qBittorrent shows the torrent paused"""
            [status] = await backend.statuses([torrent_hash])
            return status.state is RemoteState.PAUSED

        await eventually(paused_in_qbittorrent, timeout=10)
        resumed = await line.core.client.post(f"/downloads/{download_id}/resume")
        assert resumed.status_code == 200 and resumed.json()["paused"] is False

        cancel = await line.core.client.post(
            "/downloads/cancel", json={"download_ids": [download_id]}
        )
        assert cancel.json()["results"][0] | {"reason": None} == {
            "download_id": download_id, "done": True, "status": "cancelled",
            "reason": None, "new_download_id": None,
        }  # fmt: skip
        [status] = await backend.statuses([torrent_hash])
        assert status.state is RemoteState.NOT_FOUND, "cancel removed it from qBittorrent"
        retried = await line.core.client.post(f"/downloads/{download_id}/retry")
        assert retried.json()["done"] is True
        again = await line.until_status(
            retried.json()["new_download_id"], "downloading", timeout=15
        )
        assert again["attempts"] == 2
        assert (await line.download(download_id))["status"] == "cancelled", "history stays"
