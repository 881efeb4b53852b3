"""Every link type through Core to every client: one fetcher post with a magnet, a .torrent URL
and an http link ends with three files on disk, and a magnet cascades past a client that died.

qBittorrent 5 (priority 80) and Transmission (50) take magnets and torrents, aria2 (50) takes
http links; each runs behind its own downloader service. Torrents come from aria2c seeders on
loopback (the magnet names its seeder with `x.pe`, the .torrent file a loopback tracker), the
http file from a loopback HTTP server.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fastbencode import bdecode, bencode

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import (
    Aria2Settings,
    QBittorrentSettings,
    ServiceSettings,
    TransmissionSettings,
)
from dispatch_domain import RemoteState
from tests.support.aria2 import Aria2Process, shared_aria2
from tests.support.core import RunningCore, eventually, running_core
from tests.support.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess, fresh_qbittorrent
from tests.support.real import free_port
from tests.support.seeder import Aria2Seeder
from tests.support.serving import serving
from tests.support.torrents import (
    MadeTorrent,
    TorrentServer,
    magnet,
    make_torrent,
    random_hash,
    random_payload,
)
from tests.support.tracker import LoopbackTracker
from tests.support.transmission import (
    TransmissionProcess,
    shared_transmission,
    transmission_backend,
)

pytestmark = pytest.mark.real
POLLING = {"poll_interval": 1.0, "poll_soon_after_dispatch": 0.3}
SIZE = 1024 * 1024 + 17  # a few pieces each, so the transfers take a second or two


@pytest.fixture
def qbittorrent5(request: pytest.FixtureRequest) -> QBittorrentProcess:
    """qBittorrent 5.3 of this test's own: the test stops it."""
    return fresh_qbittorrent(request, "5.3")


@pytest.fixture(scope="session")
def transmission(request: pytest.FixtureRequest) -> TransmissionProcess:
    return shared_transmission(request, "4.1.4")


@pytest.fixture(scope="session")
def aria2(request: pytest.FixtureRequest) -> Aria2Process:
    return shared_aria2(request)


@pytest.fixture
def web() -> Iterator[TorrentServer]:
    server = TorrentServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tracker() -> Iterator[LoopbackTracker]:
    announcing = LoopbackTracker()
    announcing.start()
    yield announcing
    announcing.stop()


@asynccontextmanager
async def downloader_services(
    core: RunningCore,
    qbittorrent: QBittorrentProcess,
    transmission: TransmissionProcess,
    aria2: Aria2Process,
) -> AsyncIterator[None]:
    """The three downloader services, registered with Core as an operator would set them."""
    ports = {name: free_port() for name in ("qbittorrent", "transmission", "aria2")}
    qbt = QBittorrentSettings(
        url=qbittorrent.url,
        username=USERNAME,
        password=PASSWORD,
        download_root=qbittorrent.seen(qbittorrent.downloads),
    )
    tr = TransmissionSettings(
        url=transmission.url, download_root=transmission.seen(transmission.downloads)
    )
    a2 = Aria2Settings(url=aria2.url, secret=aria2.secret)
    containers = {
        "qbittorrent": make_container(_service("qbittorrent", ports), qbt),
        "transmission": make_container(_service("transmission", ports), transmission=tr),
        "aria2": make_container(_service("aria2", ports), aria2=a2),
    }
    async with (
        serving(create_app(containers["qbittorrent"]), ports["qbittorrent"]),
        serving(create_app(containers["transmission"]), ports["transmission"]),
        serving(create_app(containers["aria2"]), ports["aria2"]),
    ):
        await core.register("qbittorrent", ports["qbittorrent"], ("magnet", "torrent"), 80)
        await core.register("transmission", ports["transmission"], ("magnet", "torrent"), 50)
        await core.register("aria2", ports["aria2"], ("http",), 50)
        yield


def _service(name: str, ports: dict[str, int]) -> ServiceSettings:
    return ServiceSettings(name=name, port=ports[name])  # registered by the test, not itself


def seeding(folder: Path, name: str) -> tuple[MadeTorrent, Aria2Seeder]:
    folder.mkdir()
    made = make_torrent(random_payload(folder, name, SIZE))
    torrent_file = folder / f"{name}.torrent"
    torrent_file.write_bytes(made.content)
    return made, Aria2Seeder(torrent_file, folder)


