"""End-to-end fixtures: real qbittorrent-nox, the downloader service in front of it, and Core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import QBittorrentSettings, ServiceSettings
from tests.support.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess, shared_qbittorrent
from tests.support.serving import serving

pytestmark = pytest.mark.real


@pytest.fixture(scope="session")
def qbittorrent(request: pytest.FixtureRequest) -> QBittorrentProcess:
    return shared_qbittorrent(request)


@asynccontextmanager
async def downloader_service(
    qbittorrent: QBittorrentProcess, core_url: str, port: int, name: str = "qbittorrent"
) -> AsyncIterator[str]:
    """The qBittorrent downloader service on `port`, registering itself with Core."""
    service = ServiceSettings(
        name=name, port=port, core_url=core_url, register_interval=5.0, register_backoff=(0.2,)
    )
    client = QBittorrentSettings(
        url=qbittorrent.url,
        username=USERNAME,
        password=PASSWORD,
        download_root=str(qbittorrent.downloads),
    )
    async with serving(create_app(make_container(service, client)), port) as url:
        yield url
