"""RSS and Atom bytes into FeedItems, with feedparser; the link choice stays in the domain."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser

from dispatch_domain.feeds import FeedFailed, FeedItem, FeedPage, Validators


def parse_feed(body: bytes, validators: Validators | None = None) -> FeedPage | FeedFailed:
    """The feed's items, or why there are none. A feed feedparser had to repair is read all
    the same when it still gave items (feeds in the wild often carry a stray '&')."""
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.get("bozo") and not parsed.entries:
        return FeedFailed(f"malformed feed: {_first_line(parsed.get('bozo_exception'))}")
    if not parsed.get("version"):
        return FeedFailed("not an RSS or Atom feed")
    items = tuple(_item(entry) for entry in parsed.entries)
    warning = None
    if parsed.get("bozo"):
        why = _first_line(parsed.get("bozo_exception"))
        warning = f"the feed is malformed, read as far as possible: {why}"
    return FeedPage(items, validators or Validators(), warning)


def _item(entry: Any) -> FeedItem:
    return FeedItem(
        title=str(entry.get("title") or "").strip(),
        link=entry.get("link"),
        enclosures=tuple(_enclosures(entry)),
        info_hash=_info_hash(entry),
        published=_when(entry.get("published_parsed") or entry.get("updated_parsed")),
        description=entry.get("summary"),
    )


def _enclosures(entry: Any) -> list[str]:
    found = [str(e.get("href")) for e in entry.get("enclosures", []) if e.get("href")]
    # feedparser lists <enclosure> and <link rel="enclosure"> here; some feeds (Atom) only
    # mark a .torrent or magnet <link> by its type.
    for link in entry.get("links", []):
        href = link.get("href")
        if href and link.get("type") == "application/x-bittorrent" and href not in found:
            found.append(str(href))
    return found


def _info_hash(entry: Any) -> str | None:
    """nyaa's <nyaa:infoHash>, or any namespace's infoHash element (torrent:infoHash, ...)."""
    for key, value in entry.items():
        if key.lower().endswith("infohash") and isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _when(parsed: Any) -> datetime | None:
    if parsed is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _first_line(error: Any) -> str:
    lines = str(error or "").strip().splitlines()
    return lines[0] if lines else "unreadable"
