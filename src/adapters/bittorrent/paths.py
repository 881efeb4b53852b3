"""Save paths: an item's save_path placed under the download root, never outside it."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\\/]+")
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeSavePath(ValueError):
    """A save_path that lies or climbs outside the download root."""


def join_under(root: str, save_path: str) -> str:
    """`save_path` inside `root`, in the root's separator style (the client may run
    on Windows). A relative one goes under the root; an absolute one must already lie there
    (the seed's Core sends the root itself, `/downloads`)."""
    text = save_path.strip()
    if any(ord(char) < 32 for char in text):
        raise UnsafeSavePath("save_path contains control characters")
    parts = _parts(text)
    if ".." in parts:
        raise UnsafeSavePath(f"save_path {save_path!r} must stay under the download root (no '..')")
    if _anchor(text):
        inside = _anchor(text) == _anchor(root.strip()) and _starts_with(parts, _parts(root))
        if not inside:
            raise UnsafeSavePath(f"save_path {save_path!r} lies outside the download root")
        parts = parts[len(_parts(root)) :]
    if not parts:
        return root
    separator = "\\" if "\\" in root and "/" not in root else "/"
    return root.rstrip("/\\") + separator + separator.join(parts)


def _parts(path: str) -> list[str]:
    return [part for part in _SEPARATORS.split(path.strip()) if part not in ("", ".")]


def _anchor(path: str) -> str:
    """Where an absolute path starts ('/', a UNC share's '//', a drive 'c:'); '' if relative."""
    if _DRIVE.match(path):
        return path[:2].lower()
    if path.startswith(("//", "\\\\", "/\\", "\\/")):
        return "//"
    return "/" if path.startswith(("/", "\\")) else ""


def _starts_with(parts: list[str], prefix: list[str]) -> bool:
    head = parts[: len(prefix)]
    if prefix and _DRIVE.match(prefix[0]) and head:  # drive letters match in any case
        return [head[0].lower(), *head[1:]] == [prefix[0].lower(), *prefix[1:]]
    return head == prefix
