"""Registering with Core: escalating back-off while Core is away, then a steady interval."""

from __future__ import annotations

import httpx
import pytest

from apps.downloader.registration import Registrar, Registration
from dispatch_domain import DownloadType


class StopLoop(Exception):
    pass


def _registrar(answers: list[int], sleeps: list[float], limit: int) -> Registrar:
    def core(request: httpx.Request) -> httpx.Response:
        status = answers.pop(0) if answers else 201
        if status == 0:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(status, json={})

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) >= limit:
            raise StopLoop

    registration = Registration.of("qbt", "127.0.0.1", 8081, [DownloadType.MAGNET])
    http = httpx.AsyncClient(transport=httpx.MockTransport(core))
    return Registrar(
        http, "http://core.test", registration, interval=300.0, backoff=(1, 2, 5), sleep=sleep
    )


async def test_backs_off_more_and_more_while_core_does_not_answer() -> None:
    sleeps: list[float] = []
    registrar = _registrar([0, 503, 0, 500, 502], sleeps, limit=6)
    with pytest.raises(StopLoop):
        await registrar.run()
    assert sleeps == [1, 2, 5, 5, 5, 300]
    assert registrar.registered


async def test_after_a_success_a_new_failure_starts_the_backoff_over() -> None:
    sleeps: list[float] = []
    registrar = _registrar([503, 503, 201, 503], sleeps, limit=5)
    with pytest.raises(StopLoop):
        await registrar.run()
    assert sleeps == [1, 2, 300, 1, 300]


async def test_remembers_why_the_last_attempt_failed() -> None:
    registrar = _registrar([401], [], limit=1)
    assert await registrar.register_once() is not None
    assert registrar.last_error is not None
    assert "HTTP 401" in registrar.last_error
    assert not registrar.registered


def test_declares_its_types_in_a_stable_order() -> None:
    registration = Registration.of("q", "h", 1, {DownloadType.TORRENT, DownloadType.MAGNET})
    capabilities = registration.payload()["capabilities"]
    assert capabilities["supported_download_types"] == ["magnet", "torrent"]
    assert capabilities["download_endpoint"] == "/downloads"
