"""Info-hash parsing refuses what is not one, and says which rule it broke."""

from __future__ import annotations

import re

import pytest

from dispatch_domain.infohash import InfoHash, InvalidInfoHash, InvalidMagnet

V2 = "a" * 64


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("https://example.org/x", "not a magnet URI with an xt topic"),
        (
            f"magnet:?xt=urn:btmh:1220{'a' * 62}",
            "magnet btmh is not a sha2-256 multihash of 32 bytes",
        ),
        (f"magnet:?xt=1220{V2}", "magnet has no urn:btih or urn:btmh (sha2-256) topic"),
        (f"magnet:?xt=urn:btmh:1114{V2}", "magnet has no urn:btih or urn:btmh (sha2-256) topic"),
    ],
)
def test_a_magnet_without_a_usable_topic_is_refused_with_its_reason(uri: str, message: str) -> None:
    with pytest.raises(InvalidMagnet, match=f"^{re.escape(message)}$"):
        InfoHash.from_magnet(uri)


def test_a_value_that_is_no_info_hash_is_refused_with_the_accepted_forms() -> None:
    expected = "not an info-hash (40 hex, 32 base32 or 64 hex digits): 'xyz'"
    with pytest.raises(InvalidInfoHash, match=f"^{re.escape(expected)}$"):
        InfoHash.parse("xyz")


def test_the_version_follows_the_length() -> None:
    assert (InfoHash("b" * 40).version, InfoHash(V2).version) == (1, 2)
