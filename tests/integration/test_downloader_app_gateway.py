"""Core's HTTP gateway and the downloader service understand each other, end to end over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers

from adapters.http_downloader.gateway import HttpDownloaderGateway
from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import ServiceSettings
from dispatch_domain import Accepted, AddRequest, Rejected, RemoteState, Unreachable
from dispatch_domain.cascade import Downloader
from dispatch_domain.testing.backend import FakeBackend
from tests.support.torrents import magnet, random_hash

TOKEN = "shared-downloader-token"
DOWNLOADER = Downloader(
    module_id=1,
    name="qbittorrent",
    base_url="http://downloader.test",
    download_types=FakeBackend().supported_types,
)


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


async def _gateway(fake: FakeBackend, token: str | None) -> AsyncIterator[HttpDownloaderGateway]:
    container = make_container(ServiceSettings(token=TOKEN))
    container.backend.override(providers.Object(fake))
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport) as client:
        yield HttpDownloaderGateway(client, token=token)


@pytest.fixture
async def gateway(fake: FakeBackend) -> AsyncIterator[HttpDownloaderGateway]:
    async for made in _gateway(fake, TOKEN):
        yield made


async def test_a_batch_round_trips_with_results_matched_by_url(
    gateway: HttpDownloaderGateway,
) -> None:
    torrent = random_hash()
    answered = await gateway.submit(
        DOWNLOADER, [AddRequest(magnet(torrent), "show"), AddRequest("ftp://x.invalid/a")]
    )
    assert not isinstance(answered, Unreachable)
    assert answered.result_for(magnet(torrent)) == Accepted(torrent)
    assert isinstance(answered.result_for("ftp://x.invalid/a"), Rejected)


async def test_statuses_cancel_pause_and_resume_round_trip(
    gateway: HttpDownloaderGateway, fake: FakeBackend
) -> None:
    known, unknown = random_hash(), random_hash()
    await gateway.submit(DOWNLOADER, [AddRequest(magnet(known))])
    fake.set_progress(known, 0.5, size=100)
    report = await gateway.statuses(DOWNLOADER, [known, unknown])
    assert not isinstance(report, Unreachable)
    assert report.status_for(known).progress == 0.5
    assert report.status_for(unknown).state is RemoteState.NOT_FOUND
    assert await gateway.pause(DOWNLOADER, known) is True
    assert await gateway.resume(DOWNLOADER, known) is True
    assert await gateway.pause(DOWNLOADER, unknown) is False
    cancelled = await gateway.cancel(DOWNLOADER, [known, unknown])
    assert not isinstance(cancelled, Unreachable)
    assert cancelled.cancelled == {known: True, unknown: False}


async def test_a_failing_client_reaches_core_as_unreachable_with_the_reason(
    gateway: HttpDownloaderGateway, fake: FakeBackend
) -> None:
    fake.go_down("qBittorrent at http://127.0.0.1:8090/ did not answer in time")
    answered = await gateway.submit(DOWNLOADER, [AddRequest(magnet(random_hash()))])
    assert isinstance(answered, Unreachable)
    assert "HTTP 502" in answered.reason
    assert "did not answer in time" in answered.reason


async def test_a_wrong_token_reaches_core_as_unreachable(fake: FakeBackend) -> None:
    async for gateway in _gateway(fake, "not-the-token"):
        answered = await gateway.submit(DOWNLOADER, [AddRequest(magnet(random_hash()))])
        assert isinstance(answered, Unreachable)
        assert "HTTP 401" in answered.reason
    assert fake.calls == []
