"""The WebUI session: one shared login, one retry on 403, and restraint after a refused password."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import attrs
import httpx
import pytest

from adapters.qbittorrent import (
    ClientUnreachable,
    Credentials,
    LoginPolicy,
    LoginRefused,
    QBittorrentBackend,
    QBittorrentClient,
    TorrentFetcher,
)
from dispatch_domain import BackendError
from tests.support.qbittorrent import PASSWORD, USERNAME, ScriptedWebUI

HASH = "0123456789abcdef0123456789abcdef01234567"
URL = "http://qbittorrent.test:8080"
WRONG = "not-the-password-9f2c"


@attrs.define
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@attrs.define
class Rig:
    webui: ScriptedWebUI
    backend: QBittorrentBackend
    clock: Clock


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    async with _rig(ScriptedWebUI()) as made:
        yield made


@contextlib.asynccontextmanager
async def _rig(
    webui: ScriptedWebUI, *, password: str = PASSWORD, policy: LoginPolicy | None = None
) -> AsyncIterator[Rig]:
    clock = Clock()
    async with httpx.AsyncClient(transport=webui.transport()) as http:
        credentials = Credentials(USERNAME, password)
        client = QBittorrentClient(http, URL, credentials, login_policy=policy, clock=clock)
        yield Rig(webui, QBittorrentBackend(client, TorrentFetcher(http)), clock)


async def test_concurrent_callers_share_one_login(rig: Rig) -> None:
    rig.webui.login_delay = 0.05
    await asyncio.gather(*(rig.backend.statuses([HASH]) for _ in range(20)))
    assert rig.webui.logins() == 1


async def test_an_expired_session_is_renewed_once_and_the_call_retried(rig: Rig) -> None:
    await rig.backend.statuses([HASH])
    rig.webui.expire_session()
    rig.webui.calls.clear()
    statuses = await rig.backend.statuses([HASH])
    assert statuses[0].remote_id == HASH
    assert rig.webui.calls == ["torrents/info", "auth/login", "torrents/info"]


async def test_concurrent_callers_hitting_an_expired_session_share_one_renewal(rig: Rig) -> None:
    await rig.backend.statuses([HASH])
    rig.webui.expire_session()
    rig.webui.login_delay = 0.05
    rig.webui.calls.clear()
    await asyncio.gather(*(rig.backend.statuses([HASH]) for _ in range(10)))
    assert rig.webui.logins() == 1


async def test_a_refused_password_is_not_tried_again_until_the_backoff_passes() -> None:
    policy = LoginPolicy(backoff=(60.0, 300.0), max_failures=4)
    async with _rig(ScriptedWebUI(), password=WRONG, policy=policy) as rig:
        for _ in range(5):
            with pytest.raises(LoginRefused, match="refused the password for user 'admin'"):
                await rig.backend.statuses([HASH])
        assert rig.webui.logins() == 1
        rig.clock.now += 59
        with pytest.raises(LoginRefused, match="next login attempt in 1 s"):
            await rig.backend.statuses([HASH])
        assert rig.webui.logins() == 1
        rig.clock.now += 2
        with pytest.raises(LoginRefused, match="next login attempt in 300 s"):
            await rig.backend.statuses([HASH])
        assert rig.webui.logins() == 2


async def test_stops_logging_in_before_qbittorrent_would_ban_the_address() -> None:
    policy = LoginPolicy(backoff=(1.0,), max_failures=2)
    async with _rig(ScriptedWebUI(), password=WRONG, policy=policy) as rig:
        for _ in range(6):
            with pytest.raises(LoginRefused):
                await rig.backend.statuses([HASH])
            rig.clock.now += 10
        assert rig.webui.logins() == 2
        health = await rig.backend.health()
        assert health.reason is not None
        assert "restart the downloader" in health.reason


async def test_a_ban_waits_out_the_ban_duration() -> None:
    async with _rig(ScriptedWebUI(banned=True), policy=LoginPolicy(ban_wait=3600.0)) as rig:
        with pytest.raises(LoginRefused, match="banned this address"):
            await rig.backend.statuses([HASH])
        rig.clock.now += 3000
        with pytest.raises(LoginRefused):
            await rig.backend.statuses([HASH])
        assert rig.webui.logins() == 1
        rig.clock.now += 601
        with pytest.raises(LoginRefused):
            await rig.backend.statuses([HASH])
        assert rig.webui.logins() == 2


async def test_health_reports_a_refused_login_with_its_reason_and_no_password() -> None:
    async with _rig(ScriptedWebUI(), password=WRONG) as rig:
        health = await rig.backend.health()
    assert health.reachable
    assert not health.logged_in
    assert health.reason is not None
    assert "refused the password" in health.reason
    assert WRONG not in health.reason


async def test_the_password_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with _rig(ScriptedWebUI(), password=WRONG) as rig:
        with pytest.raises(BackendError):
            await rig.backend.statuses([HASH])
        await rig.backend.health()
    assert caplog.records
    assert WRONG not in caplog.text


async def test_a_successful_login_after_a_refusal_clears_the_reason() -> None:
    webui = ScriptedWebUI(password="changed")
    async with _rig(webui, password="changed", policy=LoginPolicy(backoff=(5.0,))) as rig:
        webui.password = "something else"
        with pytest.raises(LoginRefused):
            await rig.backend.statuses([HASH])
        webui.password = "changed"
        rig.clock.now += 6
        await rig.backend.statuses([HASH])
        health = await rig.backend.health()
    assert health.logged_in
    assert health.reason is None


async def test_an_unreachable_client_is_a_backend_error_saying_so() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        client = QBittorrentClient(http, URL, Credentials("a", "b"))
        backend = QBittorrentBackend(client, TorrentFetcher(http))
        with pytest.raises(ClientUnreachable, match="unreachable"):
            await backend.statuses([HASH])
        health = await backend.health()
    assert not health.reachable
    assert not health.logged_in


async def test_an_outage_during_the_backoff_does_not_open_the_door_to_another_login() -> None:
    webui = ScriptedWebUI()
    down = False

    async def flaky(request: httpx.Request) -> httpx.Response:
        if down:
            raise httpx.ConnectError("connection refused", request=request)
        return await webui.handle(request)

    clock = Clock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(flaky)) as http:
        policy = LoginPolicy(backoff=(60.0,))
        client = QBittorrentClient(
            http, URL, Credentials(USERNAME, WRONG), login_policy=policy, clock=clock
        )
        backend = QBittorrentBackend(client, TorrentFetcher(http))
        with pytest.raises(LoginRefused):
            await backend.statuses([HASH])
        down = True
        with pytest.raises(BackendError):
            await backend.statuses([HASH])
        down = False
        clock.now += 30
        with pytest.raises(LoginRefused, match="next login attempt in 30 s"):
            await backend.statuses([HASH])
    assert webui.logins() == 1