def announcing_to(made: MadeTorrent, tracker: LoopbackTracker) -> bytes:
    """`made`'s .torrent with the tracker as its announce URL (the info-hash is unchanged)."""
    torrent = bdecode(made.content)
    torrent[b"announce"] = tracker.announce_url.encode()
    return bytes(bencode(torrent))


async def until_all(core: RunningCore, status: str, count: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    async def reached() -> bool:
        seen[:] = await core.downloads()
        return len(seen) == count and all(d["status"] == status for d in seen)

    reached.__doc__ = f"{count} downloads are {status}"
    try:
        await eventually(reached, timeout=90, every=0.25)
    except AssertionError as error:
        raise AssertionError(f"{error}: {seen}") from None
    return seen


async def test_every_link_type_completes_and_a_magnet_cascades_past_a_dead_qbittorrent(
    pg_url: str,
    qbittorrent5: QBittorrentProcess,
    transmission: TransmissionProcess,
    aria2: Aria2Process,
    web: TorrentServer,
    tracker: LoopbackTracker,
    tmp_path: Path,
) -> None:
    by_magnet, magnet_seeder = seeding(tmp_path / "magnet-seed", "show-e01.bin")
    by_torrent, torrent_seeder = seeding(tmp_path / "torrent-seed", "show-e02.bin")
    body = os.urandom(SIZE // 2)
    save = f"e2e/{tmp_path.name}"
    links = {
        "magnet": magnet(by_magnet.info_hash, peer=magnet_seeder.peer, name="show-e01.bin"),
        "torrent": web.serve("/t/show-e02.torrent", announcing_to(by_torrent, tracker)),
        "http": web.serve("/files/show-e03.mkv", body),
    }
    magnet_seeder.start()
    torrent_seeder.start()
    tracker.peers.append(torrent_seeder.peer)
    try:
        async with (
            running_core(pg_url, **POLLING) as core,
            downloader_services(core, qbittorrent5, transmission, aria2),
        ):
            answer = await core.post_links(list(links.values()), save_path=save)
            assert answer["dispatch"] == {"downloading": 3}
            done = {d["download_type"]: d for d in await until_all(core, "completed", 3)}
            assert {kind: d["downloader"] for kind, d in done.items()} == {
                "magnet": "qbittorrent",
                "torrent": "qbittorrent",
                "http": "aria2",
            }
            assert (done["magnet"]["torrent_hash"], done["torrent"]["torrent_hash"]) == (
                by_magnet.info_hash,
                by_torrent.info_hash,
            )

            qbittorrent5.stop()
            late = random_hash()  # no peers: it stays downloading where it lands
            await core.post_links([magnet(late)], save_path=save)

            async def at_transmission() -> bool:
                """the new magnet went to Transmission"""
                rows = {d["torrent_hash"]: d for d in await core.downloads()}
                row = rows.get(late)
                return row is not None and row["downloader"] == "transmission"

            await eventually(at_transmission, timeout=30, every=0.25)
            cascaded = {d["torrent_hash"]: d for d in await core.downloads()}[late]
    finally:
        magnet_seeder.stop()
        torrent_seeder.stop()

    at_qbittorrent = qbittorrent5.downloads / save
    files = {
        "magnet": (at_qbittorrent / "show-e01.bin", by_magnet.payload.read_bytes()),
        "torrent": (at_qbittorrent / "show-e02.bin", by_torrent.payload.read_bytes()),
        "http": (aria2.downloads / save / "show-e03.mkv", body),
    }
    for kind, (path, content) in files.items():
        assert path.read_bytes() == content, kind
    assert done["magnet"]["content_path"] == qbittorrent5.seen(files["magnet"][0])
    assert done["http"]["content_path"] == str(files["http"][0])
    assert (done["http"]["size"], done["torrent"]["size"]) == (SIZE // 2, SIZE)

    assert (cascaded["status"], cascaded["attempts"]) == ("downloading", 1)
    async with transmission_backend(transmission) as (backend, _):
        [status] = await backend.statuses([late])
        assert status.state is RemoteState.DOWNLOADING
        assert status.save_path == transmission.seen(transmission.downloads / save)
        await backend.cancel([late])
