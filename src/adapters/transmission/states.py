"""Transmission's torrent `status` numbers mapped to the downloader contract's words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch_domain import RemoteState, RemoteStatus

# torrent-get fields the backend reads (the same names in 3.00 and 4.x).
FIELDS = (
    "hashString",
    "status",
    "percentDone",
    "totalSize",
    "error",
    "errorString",
    "name",
    "downloadDir",
    "rateDownload",
    "eta",
    "peersConnected",
    "peersSendingToUs",
    "metadataPercentComplete",
    "downloadedEver",
    "haveValid",
)

STOPPED, CHECK_WAIT, CHECKING, DOWNLOAD_WAIT, DOWNLOADING, SEED_WAIT, SEEDING = range(7)

# `error`: 1 tracker warning, 2 tracker error (the torrent goes on), 3 local error (it stops).
LOCAL_ERROR = 3


def remote_state(torrent: Mapping[str, Any]) -> RemoteState:
    """The contract state of one torrent-get row."""
    if _int(torrent.get("error")) == LOCAL_ERROR:
        return RemoteState.ERROR
    done = _progress(torrent) >= 1.0
    status = _int(torrent.get("status"))
    if status in (SEED_WAIT, SEEDING) or done:
        return RemoteState.COMPLETED  # a finished torrent is complete, seeding or stopped
    if status == STOPPED:
        return RemoteState.PAUSED
    # Checking, queued or downloading; a magnet waiting for its metadata is downloading too.
    return RemoteState.DOWNLOADING


def remote_status(torrent_hash: str, torrent: Mapping[str, Any]) -> RemoteStatus:
    """One torrent-get row as a RemoteStatus keyed by `torrent_hash`."""
    state = remote_state(torrent)
    name = str(torrent.get("name") or "") or None
    folder = str(torrent.get("downloadDir") or "") or None
    reason = None
    if state is RemoteState.ERROR:
        detail = str(torrent.get("errorString") or "").strip() or "no detail given"
        reason = f"Transmission reports an error for this torrent: {detail}"
    return RemoteStatus(
        remote_id=torrent_hash,
        state=state,
        progress=1.0 if state is RemoteState.COMPLETED else _progress(torrent),
        size=max(_int(torrent.get("totalSize")), 0),
        name=name,
        save_path=folder,
        content_path=f"{folder.rstrip('/')}/{name}" if folder and name else None,
        reason=reason,
        **details(torrent),
    )


_STATUS_WORDS = ("stopped", "check_wait", "checking", "download_wait", "downloading",
                 "seed_wait", "seeding")  # fmt: skip


def details(torrent: Mapping[str, Any]) -> dict[str, Any]:
    """What Transmission says besides the state; a field it lacks is None. `eta` is -1 when
    unknown and -2 when never. Bytes done are the verified ones (`haveValid`), else all
    received."""
    status = torrent.get("status")
    metadata = torrent.get("metadataPercentComplete")
    has_valid = _count(torrent.get("haveValid"))
    return {
        "downloaded": has_valid if has_valid is not None else _count(torrent.get("downloadedEver")),
        "download_speed": _count(torrent.get("rateDownload")),
        "eta": _count(torrent.get("eta")),
        "peers": _count(torrent.get("peersConnected")),
        "seeds": _count(torrent.get("peersSendingToUs")),
        "client_state": _STATUS_WORDS[status]
        if isinstance(status, int) and 0 <= status < len(_STATUS_WORDS)
        else None,
        "has_metadata": metadata >= 1.0 if isinstance(metadata, int | float) else None,
    }


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if 0 <= value < 2**63 else None


def _progress(torrent: Mapping[str, Any]) -> float:
    try:
        return min(max(float(torrent.get("percentDone") or 0.0), 0.0), 1.0)
    except (TypeError, ValueError):
        return 0.0


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return 0
