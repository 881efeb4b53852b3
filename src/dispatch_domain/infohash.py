"""Info-hash identity: how BitTorrent clients know a download, normalised to lowercase hex."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

import attrs

from dispatch_domain.detection import magnet_topics
from dispatch_domain.errors import InvalidInput

_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_BASE32 = re.compile(r"[a-z2-7]{32}")
_SHA256_MULTIHASH = "1220"  # multihash prefix: sha2-256, 32-byte digest


class InvalidInfoHash(InvalidInput):
    """A value that is not a BitTorrent v1 or v2 info-hash."""


class InvalidMagnet(InvalidInfoHash):
    """A magnet URI with no usable btih/btmh topic."""


@attrs.frozen
class InfoHash:
    """A torrent's identity: 40 hex digits for v1 (SHA-1), 64 for v2 (SHA-256)."""

    hex: str = attrs.field()

    @hex.validator
    def _check(self, _: attrs.Attribute[str], value: str) -> None:
        if not (_HEX40.fullmatch(value) or _HEX64.fullmatch(value)):
            raise InvalidInfoHash(f"not a normalised info-hash: {value!r}")

    def __str__(self) -> str:
        return self.hex

    @property
    def version(self) -> int:
        return 1 if len(self.hex) == 40 else 2

    @property
    def torrent_id(self) -> str:
        """The 40-digit id clients show: the v1 hash, or a v2 hash cut short (as qBittorrent)."""
        return self.hex[:40]

    @classmethod
    def parse(cls, value: str) -> InfoHash:
        """From 40 hex, 32 base32 (v1) or 64 hex (v2) digits, any case."""
        text = value.strip().lower()
        if _HEX40.fullmatch(text) or _HEX64.fullmatch(text):
            return cls(text)
        if _BASE32.fullmatch(text):
            try:
                return cls(base64.b32decode(text.upper()).hex())
            except binascii.Error as error:  # pragma: no cover - regex admits only valid base32
                raise InvalidInfoHash(f"bad base32 info-hash {value!r}") from error
        raise InvalidInfoHash(f"not an info-hash (40 hex, 32 base32 or 64 hex digits): {value!r}")

    @classmethod
    def from_magnet(cls, uri: str) -> InfoHash:
        """The v1 hash of a magnet if it has one (clients key hybrids by it), else its v2 hash."""
        topics = [topic.lower() for topic in magnet_topics(uri)]
        if not topics:
            raise InvalidMagnet("not a magnet URI with an xt topic")
        for topic in topics:
            if topic.startswith("urn:btih:"):
                try:
                    return cls.parse(topic.removeprefix("urn:btih:"))
                except InvalidInfoHash as error:
                    raise InvalidMagnet(f"magnet btih is invalid: {error}") from error
        for topic in topics:
            digest = topic.removeprefix("urn:btmh:")
            if digest != topic and digest.startswith(_SHA256_MULTIHASH):
                digest = digest.removeprefix(_SHA256_MULTIHASH)
                if _HEX64.fullmatch(digest):
                    return cls(digest)
                raise InvalidMagnet("magnet btmh is not a sha2-256 multihash of 32 bytes")
        raise InvalidMagnet("magnet has no urn:btih or urn:btmh (sha2-256) topic")

    @classmethod
    def of_info(cls, bencoded_info: bytes, *, version: int = 1) -> InfoHash:
        """The hash of a torrent's bencoded `info` dictionary (SHA-1 for v1, SHA-256 for v2)."""
        name = "sha1" if version == 1 else "sha256"
        return cls(hashlib.new(name, bencoded_info, usedforsecurity=False).hexdigest())
