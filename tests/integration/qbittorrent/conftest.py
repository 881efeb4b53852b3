"""Fixtures for tests against a real qbittorrent-nox on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.qbittorrent import QBittorrentProcess, fresh_qbittorrent, shared_qbittorrent
from tests.support.torrents import TorrentServer

# Every qBittorrent version we claim: Debian 12's, Debian 13's and trixie-backports'.
VERSIONS = ["4.5", "5.1", "5.3"]


@pytest.fixture(scope="session", params=VERSIONS, ids=[f"qbittorrent-{v}" for v in VERSIONS])
def qbittorrent(request: pytest.FixtureRequest) -> QBittorrentProcess:
    return shared_qbittorrent(request, request.param)


@pytest.fixture(params=VERSIONS, ids=[f"qbittorrent-{v}" for v in VERSIONS])
def own_qbittorrent(request: pytest.FixtureRequest) -> QBittorrentProcess:
    """A qbittorrent-nox this test alone may restart or feed wrong passwords."""
    return fresh_qbittorrent(request, request.param)


@pytest.fixture
def torrent_server() -> Iterator[TorrentServer]:
    server = TorrentServer()
    server.start()
    yield server
    server.stop()
