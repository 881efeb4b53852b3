"""Info-hashes of .torrent files are computed from the info dictionary, as clients do."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastbencode import bencode

from adapters.bittorrent.torrentfile import NotATorrent, parse_torrent
from dispatch_domain import InfoHash
from tests.support.torrents import make_torrent, random_payload

V1_INFO = {b"name": b"a.bin", b"piece length": 16384, b"length": 5, b"pieces": b"\x01" * 20}


def test_v1_hash_is_sha1_of_the_bencoded_info(tmp_path: Path) -> None:
    made = make_torrent(random_payload(tmp_path, "episode.mkv", 200_000))
    meta = parse_torrent(made.content)
    assert meta.info_hash.hex == made.info_hash
    assert meta.client_id == made.info_hash
    assert meta.name == "episode.mkv"


def test_hash_ignores_everything_outside_the_info_dictionary() -> None:
    plain = parse_torrent(bencode({b"info": V1_INFO}))
    announced = parse_torrent(
        bencode({b"announce": b"https://t.example/pk/announce", b"info": V1_INFO})
    )
    assert plain.info_hash == announced.info_hash
    assert plain.info_hash == InfoHash.of_info(bencode(V1_INFO))


def test_multi_file_torrents_are_accepted() -> None:
    info = {
        b"name": b"season",
        b"piece length": 16384,
        b"pieces": b"\x02" * 40,
        b"files": [{b"length": 3, b"path": [b"a"]}, {b"length": 4, b"path": [b"b"]}],
    }
    assert parse_torrent(bencode({b"info": info})).name == "season"


def test_a_v2_only_torrent_is_known_by_sha256_truncated_to_forty_digits() -> None:
    info = {
        b"name": b"v2.bin",
        b"piece length": 16384,
        b"meta version": 2,
        b"file tree": {b"v2.bin": {b"": {b"length": 5, b"pieces root": b"\x03" * 32}}},
    }
    meta = parse_torrent(bencode({b"info": info}))
    digest = hashlib.sha256(bencode(info)).hexdigest()
    assert meta.info_hash.hex == digest
    assert meta.info_hash.version == 2
    assert meta.client_id == digest[:40]


def test_a_hybrid_torrent_is_known_by_its_v1_hash() -> None:
    info = {**V1_INFO, b"meta version": 2, b"file tree": {}}
    meta = parse_torrent(bencode({b"info": info}))
    assert meta.info_hash.hex == hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<!doctype html><title>Login</title>", "bad bencoding"),
        (b"", "bad bencoding"),
        (bencode({b"announce": b"x"}), "no info dictionary"),
        (bencode([1, 2]), "no info dictionary"),
        (bencode({b"info": {**V1_INFO, b"pieces": b"\x01" * 7}}), "pieces"),
        (bencode({b"info": {k: v for k, v in V1_INFO.items() if k != b"name"}}), "no name"),
        (bencode({b"info": {**V1_INFO, b"piece length": 0}}), "piece length"),
        (bencode({b"info": {k: v for k, v in V1_INFO.items() if k != b"length"}}), "no files"),
    ],
)
def test_what_is_not_a_torrent_is_refused_with_the_reason(body: bytes, why: str) -> None:
    with pytest.raises(NotATorrent, match=why):
        parse_torrent(body)
