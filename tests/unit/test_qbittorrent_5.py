"""qBittorrent 5.2+ answers: login by status code, JSON/202/409 adds, `stopped` on add."""

from __future__ import annotations

import json

import httpx
import pytest

from adapters.qbittorrent import (
    Credentials,
    LoginRefused,
    QBittorrentBackend,
    QBittorrentClient,
    TorrentFetcher,
)
from dispatch_domain import Accepted, AddRequest, BackendError, Rejected
from tests.support.qbittorrent import PASSWORD, USERNAME, ScriptedWebUI
from tests.support.torrents import magnet

HASH = "0123456789abcdef0123456789abcdef01234567"
OTHER = "89abcdef0123456789abcdef0123456789abcdef"


def _client(http: httpx.AsyncClient, password: str = PASSWORD) -> QBittorrentClient:
    return QBittorrentClient(http, "http://qbt.test", Credentials(USERNAME, password))


async def test_a_204_login_opens_a_session() -> None:
    webui = ScriptedWebUI(api_version="2.16.2", login_answers="status", states={HASH: "stoppedDL"})
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        [status] = await QBittorrentBackend(_client(http), TorrentFetcher(http)).statuses([HASH])
    assert status.remote_id == HASH
    assert webui.calls == ["auth/login", "torrents/info"]


async def test_a_401_login_is_a_refused_password() -> None:
    webui = ScriptedWebUI(api_version="2.16.2", login_answers="status")
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        backend = QBittorrentBackend(_client(http, "wrong"), TorrentFetcher(http))
        with pytest.raises(LoginRefused, match="refused the password for user 'admin'"):
            await backend.statuses([HASH])


async def test_an_unexpected_login_answer_is_an_error_naming_it() -> None:
    async def teapot(request: httpx.Request) -> httpx.Response:
        return httpx.Response(418)

    async with httpx.AsyncClient(transport=httpx.MockTransport(teapot)) as http:
        backend = QBittorrentBackend(_client(http), TorrentFetcher(http))
        with pytest.raises(BackendError, match="answered HTTP 418 to login"):
            await backend.statuses([HASH])


@pytest.mark.parametrize(
    "answer",
    [
        (200, json.dumps({"added_torrent_ids": [HASH], "success_count": 1, "failure_count": 1})),
        (202, json.dumps({"pending_count": 2})),
        (409, "Conflict"),
    ],
    ids=["json", "pending", "conflict"],
)
async def test_every_5_x_add_answer_is_confirmed_by_hash(answer: tuple[int, str]) -> None:
    webui = ScriptedWebUI(
        api_version="2.16.2", login_answers="status", add_answer=answer, ignored={OTHER}
    )
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        backend = QBittorrentBackend(_client(http), TorrentFetcher(http), confirm_waits=())
        results = await backend.add([AddRequest(magnet(HASH)), AddRequest(magnet(OTHER))])
    assert results[magnet(HASH)] == Accepted(HASH)
    rejected = results[magnet(OTHER)]
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("qBittorrent did not add it (it answered ")


@pytest.mark.parametrize(
    ("api_version", "flag"), [("2.8.19", {"paused": "true"}), ("2.11.4", {"stopped": "true"})]
)
async def test_adding_stopped_says_paused_before_api_2_11_and_stopped_from_it(
    api_version: str, flag: dict[str, str]
) -> None:
    webui = ScriptedWebUI(api_version=api_version)
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        await _client(http).add(urls=[magnet(HASH)], stopped=True)
        await _client(http).add(urls=[magnet(OTHER)])
    assert webui.add_flags == [flag, {}]
