"""The tests' own guard: Core's clients in tests reach loopback and nothing else."""

from __future__ import annotations

import httpx
import pytest

from tests.support.loopback import LoopbackOnly, is_loopback_host


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("example.com", False),
        ("a", False),
        ("10.0.0.1", False),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
    ],
)
def test_only_loopback_hosts_count_as_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


async def test_a_request_for_an_outside_name_fails_before_any_lookup() -> None:
    async with httpx.AsyncClient(transport=LoopbackOnly()) as client:
        with pytest.raises(httpx.ConnectError, match=r"loopback only, not 'nas\.example'"):
            await client.get("http://nas.example:7341/downloads")
