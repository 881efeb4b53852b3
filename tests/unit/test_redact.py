"""URLs are redacted before logging: no userinfo, passkeys, tokens or magnet trackers survive."""

from __future__ import annotations

import pytest

from adapters.redact import REDACTED, redact_url

HASH = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    "key", ["passkey", "pk", "key", "token", "auth", "authkey", "torrent_pass", "apikey", "secret"]
)
def test_redacts_secret_query_values(key: str) -> None:
    redacted = redact_url(f"https://tracker.example/dl.php?id=7&{key}=s3cr3t")
    assert "s3cr3t" not in redacted
    assert f"{key}={REDACTED}" in redacted
    assert "id=7" in redacted


def test_secret_keys_match_whatever_their_case() -> None:
    assert "s3cr3t" not in redact_url("https://t.example/a.torrent?PassKey=s3cr3t")


def test_strips_userinfo_but_keeps_host_and_path() -> None:
    redacted = redact_url("https://alice:hunter2@tracker.example:8443/files/a.torrent")
    assert "alice" not in redacted
    assert "hunter2" not in redacted
    assert redacted == f"https://{REDACTED}@tracker.example:8443/files/a.torrent"


def test_redacts_magnet_trackers_and_keeps_the_topic() -> None:
    uri = f"magnet:?xt=urn:btih:{HASH}&dn=Show&tr=https://t.example/ab12cd/announce&tr.1=udp://x"
    redacted = redact_url(uri)
    assert HASH in redacted
    assert "ab12cd" not in redacted
    assert "udp://x" not in redacted
    assert "dn=Show" in redacted


def test_leaves_a_harmless_url_alone() -> None:
    url = "https://example.org/show/episode-1.torrent?id=3"
    assert redact_url(url) == url


def test_an_unparseable_url_is_not_echoed() -> None:
    assert redact_url("http://[broken/passkey") == "<unparseable URL>"
