"""Which aria2 download a remote id means: a gid as is, an info-hash by aria2's own listing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from adapters.aria2.rpc import Aria2Rpc, Call, Fault
from dispatch_domain import BackendError

# What the listing asks of every download: enough to pick one, not its files.
LISTED_KEYS = ("gid", "status", "infoHash", "followedBy", "errorCode")
# More than aria2 keeps (its --max-download-result is 1000 by default): "all of them".
EVERY = 1_000_000

# aria2's error code for a second download of an info-hash it already has.
DUPLICATE = "12"
_LIVE = frozenset({"active", "waiting", "paused"})
_PREFERENCE = {"active": 0, "waiting": 1, "paused": 2, "complete": 3, "error": 4}


@attrs.frozen
class Entry:
    """One download in aria2's listing."""

    gid: str
    status: str
    info_hash: str | None = None
    followed: bool = False
    error_code: str = "0"

    @property
    def live(self) -> bool:
        """Active, queued or paused: aria2 still holds its info-hash, so it can be paused."""
        return self.status in _LIVE

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Entry:
        return cls(
            gid=str(row.get("gid", "")),
            status=str(row.get("status", "")),
            info_hash=str(row["infoHash"]).lower() if row.get("infoHash") else None,
            followed=bool(row.get("followedBy")),
            error_code=str(row.get("errorCode") or "0"),
        )


@attrs.frozen
class Listing:
    """Every download aria2 holds (active, waiting and the stopped it still remembers)."""

    by_gid: Mapping[str, Entry]
    by_hash: Mapping[str, Sequence[Entry]]

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Listing:
        by_gid: dict[str, Entry] = {}
        by_hash: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            by_gid[entry.gid] = entry
            if entry.info_hash:
                by_hash[entry.info_hash].append(entry)
        return cls(by_gid, dict(by_hash))

    def find(self, remote_id: str) -> Entry | None:
        """The download a remote id means, or None if aria2 no longer has it.

        An info-hash may have several gids: a magnet's metadata download (followed by the real
        one, so never the answer itself), refused duplicates, and removed ones, which are gone.
        """
        entry = self.by_gid.get(remote_id)
        if entry is not None:
            return None if entry.status == "removed" else entry
        candidates = [
            e
            for e in self.by_hash.get(remote_id, ())
            if e.status in _PREFERENCE and not e.followed and e.error_code != DUPLICATE
        ]
        return min(candidates, key=lambda e: _PREFERENCE[e.status], default=None)

    def related(self, remote_id: str) -> list[Entry]:
        """Every gid behind a remote id, metadata downloads and duplicates included."""
        entry = self.by_gid.get(remote_id)
        found = [entry] if entry is not None else list(self.by_hash.get(remote_id, ()))
        return [e for e in found if e.status != "removed"]


async def read_listing(rpc: Aria2Rpc) -> Listing:
    """aria2's whole listing in one request."""
    keys = list(LISTED_KEYS)
    answers = await rpc.batch(
        [
            Call("aria2.tellActive", (keys,)),
            Call("aria2.tellWaiting", (0, EVERY, keys)),
            Call("aria2.tellStopped", (0, EVERY, keys)),
        ]
    )
    rows: list[Any] = []
    for answer in answers:
        if isinstance(answer, Fault) or not isinstance(answer, list):
            raise BackendError(f"aria2 at {rpc.where} would not list its downloads: {answer}")
        rows.extend(answer)
    return Listing.of(Entry.of(row) for row in rows if isinstance(row, dict))
