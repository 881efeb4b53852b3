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


# The same secrets, logged: whatever the format, a log line never carries them.

SECRET_URLS = [
    "https://tracker.example/dl.php?id=7&passkey=s3cr3t",
    "https://alice:s3cr3t@tracker.example/files/a.torrent",
    f"magnet:?xt=urn:btih:{HASH}&tr=https://t.example/s3cr3t/announce",
]


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("url", SECRET_URLS)
def test_a_logged_url_is_redacted_in_either_format(log_format: str, url: str) -> None:
    from tests.support.logs import log_lines

    lines = log_lines(log_format, lambda log: log.info("could not fetch %s: HTTP 404", url))

    (line,) = lines
    assert "s3cr3t" not in line
    assert REDACTED in line
    assert "could not fetch" in line


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_failure_logged_with_its_traceback_is_redacted_in_either_format(
    log_format: str,
) -> None:
    from tests.support.logs import log_lines

    def fail(log):  # type: ignore[no-untyped-def]
        try:
            raise RuntimeError(f"gave up on {SECRET_URLS[0]}")
        except RuntimeError:
            log.exception("dispatch round failed")

    text = "\n".join(log_lines(log_format, fail))

    assert "s3cr3t" not in text
    assert "RuntimeError" in text


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_http_servers_access_line_hides_a_token_in_the_query(log_format: str) -> None:
    from tests.support.logs import log_lines

    def access(log):  # type: ignore[no-untyped-def]
        import logging

        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/downloads?token=s3cr3t",
            "1.1",
            200,
        )

    (line,) = log_lines(log_format, access)

    assert "s3cr3t" not in line
    assert "/downloads?token=REDACTED" in line
