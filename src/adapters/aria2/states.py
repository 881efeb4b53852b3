"""aria2's tellStatus answers as the downloader contract's statuses; every number is a string."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from dispatch_domain import RemoteState, RemoteStatus

# What the statuses ask of each chosen download.
STATUS_KEYS = (
    "gid",
    "status",
    "totalLength",
    "completedLength",
    "errorCode",
    "errorMessage",
    "dir",
    "files",
    "bittorrent",
    "seeder",
    "downloadSpeed",
    "connections",
    "numSeeders",
)

STATE_TABLE: Mapping[str, RemoteState] = {
    "active": RemoteState.DOWNLOADING,
    "waiting": RemoteState.DOWNLOADING,
    "paused": RemoteState.PAUSED,
    "complete": RemoteState.COMPLETED,
    "error": RemoteState.ERROR,
    "removed": RemoteState.NOT_FOUND,  # removed by someone else: gone for Core
}

# A magnet's download before its metadata arrives names this placeholder as its file.
METADATA_PREFIX = "[METADATA]"


def remote_state(row: Mapping[str, Any]) -> RemoteState:
    """The contract state of one download; a torrent that is seeding has completed."""
    status = str(row.get("status", ""))
    if status == "active" and row.get("seeder") == "true":
        return RemoteState.COMPLETED
    return STATE_TABLE.get(status, RemoteState.DOWNLOADING)


def remote_status(remote_id: str, row: Mapping[str, Any]) -> RemoteStatus:
    """One `tellStatus` answer as a RemoteStatus keyed by `remote_id`."""
    state = remote_state(row)
    size = _number(row.get("totalLength"))
    done = _number(row.get("completedLength"))
    progress = min(done / size, 1.0) if size > 0 else 0.0
    folder = str(row.get("dir") or "") or None
    name, content = _name_and_content(row, folder)
    return RemoteStatus(
        remote_id=remote_id,
        state=state,
        progress=1.0 if state is RemoteState.COMPLETED else progress,
        size=size,
        name=name,
        save_path=folder,
        content_path=content,
        reason=_reason(row) if state is RemoteState.ERROR else None,
        **details(row, done),
    )


def details(row: Mapping[str, Any], done: int) -> dict[str, Any]:
    """What aria2 says besides the state (numbers as strings). A magnet's download is still
    fetching metadata while its file is the [METADATA] placeholder; an http download has no
    metadata to wait for (None)."""
    files = row.get("files")
    paths = [str(f.get("path") or "") for f in files if isinstance(f, dict)] if files else []
    waiting = any(p.startswith(METADATA_PREFIX) for p in paths)
    torrent = isinstance(row.get("bittorrent"), dict)
    speed = _number(row.get("downloadSpeed"))
    status = str(row.get("status") or "") or None
    return {
        "downloaded": done,
        "download_speed": speed if row.get("downloadSpeed") is not None else None,
        "eta": None,
        "peers": _number(row.get("connections")) if row.get("connections") is not None else None,
        "seeds": _number(row.get("numSeeders")) if row.get("numSeeders") is not None else None,
        "client_state": status,
        "has_metadata": False if waiting else (True if torrent else None),
    }


def file_paths(row: Mapping[str, Any]) -> list[str]:
    """The real files of a download (not a magnet's metadata placeholder)."""
    files = row.get("files")
    paths = [str(f.get("path") or "") for f in files if isinstance(f, dict)] if files else []
    return [p for p in paths if p and not p.startswith(METADATA_PREFIX)]


def _name_and_content(row: Mapping[str, Any], folder: str | None) -> tuple[str | None, str | None]:
    info = (row.get("bittorrent") or {}).get("info") or {}
    paths = file_paths(row)
    torrent_name = str(info.get("name") or "") or None
    if torrent_name is not None:
        single = len(paths) == 1 and posixpath.basename(paths[0]) == torrent_name
        if single or folder is None:
            return torrent_name, paths[0] if single else None
        return torrent_name, posixpath.join(folder, torrent_name)
    if paths:
        return posixpath.basename(paths[0]), paths[0]
    return None, None


def _reason(row: Mapping[str, Any]) -> str:
    message = str(row.get("errorMessage") or "").strip()
    return message or f"aria2 reports error code {row.get('errorCode') or 'unknown'}"


def _number(value: Any) -> int:
    text = str(value or "0")
    return max(int(text), 0) if text.isdigit() else 0
