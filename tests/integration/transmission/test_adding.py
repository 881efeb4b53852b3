"""Adding to a real Transmission: .torrent URLs, magnets, duplicates, save paths, call counts."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import httpx
import pytest

from adapters.transmission import RpcCredentials
from dispatch_domain import Accepted, AddRequest, Rejected, RemoteState
from tests.support.torrents import TorrentServer, magnet, make_torrent, random_hash, random_payload
from tests.support.transmission import (
    PASSWORD,
    USERNAME,
    TransmissionProcess,
    transmission_backend,
)

pytestmark = pytest.mark.real


async def test_a_torrent_url_is_fetched_sent_and_accepted_with_its_info_hash(
    transmission: TransmissionProcess, torrent_server: TorrentServer, tmp_path: Path
) -> None:
    made = make_torrent(random_payload(tmp_path, "ep.bin", 200_000))
    url = torrent_server.serve("/rss/ep.torrent?passkey=abc", made.content)
    async with transmission_backend(transmission) as (backend, _):
        results = await backend.add([AddRequest(url)])
        [status] = await backend.statuses([made.info_hash])
        await backend.delete(made.info_hash, delete_files=True)
    assert results[url] == Accepted(made.info_hash)
    assert (status.name, status.size) == ("ep.bin", 200_000)
    assert status.state is RemoteState.DOWNLOADING


async def test_a_torrent_url_that_404s_is_rejected_without_calling_transmission(
    transmission: TransmissionProcess, torrent_server: TorrentServer
) -> None:
    url = torrent_server.base_url + "/gone.torrent"
    async with transmission_backend(transmission) as (backend, log):
        result = (await backend.add([AddRequest(url)]))[url]
    assert isinstance(result, Rejected)
    assert "HTTP 404" in result.reason
    assert log.methods == []


async def test_bytes_transmission_cannot_read_are_rejected_with_its_words(
    transmission: TransmissionProcess,
) -> None:
    async with httpx.AsyncClient() as http:
        session = (await http.post(transmission.url)).headers["X-Transmission-Session-Id"]
        answer = await http.post(
            transmission.url,
            json={
                "method": "torrent-add",
                "arguments": {"metainfo": base64.b64encode(b"not bencoded").decode()},
            },
            headers={"X-Transmission-Session-Id": session},
        )
    # Our planner refuses such bytes before Transmission sees them; this pins Transmission's
    # own answer, which the backend passes on as the rejection's reason.
    assert answer.json()["result"] in ("invalid or corrupt torrent file", "unrecognized info")


async def test_a_magnet_added_twice_is_accepted_both_times(
    transmission: TransmissionProcess,
) -> None:
    torrent = random_hash()
    async with transmission_backend(transmission) as (backend, _):
        first = await backend.add([AddRequest(magnet(torrent))])
        again = await backend.add([AddRequest(magnet(torrent, base32=True))])
        await backend.cancel([torrent])
    assert first[magnet(torrent)] == again[magnet(torrent, base32=True)] == Accepted(torrent)


async def test_a_relative_save_path_lands_under_transmissions_download_dir(
    transmission: TransmissionProcess,
) -> None:
    torrent = random_hash()
    escaping = magnet(random_hash())
    async with transmission_backend(transmission) as (backend, log):
        results = await backend.add(
            [AddRequest(magnet(torrent), "show/season 1"), AddRequest(escaping, "../../etc")]
        )
        [status] = await backend.statuses([torrent])
        await backend.delete(torrent, delete_files=False)
    assert results[magnet(torrent)] == Accepted(torrent)
    assert isinstance(results[escaping], Rejected)
    assert status.save_path == transmission.seen(transmission.downloads / "show" / "season 1")
    assert log.methods.count("session-get") == 2  # the 409 handshake, then the answer


@pytest.mark.parametrize("count", [1, 60])
async def test_statuses_and_cancel_cost_one_call_whatever_the_batch_size(
    transmission: TransmissionProcess, count: int
) -> None:
    hashes = [random_hash() for _ in range(count)]
    async with transmission_backend(transmission) as (backend, log):
        results = await backend.add([AddRequest(magnet(h)) for h in hashes])
        adds = log.methods.count("torrent-add")
        log.clear()
        statuses = await backend.statuses(hashes)
        querying = list(log.methods)
        log.clear()
        await backend.cancel(hashes)
        cancelling = list(log.methods)
    assert list(results.values()) == [Accepted(h) for h in hashes]
    assert adds == count + 1  # Transmission adds one torrent per call; +1 for the handshake
    assert {s.state for s in statuses} == {RemoteState.DOWNLOADING}
    assert querying == ["torrent-get"]
    assert cancelling == ["torrent-get", "torrent-remove"]


async def test_a_torrent_removed_behind_our_back_is_not_found(
    transmission: TransmissionProcess,
) -> None:
    torrent = random_hash()
    async with transmission_backend(transmission) as (backend, _):
        await backend.add([AddRequest(magnet(torrent))])
        async with transmission_backend(transmission) as (someone_else, _):
            await someone_else.delete(torrent, delete_files=False)
        [status] = await backend.statuses([torrent])
    assert status.state is RemoteState.NOT_FOUND


async def test_after_transmission_restarts_the_session_id_is_renewed_and_torrents_survive(
    own_transmission: TransmissionProcess,
) -> None:
    torrent = random_hash()
    async with transmission_backend(own_transmission) as (backend, log):
        await backend.add([AddRequest(magnet(torrent))])
        own_transmission.restart()
        log.clear()
        [status] = await backend.statuses([torrent])
        assert log.methods == ["torrent-get", "torrent-get"]  # 409 with a new id, the answer
        # 3.00 answers its RPC a moment (< 0.1 s) before it has loaded its torrents.
        for _ in range(20):
            if status.state is RemoteState.DOWNLOADING:
                break
            await asyncio.sleep(0.1)
            [status] = await backend.statuses([torrent])
    assert status.state is RemoteState.DOWNLOADING


async def test_basic_auth_gets_in_and_a_wrong_password_is_a_clear_refusal(
    guarded_transmission: TransmissionProcess,
) -> None:
    good = RpcCredentials(USERNAME, PASSWORD)
    async with transmission_backend(guarded_transmission, credentials=good) as (backend, _):
        assert (await backend.health()).logged_in
    bad = RpcCredentials(USERNAME, "wrong-password-5d2a")
    async with transmission_backend(guarded_transmission, credentials=bad) as (backend, _):
        health = await backend.health()
    assert (health.reachable, health.logged_in) == (True, False)
    assert health.reason is not None
    assert "refused the RPC username or password" in health.reason
    assert "wrong-password-5d2a" not in health.reason
