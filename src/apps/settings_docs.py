"""The documentation's settings tables, generated from the settings tables themselves.

A document marks a table's place with `<!-- settings: NAME -->` … `<!-- /settings -->`;
`python -m apps.settings_docs FILE…` rewrites those blocks, and a test fails while any
block differs from what the code defines.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from apps.core.settings import CORE
from apps.downloader.settings import (
    ARIA2,
    ARIA2_SERVICE,
    QBITTORRENT,
    QBITTORRENT_SERVICE,
    TRANSMISSION,
    TRANSMISSION_SERVICE,
)
from apps.settings_table import SettingsTable

# One entry per command; a new downloader backend adds its own (service table + backend table).
TABLES: Mapping[str, SettingsTable] = {
    "core": CORE,
    "downloader-qbittorrent": QBITTORRENT_SERVICE + QBITTORRENT,
    "downloader-transmission": TRANSMISSION_SERVICE + TRANSMISSION,
    "downloader-aria2": ARIA2_SERVICE + ARIA2,
}

BLOCK = re.compile(
    r"(<!-- settings: (?P<name>[\w-]+) -->\n)(?P<table>.*?)(<!-- /settings -->)", re.S
)


def render(text: str, tables: Mapping[str, SettingsTable] = TABLES) -> str:
    """`text` with every marked block holding its table as the code defines it."""

    def table(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in tables:
            raise KeyError(f"no settings table named {name!r}; known: {', '.join(tables)}")
        return f"{match.group(1)}{tables[name].markdown()}\n{match.group(4)}"

    return BLOCK.sub(table, text)


def blocks(text: str) -> list[str]:
    """The names of the tables a document marks."""
    return [match.group("name") for match in BLOCK.finditer(text)]


def main(paths: Sequence[str]) -> int:
    for path in map(Path, paths):
        text = path.read_text()
        path.write_text(render(text))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
