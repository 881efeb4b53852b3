"""Save paths: an item's relative save_path joined under the download root, never outside it."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\\/]+")
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeSavePath(ValueError):
    """A save_path that is absolute or climbs out of the download root."""


def join_under(root: str, relative: str) -> str:
    """`relative` inside `root`, in the root's separator style (the client may run on Windows)."""
    text = relative.strip()
    if any(ord(char) < 32 for char in text):
        raise UnsafeSavePath("save_path contains control characters")
    if text.startswith(("/", "\\")) or _DRIVE.match(text):
        raise UnsafeSavePath(f"save_path {relative!r} must be relative to the download root")
    parts = [part for part in _SEPARATORS.split(text) if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeSavePath(f"save_path {relative!r} must stay under the download root (no '..')")
    if not parts:
        return root
    separator = "\\" if "\\" in root and "/" not in root else "/"
    return root.rstrip("/\\") + separator + separator.join(parts)
