"""Fetch .torrent URLs for upload: size cap, overall timeout, redirects (even to a magnet)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urljoin, urlsplit

import attrs
import httpx

from adapters.bittorrent.torrentfile import NotATorrent, TorrentMeta, parse_torrent
from adapters.redact import redact_url
from dispatch_domain import Rejected

log = logging.getLogger(__name__)

MIB = 1024 * 1024


@attrs.frozen
class TorrentFile:
    """A fetched and checked .torrent file, ready to upload."""

    meta: TorrentMeta
    content: bytes = attrs.field(repr=False)


@attrs.frozen
class MagnetRedirect:
    """The URL redirected to a magnet link, which is added as a magnet."""

    uri: str = attrs.field(repr=False)


Fetched = TorrentFile | MagnetRedirect | Rejected


class TooLarge(Exception):
    """The body passed the size cap."""


@attrs.frozen
class TorrentFetcher:
    """Downloads .torrent files with its own httpx client, so no client cookie ever leaves."""

    http: httpx.AsyncClient
    max_bytes: int = 10 * MIB
    timeout: float = 30.0
    max_redirects: int = 5

    async def fetch(self, url: str) -> Fetched:
        """The torrent behind `url`, a magnet it redirects to, or why neither could be had."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._follow(url)
        except TimeoutError:
            return Rejected(f"fetching the .torrent file took longer than {self.timeout:g} s")
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ExceptionGroup) as error:
            # An ExceptionGroup: the connection attempts to every address failed (a port
            # out of range among them). Either way this URL cannot be had; others can.
            log.info("could not fetch %s: %s", redact_url(url), type(error).__name__)
            return Rejected(f"could not fetch the .torrent file ({type(error).__name__})")

    async def _follow(self, url: str) -> Fetched:
        current = url
        for _ in range(self.max_redirects + 1):
            unusable = _unusable(current)
            if unusable:
                return Rejected(unusable)
            scheme = urlsplit(current).scheme.lower()
            if scheme == "magnet":
                return MagnetRedirect(current)
            if scheme not in ("http", "https"):
                return Rejected(
                    f"the .torrent URL led to an unsupported {scheme or 'relative'} URL"
                )
            request = self.http.stream("GET", current, follow_redirects=False, timeout=self.timeout)
            async with request as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                return await self._read(response)
        return Rejected(f"the .torrent URL redirected more than {self.max_redirects} times")

    async def _read(self, response: httpx.Response) -> Fetched:
        if response.status_code != 200:
            phrase = response.reason_phrase or ""
            return Rejected(
                f"the .torrent URL answered HTTP {response.status_code} {phrase}".strip()
            )
        try:
            body = await self._capped_body(response)
        except TooLarge:
            return Rejected(f"the .torrent file is larger than {self.max_bytes} bytes")
        try:
            return TorrentFile(parse_torrent(body), body)
        except NotATorrent as error:
            return Rejected(f"the URL did not give a torrent: {error}")

    async def _capped_body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge
        chunks: list[bytes] = []
        received = 0
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > self.max_bytes:
                raise TooLarge
            chunks.append(chunk)
        return b"".join(chunks)


def _unusable(url: str) -> str | None:
    """Why `url` cannot even be asked for (unbalanced brackets, a port out of range), if so."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as error:
        return f"not a usable URL: {error}"
    if parts.scheme.lower() in ("http", "https") and not parts.hostname:
        return "not a usable URL: it names no host"
    return None
