"""Fixtures for tests against a real qbittorrent-nox on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.qbittorrent import QBittorrentProcess, fresh_qbittorrent, shared_qbittorrent
from tests.support.torrents import TorrentServer


@pytest.fixture(scope="session")
def qbittorrent(request: pytest.FixtureRequest) -> QBittorrentProcess:
    return shared_qbittorrent(request)


@pytest.fixture
def own_qbittorrent(request: pytest.FixtureRequest) -> QBittorrentProcess:
    """A qbittorrent-nox this test alone may restart or feed wrong passwords."""
    return fresh_qbittorrent(request)


@pytest.fixture
def torrent_server() -> Iterator[TorrentServer]:
    server = TorrentServer()
    server.start()
    yield server
    server.stop()
