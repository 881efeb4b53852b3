"""Feeds as the domain sees them: items, what a read of a feed gives, and an item's one link."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

import attrs

from dispatch_domain.detection import DEFAULT_CHAIN, DetectorChain
from dispatch_domain.vocabulary import DownloadType

_HEX_HASH = re.compile(r"^(?:[0-9a-fA-F]{40}|[A-Za-z2-7]{32})$")


@attrs.frozen
class Validators:
    """What the feed's server said about its last answer, sent back to ask "changed since?"."""

    etag: str | None = None
    last_modified: str | None = None


@attrs.frozen
class FeedItem:
    """One entry of a feed, with every place a download link may hide."""

    title: str
    link: str | None = None
    enclosures: tuple[str, ...] = ()
    info_hash: str | None = None  # an info-hash element, such as nyaa's <nyaa:infoHash>
    published: datetime | None = None
    description: str | None = None


@attrs.frozen
class FeedPage:
    """A feed read in full."""

    items: tuple[FeedItem, ...]
    validators: Validators = attrs.field(factory=Validators)
    warning: str | None = None  # read, but with trouble worth showing (a repaired feed)


@attrs.frozen
class FeedUnchanged:
    """The server answered 304 Not Modified: nothing to do."""


@attrs.frozen
class FeedFailed:
    """The feed could not be fetched or parsed; `reason` is for the subscription's user."""

    reason: str


FeedRead = FeedPage | FeedUnchanged | FeedFailed


def choose_link(item: FeedItem, chain: DetectorChain = DEFAULT_CHAIN) -> str | None:
    """The item's one download link: a magnet (an enclosure, the link, or one made from an
    info-hash element) before a .torrent (enclosure, then link), before any other link."""
    candidates = [url.strip() for url in (*item.enclosures, item.link or "") if url.strip()]
    kinds = [(url, chain.detect(url)) for url in candidates]
    magnets = [url for url, kind in kinds if kind is DownloadType.MAGNET]
    if magnets:
        return magnets[0]
    if item.info_hash and _HEX_HASH.match(item.info_hash.strip()):
        return magnet_for(item.info_hash.strip(), item.title)
    for wanted in (DownloadType.TORRENT, DownloadType.HTTP):
        found = [url for url, kind in kinds if kind is wanted]
        if found:
            return found[0]
    return candidates[0] if candidates else None


def magnet_for(info_hash: str, title: str) -> str:
    """A magnet for a bare info-hash, named after the item."""
    name = f"&dn={quote(title, safe='')}" if title else ""
    return f"magnet:?xt=urn:btih:{info_hash.lower()}{name}"
