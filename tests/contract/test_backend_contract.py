"""The DownloadBackend port's contract, run on the in-memory fake and on every real client.

What a client cannot do is declared by its `supported_types`, and the suite checks that it
refuses such links rather than skipping them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from dispatch_domain import (
    Accepted,
    AddRequest,
    DownloadBackend,
    DownloadType,
    Rejected,
    RemoteState,
)
from dispatch_domain.testing.backend import FakeBackend
from tests.support.aria2 import shared_aria2
from tests.support.aria2_backend import connected_backend as aria2_backend
from tests.support.qbittorrent import connected_backend, shared_qbittorrent
from tests.support.real import free_port
from tests.support.torrents import magnet, random_hash
from tests.support.transmission import shared_transmission, transmission_backend

REAL = [
    "qbittorrent-4.5",
    "qbittorrent-5.1",
    "qbittorrent-5.3",
    "transmission-3.00",
    "transmission-4.1.0",
    "transmission-4.1.4",
    "aria2-1.36",
]


@pytest.fixture(params=["fake", *(pytest.param(name, marks=pytest.mark.real) for name in REAL)])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[DownloadBackend]:
    client, _, version = str(request.param).partition("-")
    if client == "fake":
        yield FakeBackend()
    elif client == "qbittorrent":
        async with connected_backend(shared_qbittorrent(request, version)) as (real, _):
            yield real
    elif client == "aria2":
        async with aria2_backend(shared_aria2(request)) as real_aria2:
            yield real_aria2
    else:
        async with transmission_backend(shared_transmission(request, version)) as (real, _):
            yield real


@pytest.fixture
async def torrent(backend: DownloadBackend) -> AsyncIterator[str]:
    """A fresh info-hash, removed from the backend after the test."""
    remote_id = random_hash()
    yield remote_id
    await backend.delete(remote_id, delete_files=True)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Clients apply some changes a moment after answering (qBittorrent: about a second)."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "the backend never reached the expected state"
        await asyncio.sleep(0.2)


async def _state(backend: DownloadBackend, remote_id: str) -> RemoteState:
    [status] = await backend.statuses([remote_id])
    return status.state


def test_takes_magnets_and_torrent_urls(backend: DownloadBackend) -> None:
    assert {DownloadType.MAGNET, DownloadType.TORRENT} <= backend.supported_types


async def test_a_magnet_is_accepted_with_its_info_hash(
    backend: DownloadBackend, torrent: str
) -> None:
    results = await backend.add([AddRequest(magnet(torrent))])
    assert results == {magnet(torrent): Accepted(torrent)}
    assert await _state(backend, torrent) is RemoteState.DOWNLOADING


async def test_adding_the_same_torrent_again_is_accepted_with_the_same_hash(
    backend: DownloadBackend, torrent: str
) -> None:
    first = await backend.add([AddRequest(magnet(torrent))])
    again = await backend.add([AddRequest(magnet(torrent))])
    assert first == again == {magnet(torrent): Accepted(torrent)}


async def test_base32_and_hex_magnets_of_one_torrent_give_the_same_hash(
    backend: DownloadBackend, torrent: str
) -> None:
    base32_link, hex_link = magnet(torrent, base32=True), magnet(torrent)
    results = await backend.add([AddRequest(base32_link), AddRequest(hex_link)])
    assert results == {base32_link: Accepted(torrent), hex_link: Accepted(torrent)}


async def test_each_url_of_a_batch_gets_its_own_result(
    backend: DownloadBackend, torrent: str
) -> None:
    results = await backend.add(
        [AddRequest("ftp://example.invalid/a"), AddRequest(magnet(torrent))]
    )
    assert results[magnet(torrent)] == Accepted(torrent)
    assert isinstance(results["ftp://example.invalid/a"], Rejected)


async def test_a_save_path_escaping_the_download_root_is_rejected(
    backend: DownloadBackend, torrent: str
) -> None:
    [result] = (await backend.add([AddRequest(magnet(torrent), "../outside")])).values()
    assert isinstance(result, Rejected)
    assert await _state(backend, torrent) is RemoteState.NOT_FOUND


async def test_an_unknown_hash_is_not_found(backend: DownloadBackend) -> None:
    unknown = random_hash()
    [status] = await backend.statuses([unknown])
    assert (status.remote_id, status.state) == (unknown, RemoteState.NOT_FOUND)


async def test_statuses_answer_every_hash_asked_by_hash(
    backend: DownloadBackend, torrent: str
) -> None:
    unknown = random_hash()
    await backend.add([AddRequest(magnet(torrent))])
    statuses = {s.remote_id: s.state for s in await backend.statuses([unknown, torrent.upper()])}
    assert statuses == {unknown: RemoteState.NOT_FOUND, torrent: RemoteState.DOWNLOADING}


async def test_cancel_removes_known_downloads_and_reports_unknown_ones(
    backend: DownloadBackend, torrent: str
) -> None:
    unknown = random_hash()
    await backend.add([AddRequest(magnet(torrent))])
    assert await backend.cancel([torrent, unknown]) == {torrent: True, unknown: False}
    assert await _state(backend, torrent) is RemoteState.NOT_FOUND


async def test_pause_and_resume_a_download(backend: DownloadBackend, torrent: str) -> None:
    await backend.add([AddRequest(magnet(torrent))])
    assert await backend.pause(torrent)
    await eventually(lambda: _is(backend, torrent, RemoteState.PAUSED))
    assert await backend.resume(torrent)
    await eventually(lambda: _is(backend, torrent, RemoteState.DOWNLOADING))


async def test_pause_resume_and_delete_of_an_unknown_hash_say_false(
    backend: DownloadBackend,
) -> None:
    unknown = random_hash()
    assert not await backend.pause(unknown)
    assert not await backend.resume(unknown)
    assert not await backend.delete(unknown, delete_files=False)


@pytest.mark.parametrize("delete_files", [False, True])
async def test_delete_removes_a_download(
    backend: DownloadBackend, torrent: str, delete_files: bool
) -> None:
    await backend.add([AddRequest(magnet(torrent))])
    assert await backend.delete(torrent, delete_files=delete_files)
    assert await _state(backend, torrent) is RemoteState.NOT_FOUND
    assert not await backend.delete(torrent, delete_files=delete_files)


async def test_health_says_reachable_and_logged_in(backend: DownloadBackend) -> None:
    health = await backend.health()
    assert (health.reachable, health.logged_in, health.reason) == (True, True, None)


async def test_an_http_link_is_followed_by_its_id_or_refused_by_a_backend_without_http(
    backend: DownloadBackend,
) -> None:
    link = f"http://127.0.0.1:{free_port()}/episode-01.mkv"  # nothing listens there
    [result] = (await backend.add([AddRequest(link)])).values()
    if DownloadType.HTTP not in backend.supported_types:
        assert isinstance(result, Rejected)
        return
    assert isinstance(result, Accepted)
    assert result.remote_id
    assert await backend.add([AddRequest(link)]) == {link: result}  # the same download again
    await eventually(lambda: _is(backend, result.remote_id, RemoteState.ERROR))
    [status] = await backend.statuses([result.remote_id])
    assert status.reason
    assert await backend.delete(result.remote_id, delete_files=False)
    assert await _state(backend, result.remote_id) is RemoteState.NOT_FOUND


async def _is(backend: DownloadBackend, remote_id: str, state: RemoteState) -> bool:
    return await _state(backend, remote_id) is state
