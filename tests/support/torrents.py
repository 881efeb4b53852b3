"""Torrents for tests: random payloads, .torrent files built with fastbencode, magnet links."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import quote

import attrs
from fastbencode import bencode

PIECE_LENGTH = 64 * 1024


@attrs.frozen
class MadeTorrent:
    """A payload on disk and its .torrent file, with the v1 info-hash clients know it by."""

    payload: Path
    content: bytes = attrs.field(repr=False)
    info_hash: str

    @property
    def size(self) -> int:
        return self.payload.stat().st_size


def random_payload(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def make_torrent(payload: Path, *, piece_length: int = PIECE_LENGTH) -> MadeTorrent:
    """A single-file v1 .torrent for `payload`, trackerless (peers come from the magnet hint)."""
    data = payload.read_bytes()
    pieces = b"".join(
        hashlib.sha1(data[i : i + piece_length], usedforsecurity=False).digest()
        for i in range(0, len(data), piece_length)
    )
    info = {
        b"name": payload.name.encode(),
        b"piece length": piece_length,
        b"length": len(data),
        b"pieces": pieces,
    }
    content = bencode({b"info": info, b"created by": b"bangumi-dispatch tests"})
    info_hash = hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()
    return MadeTorrent(payload, content, info_hash)


def random_hash() -> str:
    return os.urandom(20).hex()


def magnet(info_hash: str, *, base32: bool = False, peer: str | None = None, name: str = "") -> str:
    """A magnet link for a v1 hash, in hex or base32, optionally with an `x.pe` peer hint."""
    topic = base64.b32encode(bytes.fromhex(info_hash)).decode() if base32 else info_hash
    uri = f"magnet:?xt=urn:btih:{topic}"
    if name:
        uri += f"&dn={quote(name)}"
    if peer:
        uri += f"&x.pe={peer}"
    return uri
