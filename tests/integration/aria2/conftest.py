"""Fixtures for tests against a real aria2c on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.aria2 import Aria2Process, fresh_aria2, shared_aria2
from tests.support.torrents import TorrentServer


@pytest.fixture(scope="session")
def aria2(request: pytest.FixtureRequest) -> Aria2Process:
    return shared_aria2(request)


@pytest.fixture
def own_aria2(request: pytest.FixtureRequest) -> Aria2Process:
    """An aria2c this test alone may restart."""
    return fresh_aria2(request)


@pytest.fixture
def file_server() -> Iterator[TorrentServer]:
    server = TorrentServer()
    server.start()
    yield server
    server.stop()
