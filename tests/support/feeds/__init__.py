"""Feeds for tests: fixtures in the shapes of real sites, and feeds made to measure."""

from __future__ import annotations

from importlib import resources
from xml.sax.saxutils import escape

SHAPES = ("mikan", "nyaa", "dmhy", "acgrip", "atom")


def fixture(name: str) -> bytes:
    """The fixture feed `name`.xml: mikan, nyaa, dmhy, acgrip or atom."""
    return resources.files(__package__).joinpath(f"{name}.xml").read_bytes()


def rss(items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, magnet or .torrent URL) items, the URL as an enclosure."""
    entries = "".join(
        f"<item><title>{escape(title)}</title>"
        f'<enclosure url="{escape(url, {chr(34): "&quot;"})}" type="application/x-bittorrent"/>'
        "</item>"
        for title, url in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{entries}</channel></rss>"
    ).encode()


def magnet_feed(count: int, start: int = 0, title: str = "Show - {n} [1080p]") -> bytes:
    """`count` items with distinct magnets (info-hash from the item's number)."""
    return rss(
        [(title.format(n=n), f"magnet:?xt=urn:btih:{n:040x}") for n in range(start, start + count)]
    )
