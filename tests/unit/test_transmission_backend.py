"""Transmission's RPC as the backend speaks it: the session-id handshake, results, safety."""

from __future__ import annotations

import re

import httpx
import pytest

from adapters.bittorrent import TorrentFetcher
from adapters.transmission import (
    RpcCredentials,
    TransmissionBackend,
    TransmissionRefused,
    TransmissionRpc,
    TransmissionUnreachable,
)
from dispatch_domain import Accepted, AddRequest, BackendError, Rejected, RemoteState
from tests.support.scripted_transmission import ScriptedTransmission
from tests.support.torrents import magnet

HASH = "0123456789abcdef0123456789abcdef01234567"
OTHER = "89abcdef0123456789abcdef0123456789abcdef"
URL = "http://transmission.test/transmission/rpc"


def _backend(
    http: httpx.AsyncClient, credentials: RpcCredentials | None = None
) -> TransmissionBackend:
    return TransmissionBackend(TransmissionRpc(http, URL, credentials), TorrentFetcher(http))


async def test_the_first_call_fetches_a_session_id_and_later_ones_reuse_it() -> None:
    scripted = ScriptedTransmission()
    async with httpx.AsyncClient(transport=scripted.transport()) as http:
        backend = _backend(http)
        await backend.statuses([HASH])
        await backend.statuses([HASH])
        scripted.new_session()  # Transmission restarted
        await backend.statuses([HASH])
    assert scripted.methods() == ["torrent-get", "torrent-get", "torrent-get"]


async def test_a_duplicate_is_accepted_and_a_refused_torrent_rejected_with_the_reason() -> None:
    scripted = ScriptedTransmission(add_results={OTHER: "unrecognized info"})
    async with httpx.AsyncClient(transport=scripted.transport()) as http:
        backend = _backend(http)
        await backend.add([AddRequest(magnet(HASH))])
        results = await backend.add([AddRequest(magnet(HASH)), AddRequest(magnet(OTHER))])
    assert results == {
        magnet(HASH): Accepted(HASH),
        magnet(OTHER): Rejected("Transmission did not add it: unrecognized info"),
    }


async def test_unknown_hashes_never_send_a_remove_without_ids() -> None:
    scripted = ScriptedTransmission()
    scripted.rows[OTHER] = {"hashString": OTHER, "status": 6, "percentDone": 1, "error": 0}
    async with httpx.AsyncClient(transport=scripted.transport()) as http:
        backend = _backend(http)
        assert await backend.cancel([HASH, "not-a-hash"]) == {HASH: False, "not-a-hash": False}
        assert not await backend.delete(HASH, delete_files=True)
        assert not await backend.pause(HASH)
    assert "torrent-remove" not in scripted.methods()
    assert "torrent-stop" not in scripted.methods()
    assert OTHER in scripted.rows


async def test_asking_about_no_valid_hash_sends_nothing() -> None:
    scripted = ScriptedTransmission()
    async with httpx.AsyncClient(transport=scripted.transport()) as http:
        [status] = await _backend(http).statuses(["nonsense"])
    assert (status.remote_id, status.state) == ("nonsense", RemoteState.NOT_FOUND)
    assert scripted.calls == []


async def test_basic_auth_is_sent_when_configured() -> None:
    scripted = ScriptedTransmission(password="s3cret")
    async with httpx.AsyncClient(transport=scripted.transport()) as http:
        health = await _backend(http, RpcCredentials("dispatch", "s3cret")).health()
    assert (health.reachable, health.logged_in, health.version) == (
        True,
        True,
        "4.1.4 (scripted)",
    )


async def test_wrong_credentials_are_a_clear_refusal_without_the_password() -> None:
    scripted = ScriptedTransmission(password="s3cret")
    async with httpx.AsyncClient(transport=scripted.transport()) as http:
        backend = _backend(http, RpcCredentials("dispatch", "wrong-one"))
        health = await backend.health()
        with pytest.raises(TransmissionRefused) as error:
            await backend.statuses([HASH])
    assert (health.reachable, health.logged_in) == (True, False)
    assert health.reason == (
        "Transmission at http://transmission.test/transmission/rpc "
        "refused the RPC username or password"
    )
    assert "wrong-one" not in str(error.value)


async def test_a_client_that_never_answers_times_out_as_unreachable() -> None:
    timeouts: list[dict[str, float]] = []

    async def silent(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        raise httpx.ReadTimeout("no answer", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(silent)) as http:
        rpc = TransmissionRpc(http, URL, timeout=2.5)
        with pytest.raises(TransmissionUnreachable, match="did not answer in time"):
            await TransmissionBackend(rpc, TorrentFetcher(http)).statuses([HASH])
    assert timeouts == [{"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}]


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, "<html>proxy</html>", "with a body that is not JSON"),
        (200, '{"arguments": {}}', "sent an unexpected torrent-get answer"),
        (404, "", "answered HTTP 404 to torrent-get"),
        (403, "", "refused this address (see its rpc-whitelist)"),
        (502, "", "failed: HTTP 502 on torrent-get"),
    ],
)
async def test_answers_that_are_not_rpc_answers_are_errors_naming_them(
    status: int, body: str, message: str
) -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=body)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(BackendError, match=re.escape(message)):
            await _backend(http).statuses([HASH])
