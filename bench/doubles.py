"""Downloader doubles for the benchmarks, served from a process of their own.

A real downloader service runs in its own process, so a benchmark of Core must not pay for
the double's work on Core's CPU. Each double accepts every magnet it is sent (with the
magnet's own hash) and reports every hash it is asked about as downloading at 50 %.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from litestar import Litestar, get, post
from litestar.params import FromQuery, JSONBody

HEX_BTIH = re.compile(r"btih:([0-9a-fA-F]{40})")
REPORT = {"status": "downloading", "progress": 0.5, "size": 1_000_000}


@post("/downloads", status_code=200)
async def add(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    results = []
    for item in data["items"]:
        found = HEX_BTIH.search(item["url"])
        # Any accepted link has an id: a torrent's info-hash, else a gid-like id of the URL.
        remote_id = found.group(1).lower() if found else _gid(item["url"])
        results.append({"url": item["url"], "status": "accepted", "hash": remote_id})
    return {"results": results}


def _gid(url: str) -> str:
    return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:16]


@get("/downloads")
async def statuses(hashes: FromQuery[str] = "") -> dict[str, Any]:
    return {"statuses": [{"hash": h, **REPORT} for h in hashes.split(",") if h]}


def _serve(ports: list[int]) -> None:
    async def main() -> None:
        app = Litestar([add, statuses], request_max_body_size=64 * 1024 * 1024)
        servers = [
            uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                          log_level="warning", access_log=False))
            for port in ports
        ]  # fmt: skip
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(main())


@contextmanager
def doubles_process(ports: list[int]) -> Iterator[list[int]]:
    """Doubles on these loopback ports, in a child process, answering once this returns."""
    child = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    child.start()
    try:
        _wait_until_answering(ports)
        yield ports
    finally:
        child.terminate()
        child.join(10)


def _wait_until_answering(ports: list[int]) -> None:
    with httpx.Client() as http:
        for port in ports:
            for _ in range(200):
                try:
                    http.get(f"http://127.0.0.1:{port}/downloads")
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
