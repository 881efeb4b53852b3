"""Fixtures for tests against a real transmission-daemon (3.00, 4.1.0, 4.1.4) on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.torrents import TorrentServer
from tests.support.transmission import TransmissionProcess, fresh_transmission, shared_transmission

# Every Transmission version we claim: Debian 12's, Debian 13's and trixie-backports'.
VERSIONS = ["3.00", "4.1.0", "4.1.4"]
IDS = [f"transmission-{v}" for v in VERSIONS]


@pytest.fixture(scope="session", params=VERSIONS, ids=IDS)
def transmission(request: pytest.FixtureRequest) -> TransmissionProcess:
    return shared_transmission(request, request.param)


@pytest.fixture(params=VERSIONS, ids=IDS)
def own_transmission(request: pytest.FixtureRequest) -> TransmissionProcess:
    """A transmission-daemon this test alone may restart."""
    return fresh_transmission(request, request.param)


@pytest.fixture(params=VERSIONS, ids=IDS)
def guarded_transmission(request: pytest.FixtureRequest) -> TransmissionProcess:
    """A transmission-daemon that requires the RPC username and password."""
    return fresh_transmission(request, request.param, auth=True)


@pytest.fixture
def torrent_server() -> Iterator[TorrentServer]:
    server = TorrentServer()
    server.start()
    yield server
    server.stop()
