"""One bad link costs a batch nothing: the downloader service rejects that item, with a
reason, and takes the rest. On the in-memory backend and on a real qBittorrent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import attrs
import httpx
import pytest
from dependency_injector import providers

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import ServiceSettings
from dispatch_domain import AddRequest, AddResult, DownloadBackend
from dispatch_domain.testing.backend import FakeBackend
from tests.support.qbittorrent import connected_backend, shared_qbittorrent
from tests.support.serving import serving
from tests.support.torrents import TorrentServer, magnet, random_hash

TOKEN = "downloader-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@attrs.frozen
class Service:
    """The downloader service over one backend, and the download root that backend uses."""

    client: httpx.AsyncClient
    backend: DownloadBackend
    root: str

    async def add(self, *items: dict[str, Any]) -> dict[str, dict[str, Any]]:
        response = await self.client.post("/downloads", json={"items": items}, headers=AUTH)
        assert response.status_code == 200, response.text
        return {result["url"]: result for result in response.json()["results"]}


@asynccontextmanager
async def _serving(backend: DownloadBackend, root: str) -> AsyncIterator[Service]:
    container = make_container(ServiceSettings(name="qb", token=TOKEN))
    container.backend.override(providers.Object(backend))
    async with serving(create_app(container)) as url, httpx.AsyncClient(base_url=url) as client:
        yield Service(client, backend, root)


@pytest.fixture(params=["fake", pytest.param("qbittorrent", marks=pytest.mark.real)])
async def service(request: pytest.FixtureRequest) -> AsyncIterator[Service]:
    if request.param == "fake":
        async with _serving(FakeBackend(download_root="/downloads"), "/downloads") as made:
            yield made
        return
    qbittorrent = shared_qbittorrent(request)
    root = str(qbittorrent.downloads)
    async with (
        connected_backend(qbittorrent, download_root=root) as (backend, _),
        _serving(backend, root) as made,
    ):
        yield made


@pytest.fixture
def torrent_server() -> Iterator[TorrentServer]:
    server = TorrentServer()
    server.start()
    yield server
    server.stop()


async def test_each_bad_link_is_its_own_rejection_and_the_good_one_goes_in(
    service: Service, torrent_server: TorrentServer
) -> None:
    good = random_hash()
    bad = [
        "http://[::1",
        "http://127.0.0.1:99999/x.torrent",
        "http://no-such-host.invalid/x.torrent",
        torrent_server.base_url + "/gone.torrent",
        torrent_server.serve("/login.torrent", b"<html>Please log in</html>"),
        "http://\x00/x.torrent",
    ]

    results = await service.add(*({"url": url, "save_path": ""} for url in [*bad, magnet(good)]))

    assert results[magnet(good)]["status"] == "accepted"
    assert results[magnet(good)]["hash"] == good
    for url in bad:
        assert results[url]["status"] == "rejected", url
        assert results[url]["reason"], url
    await service.backend.delete(good, delete_files=True)


async def test_an_absolute_save_path_under_the_download_root_is_taken(service: Service) -> None:
    at_root, below = random_hash(), random_hash()

    results = await service.add(
        {"url": magnet(at_root), "save_path": service.root},
        {"url": magnet(below), "save_path": service.root + "/shows/A"},
    )

    assert [results[magnet(h)]["status"] for h in (at_root, below)] == ["accepted", "accepted"]
    for remote_id in (at_root, below):
        await service.backend.delete(remote_id, delete_files=True)


async def test_an_absolute_save_path_outside_the_download_root_is_refused(
    service: Service,
) -> None:
    outside = random_hash()

    results = await service.add(
        {"url": magnet(outside), "save_path": "/etc"},
        {"url": magnet(random_hash()) + "&dn=sibling", "save_path": service.root + "-other"},
    )

    assert {r["status"] for r in results.values()} == {"rejected"}
    assert "download root" in results[magnet(outside)]["reason"]


async def test_a_null_or_empty_save_path_means_the_default_place(service: Service) -> None:
    empty, null = random_hash(), random_hash()

    results = await service.add(
        {"url": magnet(empty), "save_path": ""}, {"url": magnet(null), "save_path": None}
    )

    assert [results[magnet(h)]["status"] for h in (empty, null)] == ["accepted", "accepted"]
    for remote_id in (empty, null):
        await service.backend.delete(remote_id, delete_files=True)


@attrs.define
class CrashingOn(FakeBackend):
    """A backend with a bug one URL sets off: its whole add raises."""

    crash_url: str = ""
    batches: list[int] = attrs.Factory(list)

    async def add(self, items: Sequence[AddRequest]) -> Mapping[str, AddResult]:
        self.batches.append(len(items))
        if any(item.url == self.crash_url for item in items):
            raise KeyError("a bug")
        return await super().add(items)


async def test_a_backend_failing_on_one_item_costs_only_that_item() -> None:
    hashes = [random_hash() for _ in range(16)]
    backend = CrashingOn(crash_url=magnet(hashes[5]))
    async with _serving(backend, "/downloads") as service:
        results = await service.add(*({"url": magnet(h)} for h in hashes))

    assert results[magnet(hashes[5])] == {
        "url": magnet(hashes[5]),
        "status": "rejected",
        "hash": None,
        "reason": "the downloader failed on this link (KeyError)",
    }
    assert {results[magnet(h)]["status"] for h in hashes if h != hashes[5]} == {"accepted"}
    assert len(backend.batches) <= 1 + 2 * 4  # halving 16 links to find one
