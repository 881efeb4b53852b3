"""Webhook signatures and URLs, and Apprise URLs, as receivers and operators see them."""

from __future__ import annotations

import logging

import pytest

from adapters.delivery import check_webhook_url, masked_apprise_url, shown_webhook_url, signature
from dispatch_domain.errors import InvalidInput


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body():
    # A published HMAC-SHA256 example (GitHub's webhook documentation uses the same pair).
    assert signature("It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_a_webhook_url_must_be_absolute_http_or_https():
    assert check_webhook_url(" https://hooks.example/x ") == "https://hooks.example/x"
    for bad in ("ftp://hooks.example/x", "/relative", "http://", "not a url"):
        with pytest.raises(InvalidInput):
            check_webhook_url(bad)


def test_an_apprise_url_is_shown_with_its_password_masked():
    shown = masked_apprise_url("ntfy://user:hunter2@ntfy.example/topic")

    assert shown.startswith("ntfy://user:****@ntfy.example/topic")
    assert "hunter2" not in shown


def test_an_apprise_url_apprise_does_not_know_is_invalid_input():
    with pytest.raises(InvalidInput):
        masked_apprise_url("nonsense://x")


def test_apprise_never_logs_a_line_quoting_a_url(caplog):
    token = "SECRET12"  # short enough that Apprise quotes it whole
    with caplog.at_level(logging.DEBUG, logger="apprise"), pytest.raises(InvalidInput):
        masked_apprise_url(f"tgram://{token}/")  # Apprise logs "Unparseable Telegram URL …"

    assert token not in caplog.text


def test_a_webhook_url_is_shown_without_its_tokens():
    discord = "https://discord.example/api/webhooks/1234567/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"

    assert shown_webhook_url(discord) == "https://discord.example/api/webhooks/1234567/REDACTED"
    assert shown_webhook_url("http://u:p@127.0.0.1:8000/in?token=abc&x=1") == (
        "http://REDACTED@127.0.0.1:8000/in?token=REDACTED&x=1"
    )
