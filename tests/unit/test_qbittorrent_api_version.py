"""qBittorrent 5 (WebUI API 2.11) renamed pause/resume to stop/start and paused* to stopped*."""

from __future__ import annotations

import httpx
import pytest

from adapters.qbittorrent import Credentials, QBittorrentBackend, QBittorrentClient, TorrentFetcher
from adapters.qbittorrent.client import parse_version
from dispatch_domain import RemoteState
from tests.support.qbittorrent import PASSWORD, USERNAME, ScriptedWebUI

HASH = "0123456789abcdef0123456789abcdef01234567"


async def _exercise(webui: ScriptedWebUI) -> list[str]:
    webui.states[HASH] = "downloading"
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        client = QBittorrentClient(http, "http://qbt.test", Credentials(USERNAME, PASSWORD))
        backend = QBittorrentBackend(client, TorrentFetcher(http))
        assert await backend.pause(HASH)
        assert await backend.resume(HASH)
        assert await backend.pause(HASH)
    return webui.calls


async def test_uses_stop_and_start_from_api_2_11() -> None:
    calls = await _exercise(ScriptedWebUI(api_version="2.11.2"))
    assert calls.count("torrents/stop") == 2
    assert calls.count("torrents/start") == 1
    assert "torrents/pause" not in calls
    assert "torrents/resume" not in calls


async def test_uses_pause_and_resume_before_api_2_11() -> None:
    calls = await _exercise(ScriptedWebUI(api_version="2.8.19"))
    assert calls.count("torrents/pause") == 2
    assert calls.count("torrents/resume") == 1
    assert "torrents/stop" not in calls


async def test_reads_the_api_version_once() -> None:
    calls = await _exercise(ScriptedWebUI(api_version="2.11.0"))
    assert calls.count("app/webapiVersion") == 1


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("stoppedDL", RemoteState.PAUSED),
        ("stoppedUP", RemoteState.COMPLETED),
        ("pausedDL", RemoteState.PAUSED),
    ],
)
async def test_both_generations_of_state_names_are_understood(
    state: str, expected: RemoteState
) -> None:
    webui = ScriptedWebUI(api_version="2.11.2", states={HASH: state})
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        client = QBittorrentClient(http, "http://qbt.test", Credentials(USERNAME, PASSWORD))
        [status] = await QBittorrentBackend(client, TorrentFetcher(http)).statuses([HASH])
    assert status.state is expected


async def test_pausing_an_unknown_hash_says_so_without_touching_qbittorrent() -> None:
    webui = ScriptedWebUI(api_version="2.11.2")
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        client = QBittorrentClient(http, "http://qbt.test", Credentials(USERNAME, PASSWORD))
        assert not await QBittorrentBackend(client, TorrentFetcher(http)).pause(HASH)
    assert "torrents/stop" not in webui.calls


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2.8.19", (2, 8, 19)), ("2.11\n", (2, 11)), ("2.11.2-beta", (2, 11, 0))],
)
def test_parses_api_versions(text: str, expected: tuple[int, ...]) -> None:
    assert parse_version(text) == expected
