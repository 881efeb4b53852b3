"""Stalls through Core over real HTTP: a download whose progress never moves fails, leaves
its downloader and goes to the next one."""

from __future__ import annotations

from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
LINK = f"magnet:?xt=urn:btih:{HASH}"
STALLING = {
    "poll_interval": 0.5,
    "poll_soon_after_dispatch": 0.2,
    "stall_timeout": 2.0,
    "metadata_timeout": 0.0,
}


async def test_a_download_that_never_moves_fails_and_goes_to_the_second_downloader(
    pg_url: str,
) -> None:
    stuck, spare = DownloaderDouble(), DownloaderDouble()
    async with (
        served(stuck) as stuck_port,
        served(spare) as spare_port,
        running_core(pg_url, **STALLING) as core,
    ):
        await core.register("stuck", stuck_port, priority=90)
        await core.register("spare", spare_port, priority=10)
        await core.post_links([LINK])
        stuck.set_state(HASH, "downloading", progress=0.12, size=1000, downloaded=120)

        async def moved_on() -> bool:
            """the link has a failed attempt at stuck and a downloading one at spare"""
            seen = {(d["downloader"], d["status"]) for d in await core.downloads()}
            return seen == {("stuck", "failed"), ("spare", "downloading")}

        await eventually(moved_on, timeout=20)
        attempts = sorted(await core.downloads(), key=lambda d: d["download_id"])

    assert attempts[0]["reason"] == "stalled: no progress for 2 s at stuck (last 12 %)"
    assert attempts[1]["attempts"] == 2
    assert stuck.cancel_requests == [[HASH]]  # removed from the client that stalled
    assert HASH not in stuck.torrents
    assert spare.add_requests == [[LINK]]
