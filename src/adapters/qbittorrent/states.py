"""qBittorrent's torrent states mapped to the downloader contract's words (brief §5)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import attrs

from dispatch_domain import RemoteState, RemoteStatus

STATE_TABLE: Mapping[str, RemoteState] = {
    **dict.fromkeys(
        (
            "downloading",
            "stalledDL",
            "metaDL",
            "forcedMetaDL",
            "forcedDL",
            "queuedDL",
            "checkingDL",
            "allocating",
        ),
        RemoteState.DOWNLOADING,
    ),
    **dict.fromkeys(
        (
            "uploading",
            "stalledUP",
            "forcedUP",
            "queuedUP",
            "checkingUP",
            "pausedUP",
            "stoppedUP",
        ),
        RemoteState.COMPLETED,
    ),
    "pausedDL": RemoteState.PAUSED,
    "stoppedDL": RemoteState.PAUSED,
    "error": RemoteState.ERROR,
    "missingFiles": RemoteState.ERROR,
}

# Passing states that say nothing about the download itself: report what it was before.
TRANSIENT_STATES = frozenset({"checkingResumeData", "moving", "unknown"})

_ERROR_REASONS = {
    "error": "qBittorrent reports an error for this torrent (see its log)",
    "missingFiles": "qBittorrent cannot find this torrent's files on disk",
}


@attrs.define
class StatusMemory:
    """The last state reported per hash, so a transient state repeats it; oldest dropped first."""

    capacity: int = 10_000
    _last: OrderedDict[str, RemoteState] = attrs.field(factory=OrderedDict, init=False)

    def recall(self, torrent_hash: str) -> RemoteState | None:
        return self._last.get(torrent_hash)

    def remember(self, torrent_hash: str, state: RemoteState) -> None:
        self._last[torrent_hash] = state
        self._last.move_to_end(torrent_hash)
        while len(self._last) > self.capacity:
            self._last.popitem(last=False)

    def forget(self, torrent_hash: str) -> None:
        self._last.pop(torrent_hash, None)


def remote_state(qbt_state: str, progress: float, last: RemoteState | None) -> RemoteState:
    """The contract state for qBittorrent's `state`; transient or unknown ones keep the last."""
    mapped = STATE_TABLE.get(qbt_state)
    if mapped is not None:
        return mapped
    if last is not None:
        return last
    # Never seen before (e.g. the service restarted): the progress is the best witness.
    return RemoteState.COMPLETED if progress >= 1.0 else RemoteState.DOWNLOADING


def remote_status(
    torrent_hash: str, torrent: Mapping[str, Any], memory: StatusMemory
) -> RemoteStatus:
    """One `torrents/info` row as a RemoteStatus keyed by `torrent_hash`, remembering its state."""
    qbt_state = str(torrent.get("state", "unknown"))
    progress = min(max(float(torrent.get("progress") or 0.0), 0.0), 1.0)
    state = remote_state(qbt_state, progress, memory.recall(torrent_hash))
    memory.remember(torrent_hash, state)
    return RemoteStatus(
        remote_id=torrent_hash,
        state=state,
        progress=1.0 if state is RemoteState.COMPLETED else progress,
        size=max(int(torrent.get("size") or 0), 0),
        name=torrent.get("name") or None,
        save_path=torrent.get("save_path") or None,
        content_path=torrent.get("content_path") or None,
        reason=_ERROR_REASONS.get(qbt_state),
        **details(torrent),
    )


# qBittorrent's `eta` for "never" (100 days); Core shows none instead.
ETA_INFINITE = 8_640_000
_NO_METADATA_STATES = frozenset({"metaDL", "forcedMetaDL"})


def details(torrent: Mapping[str, Any]) -> dict[str, Any]:
    """What qBittorrent says besides the state; a field it lacks (older versions) is None.
    Version 4.5 has no `has_metadata`: a magnet without it reports total_size -1 or metaDL."""
    seeds, leechers = _count(torrent.get("num_seeds")), _count(torrent.get("num_leechs"))
    eta = _count(torrent.get("eta"))
    state = torrent.get("state")
    metadata = torrent.get("has_metadata")
    if not isinstance(metadata, bool):
        total = torrent.get("total_size")
        metadata = (
            None
            if total is None and state is None
            else (total != -1 and state not in _NO_METADATA_STATES)
        )
    return {
        "downloaded": _count(torrent.get("downloaded")),
        "download_speed": _count(torrent.get("dlspeed")),
        "eta": None if eta is None or eta >= ETA_INFINITE else eta,
        "peers": None if seeds is None and leechers is None else (seeds or 0) + (leechers or 0),
        "seeds": seeds,
        "client_state": state if isinstance(state, str) and state else None,
        "has_metadata": metadata,
    }


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if 0 <= value < 2**63 else None
