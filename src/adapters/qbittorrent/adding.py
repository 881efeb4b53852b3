"""Adding a planned batch: one add call per kind and save path, one confirmation by hash."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import httpx

from adapters.bittorrent import Planned
from adapters.qbittorrent.client import FilePart, QBittorrentClient
from dispatch_domain import Accepted, AddResult, Rejected

log = logging.getLogger(__name__)

# torrents/add answers that do not mean the whole call was refused: confirm by hash instead.
_ADD_ANSWERED = frozenset({200, 202, 409})


async def send(client: QBittorrentClient, planned: Sequence[Planned]) -> dict[str, str]:
    """Add everything planned; qBittorrent's answer per client id, to explain a later absence."""
    answers: dict[str, str] = {}
    for save_path, group in _by_save_path(planned).items():
        magnets = [p for p in group if p.magnet is not None]
        if magnets:
            response = await client.add(urls=[p.magnet or "" for p in magnets], save_path=save_path)
            answers |= dict.fromkeys((p.client_id for p in magnets), _describe(response))
        files = list({p.client_id: p for p in group if p.torrent is not None}.values())
        if files:
            answers |= await _upload(client, files, save_path)
    return answers


async def _upload(
    client: QBittorrentClient, files: Sequence[Planned], save_path: str | None
) -> dict[str, str]:
    response = await client.add(files=[_part(p) for p in files], save_path=save_path)
    if response.status_code in _ADD_ANSWERED or len(files) == 1:
        return dict.fromkeys((p.client_id for p in files), _describe(response))
    # One file qBittorrent refuses sinks the whole upload: send them one by one instead.
    log.info("qBittorrent refused a batch of %d .torrent files; uploading them singly", len(files))
    answers: dict[str, str] = {}
    for p in files:
        single = await client.add(files=[_part(p)], save_path=save_path)
        answers[p.client_id] = _describe(single)
    return answers


async def confirm(
    client: QBittorrentClient,
    planned: Sequence[Planned],
    answers: Mapping[str, str],
    waits: Iterable[float],
) -> dict[str, AddResult]:
    """Accepted for every hash qBittorrent now has (new or already there), Rejected otherwise."""
    ids = list(dict.fromkeys(p.client_id for p in planned))
    present = {str(row.get("hash", "")).lower() for row in await client.torrents(ids)}
    for wait in waits:
        missing = [i for i in ids if i not in present]
        if not missing:
            break
        # qBittorrent registers a torrent a moment after answering; look again before refusing.
        await asyncio.sleep(wait)
        present |= {str(row.get("hash", "")).lower() for row in await client.torrents(missing)}
    results: dict[str, AddResult] = {}
    for p in planned:
        if p.client_id in present:
            results[p.url] = Accepted(p.info_hash.hex)
        else:
            answer = answers.get(p.client_id, "nothing")
            results[p.url] = Rejected(f"qBittorrent did not add it (it answered {answer})")
    return results


def _by_save_path(planned: Iterable[Planned]) -> dict[str | None, list[Planned]]:
    groups: dict[str | None, list[Planned]] = defaultdict(list)
    for p in planned:
        groups[p.save_path].append(p)
    return groups


def _part(p: Planned) -> FilePart:
    return ("torrents", (f"{p.client_id}.torrent", p.torrent or b"", "application/x-bittorrent"))


def _describe(response: httpx.Response) -> str:
    body = response.text.strip()[:200]
    return f"HTTP {response.status_code} {body!r}" if response.status_code != 200 else repr(body)
