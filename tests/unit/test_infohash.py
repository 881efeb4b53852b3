"""Info-hash identity: hex and base32 agree, v2 is supported, invalid magnets say why."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_domain import InfoHash, InvalidInfoHash, InvalidMagnet

HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
BASE32 = "YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK"


def test_hex_magnet_gives_lowercase_hex() -> None:
    assert str(InfoHash.from_magnet(f"magnet:?xt=urn:btih:{HEX.upper()}&dn=x")) == HEX


def test_base32_magnet_is_decoded_to_the_same_hex() -> None:
    assert str(InfoHash.from_magnet(f"magnet:?xt=urn:btih:{BASE32}")) == HEX


@given(st.binary(min_size=20, max_size=20))
def test_base32_and_hex_of_any_digest_agree(digest: bytes) -> None:
    as_base32 = base64.b32encode(digest).decode()
    as_hex = digest.hex()
    assert InfoHash.from_magnet(f"magnet:?xt=urn:btih:{as_base32}") == InfoHash.parse(as_hex)
    assert InfoHash.parse(as_base32.lower()).hex == as_hex


def test_v2_btmh_magnet_gives_the_sha256_digest() -> None:
    digest = "ab" * 32
    found = InfoHash.from_magnet(f"magnet:?xt=urn:btmh:1220{digest}")
    assert found.hex == digest
    assert found.version == 2
    assert found.torrent_id == digest[:40]


def test_a_hybrid_magnet_is_known_by_its_v1_hash() -> None:
    uri = f"magnet:?xt=urn:btmh:1220{'ab' * 32}&xt=urn:btih:{HEX}"
    assert InfoHash.from_magnet(uri).hex == HEX


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("https://example.com/a.torrent", "not a magnet"),
        ("magnet:?dn=name", "not a magnet"),
        ("magnet:?xt=urn:btih:abc123", "btih is invalid"),
        ("magnet:?xt=urn:btmh:1114" + "ab" * 32, "sha2-256"),
        ("magnet:?xt=urn:btmh:1220abcd", "sha2-256"),
    ],
)
def test_an_invalid_magnet_raises_a_value_error_saying_why(uri: str, message: str) -> None:
    with pytest.raises(InvalidMagnet, match=message) as caught:
        InfoHash.from_magnet(uri)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("value", ["", "xyz", "g" * 40, "a" * 39, "a" * 41, "1" * 32])
def test_parse_rejects_what_is_not_an_info_hash(value: str) -> None:
    with pytest.raises(InvalidInfoHash):
        InfoHash.parse(value)


def test_an_info_dictionary_hashes_like_bittorrent_does() -> None:
    info = b"d6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:" + bytes(20) + b"e"
    assert InfoHash.of_info(info).hex == hashlib.sha1(info, usedforsecurity=False).hexdigest()
    assert InfoHash.of_info(info, version=2).hex == hashlib.sha256(info).hexdigest()


def test_the_constructor_only_takes_normalised_hex() -> None:
    with pytest.raises(InvalidInfoHash):
        InfoHash(HEX.upper())
