"""Sessions against a real qBittorrent: re-login after a restart, restraint after a bad password."""

from __future__ import annotations

import asyncio

import pytest

from adapters.qbittorrent import LoginPolicy, LoginRefused
from dispatch_domain import AddRequest, RemoteState
from tests.support.qbittorrent import QBittorrentProcess, connected_backend
from tests.support.torrents import magnet, random_hash

pytestmark = pytest.mark.real

WRONG = "wrong-password-7c1e"


async def test_after_qbittorrent_restarts_the_next_call_logs_in_again_by_itself(
    own_qbittorrent: QBittorrentProcess,
) -> None:
    torrent = random_hash()
    async with connected_backend(own_qbittorrent) as (backend, log):
        await backend.add([AddRequest(magnet(torrent))])
        own_qbittorrent.restart()
        log.clear()
        await backend.statuses([torrent])
        assert log.endpoints() == ["torrents/info", "auth/login", "torrents/info"]
        # The torrent survives the restart (qBittorrent may still be loading it just now).
        for _ in range(50):
            [status] = await backend.statuses([torrent])
            if status.state is RemoteState.DOWNLOADING:
                break
            await asyncio.sleep(0.2)
    assert status.state is RemoteState.DOWNLOADING
    assert log.endpoints().count("auth/login") == 1


async def test_callers_waiting_on_a_lost_session_share_one_login(
    own_qbittorrent: QBittorrentProcess,
) -> None:
    async with connected_backend(own_qbittorrent) as (backend, log):
        await backend.statuses([random_hash()])
        own_qbittorrent.restart()
        log.clear()
        await asyncio.gather(*(backend.statuses([random_hash()]) for _ in range(10)))
        assert log.endpoints().count("auth/login") == 1


async def test_a_wrong_password_is_a_clear_error_tried_once_per_backoff_window(
    own_qbittorrent: QBittorrentProcess,
) -> None:
    policy = LoginPolicy(backoff=(1.0,), max_failures=3)
    async with connected_backend(own_qbittorrent, password=WRONG, login_policy=policy) as (
        backend,
        log,
    ):
        for _ in range(4):
            with pytest.raises(
                LoginRefused, match="refused the password for user 'admin'"
            ) as error:
                await backend.statuses([random_hash()])
            assert WRONG not in str(error.value)
        assert log.endpoints().count("auth/login") == 1
        health = await backend.health()
        assert (health.reachable, health.logged_in) == (True, False)
        assert health.reason is not None
        assert "next login attempt" in health.reason

        await asyncio.sleep(1.1)
        with pytest.raises(LoginRefused):
            await backend.statuses([random_hash()])
        assert log.endpoints().count("auth/login") == 2

    # Two refusals stay below qBittorrent's ban: the right password still gets in.
    async with connected_backend(own_qbittorrent) as (backend, _):
        assert (await backend.health()).logged_in
