"""The DownloaderGateway contract, on the in-memory fake and on HTTP to the real downloader app.

The HTTP side is Core's HttpDownloaderGateway talking, over real HTTP on loopback, to the
downloader service (apps.downloader) in front of a FakeBackend; the service in front of real
qBittorrent is covered end to end in tests/e2e.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import attrs
import httpx
import pytest
from dependency_injector import providers

from adapters.http_downloader import HttpDownloaderGateway
from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import ServiceSettings
from dispatch_domain import Accepted, AddRequest, Downloader, DownloadType, RemoteState, Unreachable
from dispatch_domain.ports import DownloaderGateway
from dispatch_domain.testing import FakeBackend, FakeGateway
from tests.support.real import free_port
from tests.support.serving import serving
from tests.support.torrents import magnet, random_hash


@attrs.frozen
class World:
    gateway: DownloaderGateway
    downloader: Downloader
    take_down: Callable[[], None]


@pytest.fixture(params=["fake", "http"])
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    if request.param == "fake":
        gateway = FakeGateway()
        service = gateway.add_service("qb")
        downloader = Downloader(1, "qb", "http://127.0.0.1:1", frozenset(DownloadType))
        yield World(gateway, downloader, lambda: setattr(service, "down", True))
        return
    backend, port = FakeBackend(), free_port()
    container = make_container(ServiceSettings(port=port, token="t0k3n"))
    container.backend.override(providers.Object(backend))
    async with serving(create_app(container), port) as url, httpx.AsyncClient() as http:
        downloader = Downloader(1, "qb", url, backend.supported_types)
        yield World(HttpDownloaderGateway(http, token="t0k3n"), downloader, backend.go_down)


async def _added(world: World, count: int = 1) -> list[str]:
    hashes = [random_hash() for _ in range(count)]
    answer = await world.gateway.submit(world.downloader, [AddRequest(magnet(h)) for h in hashes])
    assert not isinstance(answer, Unreachable)
    return hashes


async def test_a_batch_is_answered_per_url_with_each_torrent_s_hash(world: World) -> None:
    hashes = [random_hash() for _ in range(3)]
    items = [AddRequest(magnet(h), "shows/a") for h in reversed(hashes)]
    answer = await world.gateway.submit(world.downloader, items)
    assert not isinstance(answer, Unreachable)
    assert {url: answer.result_for(url) for url in map(magnet, hashes)} == {
        magnet(h): Accepted(h) for h in hashes
    }


async def test_statuses_cover_every_hash_asked_and_unknown_ones_are_not_found(world: World) -> None:
    known = await _added(world, 2)
    unknown = random_hash()
    report = await world.gateway.statuses(world.downloader, [*known, unknown])
    assert not isinstance(report, Unreachable)
    assert [report.status_for(h).state for h in known] == [RemoteState.DOWNLOADING] * 2
    assert report.status_for(unknown).state is RemoteState.NOT_FOUND


async def test_statuses_for_more_hashes_than_one_chunk_holds(world: World) -> None:
    known = await _added(world, 320)
    report = await world.gateway.statuses(world.downloader, known)
    assert not isinstance(report, Unreachable)
    assert {report.status_for(h).state for h in known} == {RemoteState.DOWNLOADING}


async def test_pause_and_resume_say_whether_the_downloader_knew_the_torrent(world: World) -> None:
    (known,) = await _added(world)
    assert await world.gateway.pause(world.downloader, known) is True
    report = await world.gateway.statuses(world.downloader, [known])
    assert not isinstance(report, Unreachable)
    assert report.status_for(known).state is RemoteState.PAUSED
    assert await world.gateway.resume(world.downloader, known) is True
    assert await world.gateway.pause(world.downloader, random_hash()) is False


async def test_cancel_removes_known_torrents_and_reports_unknown_ones(world: World) -> None:
    (known,) = await _added(world)
    unknown = random_hash()
    answer = await world.gateway.cancel(world.downloader, [known, unknown])
    assert not isinstance(answer, Unreachable)
    assert answer.cancelled == {known: True, unknown: False}
    report = await world.gateway.statuses(world.downloader, [known])
    assert not isinstance(report, Unreachable)
    assert report.status_for(known).state is RemoteState.NOT_FOUND


@pytest.mark.parametrize(
    "call",
    [
        lambda g, d: g.submit(d, [AddRequest(magnet(random_hash()))]),
        lambda g, d: g.statuses(d, [random_hash()]),
        lambda g, d: g.cancel(d, [random_hash()]),
        lambda g, d: g.pause(d, random_hash()),
        lambda g, d: g.resume(d, random_hash()),
    ],
    ids=["submit", "statuses", "cancel", "pause", "resume"],
)
async def test_a_downloader_that_is_down_answers_unreachable_with_a_reason(
    world: World, call: Callable[[DownloaderGateway, Downloader], Any]
) -> None:
    world.take_down()
    answer = await call(world.gateway, world.downloader)
    assert isinstance(answer, Unreachable)
    assert answer.reason
