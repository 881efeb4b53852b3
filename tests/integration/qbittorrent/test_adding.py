"""Adding to a real qBittorrent: .torrent URLs, magnets, duplicates, save paths, request counts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from adapters.qbittorrent import Credentials, QBittorrentClient
from adapters.qbittorrent.backend import CONFIRM_WAITS
from dispatch_domain import Accepted, AddRequest, Rejected, RemoteState
from tests.support.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess, connected_backend
from tests.support.torrents import TorrentServer, magnet, make_torrent, random_hash, random_payload

pytestmark = pytest.mark.real


async def test_a_torrent_url_is_fetched_uploaded_and_accepted_with_its_info_hash(
    qbittorrent: QBittorrentProcess, torrent_server: TorrentServer, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "ep.bin", 200_000))
    url = torrent_server.serve("/rss/ep.torrent?passkey=abc", made.content)
    async with connected_backend(qbittorrent) as (backend, _):
        results = await backend.add([AddRequest(url)])
        [status] = await backend.statuses([made.info_hash])
        await backend.delete(made.info_hash, delete_files=True)
    assert results[url] == Accepted(made.info_hash)
    assert status.name == "ep.bin"
    assert status.size == 200_000


async def test_a_torrent_url_that_404s_is_rejected_with_the_reason(
    qbittorrent: QBittorrentProcess, torrent_server: TorrentServer
) -> None:
    url = torrent_server.base_url + "/gone.torrent"
    async with connected_backend(qbittorrent) as (backend, log):
        result = (await backend.add([AddRequest(url)]))[url]
    assert isinstance(result, Rejected)
    assert "HTTP 404" in result.reason
    assert "torrents/add" not in log.endpoints()


async def test_a_torrent_url_serving_something_else_is_rejected(
    qbittorrent: QBittorrentProcess, torrent_server: TorrentServer
) -> None:
    url = torrent_server.serve("/login.torrent", b"<html>Please log in</html>")
    async with connected_backend(qbittorrent) as (backend, _):
        result = (await backend.add([AddRequest(url)]))[url]
    assert isinstance(result, Rejected)
    assert "not a torrent file" in result.reason


async def test_a_torrent_url_redirecting_to_a_magnet_is_added_as_that_magnet(
    qbittorrent: QBittorrentProcess, torrent_server: TorrentServer
) -> None:
    torrent = random_hash()
    url = torrent_server.redirect("/dl/42.torrent", magnet(torrent, name="Show 42"))
    async with connected_backend(qbittorrent) as (backend, _):
        results = await backend.add([AddRequest(url)])
        [status] = await backend.statuses([torrent])
        await backend.delete(torrent, delete_files=False)
    assert results[url] == Accepted(torrent)
    assert status.state is RemoteState.DOWNLOADING


async def test_base32_and_hex_magnets_of_one_torrent_give_the_same_hash(
    qbittorrent: QBittorrentProcess,
) -> None:
    torrent = random_hash()
    hex_link, base32_link = magnet(torrent), magnet(torrent, base32=True)
    async with connected_backend(qbittorrent) as (backend, _):
        first = await backend.add([AddRequest(base32_link)])
        second = await backend.add([AddRequest(hex_link)])
        await backend.delete(torrent, delete_files=False)
    assert first[base32_link] == second[hex_link] == Accepted(torrent)


async def test_adding_a_torrent_again_is_accepted_with_its_hash(
    qbittorrent: QBittorrentProcess,
) -> None:
    torrent = random_hash()
    async with connected_backend(qbittorrent) as (backend, _):
        first = await backend.add([AddRequest(magnet(torrent))])
        again = await backend.add([AddRequest(magnet(torrent)), AddRequest(magnet(random_hash()))])
        await backend.cancel([torrent])
    assert first[magnet(torrent)] == again[magnet(torrent)] == Accepted(torrent)


async def test_a_relative_save_path_lands_under_the_download_root(
    qbittorrent: QBittorrentProcess,
) -> None:
    torrent = random_hash()
    async with connected_backend(qbittorrent) as (backend, log):
        escaping = magnet(random_hash())
        results = await backend.add(
            [AddRequest(magnet(torrent), "show/season 1"), AddRequest(escaping, "../../etc")]
        )
        [status] = await backend.statuses([torrent])
        await backend.delete(torrent, delete_files=False)
    assert results[magnet(torrent)] == Accepted(torrent)
    assert isinstance(results[escaping], Rejected)
    assert status.save_path == qbittorrent.seen(qbittorrent.downloads / "show" / "season 1")
    assert log.endpoints().count("app/defaultSavePath") == 1


@pytest.mark.parametrize("count", [1, 200])
async def test_a_batch_of_magnets_costs_the_same_few_requests_whatever_its_size(
    qbittorrent: QBittorrentProcess, count: int
) -> None:
    hashes = [random_hash() for _ in range(count)]
    root = qbittorrent.seen(qbittorrent.downloads)
    async with connected_backend(qbittorrent, download_root=root) as (backend, log):
        results = await backend.add([AddRequest(magnet(h), "batch") for h in hashes])
        adding = log.endpoints()
        log.clear()
        statuses = await backend.statuses(hashes)
        querying = log.endpoints()
        await backend.cancel(hashes)
    assert list(results.values()) == [Accepted(h) for h in hashes]
    assert {s.state for s in statuses} == {RemoteState.DOWNLOADING}
    assert adding[:3] == ["auth/login", "torrents/add", "torrents/info"]
    # qBittorrent lists a new torrent a moment after answering the add, so now and then
    # the confirmation asks once more for the ones not listed yet: bounded, not per item.
    assert set(adding[3:]) <= {"torrents/info"}
    assert len(adding) <= 3 + len(CONFIRM_WAITS)
    assert querying == ["torrents/info"]


async def test_a_torrent_added_stopped_stays_paused(qbittorrent: QBittorrentProcess) -> None:
    torrent = random_hash()
    async with httpx.AsyncClient() as http, connected_backend(qbittorrent) as (backend, _):
        client = QBittorrentClient(http, qbittorrent.url, Credentials(USERNAME, PASSWORD))
        answer = await client.add(urls=[magnet(torrent)], stopped=True)
        for _ in range(50):
            [status] = await backend.statuses([torrent])
            if status.state is not RemoteState.NOT_FOUND:
                break
            await asyncio.sleep(0.1)
        await backend.delete(torrent, delete_files=False)
    assert answer.status_code == 200
    assert status.state is RemoteState.PAUSED
