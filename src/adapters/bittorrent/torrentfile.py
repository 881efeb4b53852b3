""".torrent files: check one is a torrent and compute the info-hash clients know it by."""

from __future__ import annotations

import attrs
from fastbencode import bdecode, bencode

from dispatch_domain import InfoHash


class NotATorrent(ValueError):
    """The bytes are not a usable .torrent file; the message says what is wrong."""


@attrs.frozen
class TorrentMeta:
    """What the adapter needs from a .torrent file: its identity and its name."""

    info_hash: InfoHash
    name: str

    @property
    def client_id(self) -> str:
        """The 40-digit id clients show (qBittorrent `hash`, Transmission `hashString`)."""
        return self.info_hash.torrent_id


def parse_torrent(data: bytes) -> TorrentMeta:
    """The info-hash and name of a .torrent file, or NotATorrent saying why it is not one."""
    try:
        decoded = bdecode(data)
    except ValueError as error:
        raise NotATorrent(f"not a torrent file (bad bencoding: {error})") from None
    info = decoded.get(b"info") if isinstance(decoded, dict) else None
    if not isinstance(info, dict):
        raise NotATorrent("not a torrent file (no info dictionary)")
    _check_info(info)
    # fastbencode refuses unsorted keys, so re-encoding gives back the exact bytes clients hash.
    version = 2 if _is_v2_only(info) else 1
    info_hash = InfoHash.of_info(bencode(info), version=version)
    return TorrentMeta(info_hash=info_hash, name=info[b"name"].decode("utf-8", errors="replace"))


def _is_v2_only(info: dict[bytes, object]) -> bool:
    """BitTorrent v2 without v1 pieces; a hybrid torrent is known by its v1 hash."""
    return info.get(b"meta version") == 2 and b"pieces" not in info


def _check_info(info: dict[bytes, object]) -> None:
    if not isinstance(info.get(b"name"), bytes):
        raise NotATorrent("not a torrent file (info has no name)")
    piece_length = info.get(b"piece length")
    if not isinstance(piece_length, int) or piece_length <= 0:
        raise NotATorrent("not a torrent file (info has no valid piece length)")
    if _is_v2_only(info):
        if not isinstance(info.get(b"file tree"), dict):
            raise NotATorrent("not a torrent file (v2 info has no file tree)")
        return
    pieces = info.get(b"pieces")
    if not isinstance(pieces, bytes) or not pieces or len(pieces) % 20:
        raise NotATorrent("not a torrent file (info pieces are missing or truncated)")
    if not isinstance(info.get(b"length"), int) and not isinstance(info.get(b"files"), list):
        raise NotATorrent("not a torrent file (info lists no files)")
