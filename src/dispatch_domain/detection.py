"""Download-type detection: a chain of responsibility, most specific detector first."""

from __future__ import annotations

import functools
import re
from typing import Protocol
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

import attrs

from dispatch_domain.vocabulary import DownloadType

_WEB_SCHEMES = frozenset({"http", "https"})
_BTIH = re.compile(r"urn:btih:(?:[0-9a-f]{40}|[a-z2-7]{32})", re.IGNORECASE)
_BTMH = re.compile(r"urn:btmh:1220[0-9a-f]{64}", re.IGNORECASE)
_XT_PARAMETER = re.compile(r"(?:^|&)xt(?:\.\d+)?=([^&]*)", re.IGNORECASE)


class Detector(Protocol):
    """Says which kind of download a URL is, or None to let the next detector try."""

    def detect(self, url: str) -> DownloadType | None: ...


def _split_web_url(url: str) -> tuple[str, str, str] | None:
    """(host, path, query) of an http(s) URL with a host, else None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not host:
        return None
    return host, unquote(parts.path), parts.query


@functools.lru_cache(maxsize=4096)
def magnet_topics(url: str) -> tuple[str, ...]:
    """The `xt` values of a magnet URI (scheme case-insensitive); empty if not a magnet.

    Only the `xt` parameters are decoded: a magnet's name and trackers can be long, and a
    post of 10,000 magnets asks this twice per link (detection, then the info-hash).
    """
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() != "magnet":
        return ()
    query = rest[1:] if rest.startswith("?") else rest
    return tuple(unquote_plus(match) for match in _XT_PARAMETER.findall(query))


@attrs.frozen
class MagnetDetector:
    """A `magnet:` URI carrying a BitTorrent v1 (btih) or v2 (btmh) topic."""

    def detect(self, url: str) -> DownloadType | None:
        for topic in magnet_topics(url):
            if _BTIH.fullmatch(topic) or _BTMH.fullmatch(topic):
                return DownloadType.MAGNET
        return None


@attrs.frozen
class TorrentDetector:
    """An http(s) URL whose path, or one of whose query values, names a `.torrent` file."""

    def detect(self, url: str) -> DownloadType | None:
        parts = _split_web_url(url)
        if parts is None:
            return None
        _, path, query = parts
        candidates = [path, *(value for _, value in parse_qsl(query))]
        if any(value.lower().endswith(".torrent") for value in candidates):
            return DownloadType.TORRENT
        return None


@attrs.frozen
class HttpDetector:
    """Any other http(s) URL that names a host: a plain file download."""

    def detect(self, url: str) -> DownloadType | None:
        return DownloadType.HTTP if _split_web_url(url) is not None else None


@attrs.frozen
class DetectorChain:
    """Detectors tried in order; the first answer wins."""

    detectors: tuple[Detector, ...]

    def detect(self, url: str) -> DownloadType | None:
        for detector in self.detectors:
            found = detector.detect(url)
            if found is not None:
                return found
        return None

    def with_first(self, *extra: Detector) -> DetectorChain:
        """A new chain trying `extra` before these detectors; this chain is unchanged."""
        return DetectorChain((*extra, *self.detectors))


DEFAULT_CHAIN = DetectorChain((MagnetDetector(), TorrentDetector(), HttpDetector()))


def detect_download_type(url: str, chain: DetectorChain = DEFAULT_CHAIN) -> DownloadType | None:
    """The kind of download `url` is, by the default chain or the one given."""
    return chain.detect(url)
