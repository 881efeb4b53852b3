"""Every client version the tests claim really runs, and only on loopback."""

from __future__ import annotations

import httpx
import pytest

from tests.support.aria2 import fresh_aria2
from tests.support.clients import bound_addresses
from tests.support.qbittorrent import PASSWORD, USERNAME, shared_qbittorrent
from tests.support.transmission import shared_transmission

pytestmark = pytest.mark.real

LOOPBACK = {"127.0.0.1", "::1"}


@pytest.mark.parametrize(
    ("version", "reported"), [("4.5", "v4.5.2"), ("5.1", "v5.1.0"), ("5.3", "v5.3.0")]
)
def test_qbittorrent_runs_the_version_claimed_on_loopback_only(
    request: pytest.FixtureRequest, version: str, reported: str
) -> None:
    qbittorrent = shared_qbittorrent(request, version)
    with httpx.Client(base_url=qbittorrent.url + "/api/v2/", timeout=10) as http:
        http.post("auth/login", data={"username": USERNAME, "password": PASSWORD})
        assert http.get("app/version").text == reported
    addresses = bound_addresses(qbittorrent.pid)
    assert "127.0.0.1" in addresses
    assert addresses <= LOOPBACK


@pytest.mark.parametrize(
    ("version", "reported"),
    [
        ("3.00", "3.00 (bb6b5a062e)"),
        ("4.1.0", "4.1.0-beta.2 (ac5c9e082d)"),
        ("4.1.4", "4.1.4 (a6d907d9ea)"),
    ],
)
def test_transmission_runs_the_version_claimed_on_loopback_only(
    request: pytest.FixtureRequest, version: str, reported: str
) -> None:
    transmission = shared_transmission(request, version)
    with httpx.Client(timeout=10) as http:
        session = http.post(transmission.url).headers["X-Transmission-Session-Id"]
        answer = http.post(
            transmission.url,
            json={"method": "session-get", "arguments": {"fields": ["version"]}},
            headers={"X-Transmission-Session-Id": session},
        ).json()
    assert answer["arguments"]["version"] == reported
    addresses = bound_addresses(transmission.pid)
    assert "127.0.0.1" in addresses
    assert addresses <= LOOPBACK


def test_aria2_answers_its_rpc_on_loopback_only(request: pytest.FixtureRequest) -> None:
    aria2 = fresh_aria2(request)
    call = {"jsonrpc": "2.0", "id": 1, "method": "aria2.getVersion"}
    answer = httpx.post(aria2.url, json={**call, "params": [f"token:{aria2.secret}"]}).json()
    assert answer["result"]["version"] == "1.36.0"
    assert bound_addresses(aria2.pid) == {"127.0.0.1"}
