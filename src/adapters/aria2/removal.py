"""Removing downloads from aria2 (and, when asked, their files) in a constant number of requests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from adapters.aria2.listing import Entry
from adapters.aria2.rpc import Aria2Rpc, Call, Fault
from adapters.aria2.states import file_paths

log = logging.getLogger(__name__)

# aria2 stops a removed download a moment after answering; until then its result cannot go.
STOP_WAITS = (0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
CONTROL_SUFFIX = ".aria2"  # aria2's resume data beside each file


async def remove(
    rpc: Aria2Rpc, entries: Sequence[Entry], waits: Iterable[float] = STOP_WAITS
) -> None:
    """Stop every live download, then forget every result, so none is listed any more."""
    live = [e.gid for e in entries if e.live]
    await rpc.batch([Call("aria2.forceRemove", (gid,)) for gid in live])
    for wait in waits:
        if not live:
            break
        await asyncio.sleep(wait)
        answers = await rpc.batch([Call("aria2.tellStatus", (gid, ["status"])) for gid in live])
        live = [
            gid
            for gid, answer in zip(live, answers, strict=True)
            if isinstance(answer, dict) and answer.get("status") in ("active", "waiting", "paused")
        ]
    if live:
        log.warning("aria2 had not stopped %d removed downloads yet", len(live))
    answers = await rpc.batch([Call("aria2.removeDownloadResult", (e.gid,)) for e in entries])
    for entry, answer in zip(entries, answers, strict=True):
        if isinstance(answer, Fault):
            log.debug("aria2 kept the result of %s: %s", entry.gid, answer.message)


async def files_of(rpc: Aria2Rpc, entries: Sequence[Entry]) -> list[tuple[Path, Path]]:
    """(folder, file) for every file of these downloads, as aria2 names them."""
    calls = [Call("aria2.tellStatus", (e.gid, ["dir", "files"])) for e in entries]
    answers = await rpc.batch(calls)
    found: list[tuple[Path, Path]] = []
    for answer in answers:
        if isinstance(answer, dict) and answer.get("dir"):
            found.extend((Path(answer["dir"]), Path(p)) for p in file_paths(answer))
    return found


def delete_files(files: Iterable[tuple[Path, Path]]) -> None:
    """Delete each file and its control file, then the folders emptied inside the download's.

    aria2 cannot delete files itself, so this needs aria2's folders at the same paths here."""
    for folder, path in files:
        if not path.is_relative_to(folder):
            log.warning("not deleting %s: it is outside its download folder %s", path, folder)
            continue
        path.unlink(missing_ok=True)
        path.with_name(path.name + CONTROL_SUFFIX).unlink(missing_ok=True)
        for parent in path.parents:
            if parent == folder or not parent.is_relative_to(folder):
                break
            with contextlib.suppress(OSError):  # not empty: another file still lives there
                parent.rmdir()
