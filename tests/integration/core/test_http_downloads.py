"""An http link is followed like a torrent: by the id its downloader gave it, over real HTTP."""

from __future__ import annotations

from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

POLLING = {"poll_interval": 1.0, "poll_soon_after_dispatch": 0.2}
FILE = "https://files.example.org/episode-1.mkv"
OTHER = "https://files.example.org/episode-2.mkv"


async def test_an_http_download_is_polled_to_completed_by_its_downloader_s_own_id(
    pg_url: str,
) -> None:
    double = DownloaderDouble(ids={FILE: "job-7"})
    async with served(double) as port, running_core(pg_url, **POLLING) as core:
        await core.register("aria", port, types=("http",))
        await core.post_links([FILE])

        async def accepted() -> bool:
            """the http download is downloading at aria under its id"""
            return [(d["status"], d["remote_id"]) for d in await core.downloads()] == [
                ("downloading", "job-7")
            ]

        await eventually(accepted, timeout=10)
        double.set_state("job-7", "completed", progress=1.0, size=4096, content_path="/d/ep1.mkv")

        async def completed() -> bool:
            """the poll brought completed over"""
            return [d["status"] for d in await core.downloads()] == ["completed"]

        await eventually(completed, timeout=10)
        (download,) = await core.downloads()
    assert "job-7" in {asked for request in double.status_requests for asked in request}
    assert (download["remote_id"], download["torrent_hash"], download["downloader"]) == (
        "job-7",
        None,
        "aria",
    )
    assert (download["progress"], download["size"], download["content_path"]) == (
        1.0,
        4096,
        "/d/ep1.mkv",
    )


async def test_an_http_download_is_paused_resumed_and_cancelled_at_its_downloader(
    pg_url: str,
) -> None:
    double = DownloaderDouble(ids={FILE: "JOB-8"})
    async with served(double) as port, running_core(pg_url, **POLLING) as core:
        await core.register("aria", port, types=("http",))
        await core.post_links([FILE])

        async def accepted() -> bool:
            """the http download is downloading"""
            return [d["status"] for d in await core.downloads()] == ["downloading"]

        await eventually(accepted, timeout=10)
        (download,) = await core.downloads()
        download_id = download["download_id"]

        paused = await core.client.post(f"/downloads/{download_id}/pause")
        assert (paused.status_code, paused.json()["paused"]) == (200, True)
        assert double.torrents["JOB-8"]["status"] == "paused"
        resumed = await core.client.post(f"/downloads/{download_id}/resume")
        assert (resumed.status_code, resumed.json()["paused"]) == (200, False)
        cancelled = await core.client.post(
            "/downloads/cancel", json={"download_ids": [download_id]}
        )
        assert cancelled.status_code == 200, cancelled.text
        (download,) = await core.downloads()
    assert download["status"] == "cancelled"
    assert double.cancel_requests == [["JOB-8"]]  # an id that is no hash is kept exactly


async def test_an_acceptance_without_an_id_fails_the_download_with_the_reason(
    pg_url: str,
) -> None:
    double = DownloaderDouble(ids={FILE: None, OTHER: "job-9"})
    async with served(double) as port, running_core(pg_url, **POLLING) as core:
        await core.register("aria", port, types=("http",))
        await core.post_links([FILE, OTHER])

        async def settled() -> bool:
            """both downloads left pending"""
            return {d["status"] for d in await core.downloads()} == {"failed", "downloading"}

        await eventually(settled, timeout=10)
        found = {d["url"]: d for d in await core.downloads()}
    assert (found[FILE]["status"], found[FILE]["reason"]) == (
        "failed",
        "aria: accepted without an id",
    )
    assert (found[OTHER]["status"], found[OTHER]["remote_id"]) == ("downloading", "job-9")
