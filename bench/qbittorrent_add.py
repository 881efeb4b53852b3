"""Benchmark: 500 magnets added and queried through our adapter vs. the qbittorrent-api library.

Run from the repository root: `python bench/qbittorrent_add.py [--count 500] [--rounds 15]`.
It starts a throwaway qbittorrent-nox on loopback (no DHT, no peers), so nothing ever
downloads; what is measured is the cost of talking to qBittorrent, login included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import qbittorrentapi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess, connected_backend

from dispatch_domain import Accepted, AddRequest, RemoteState

Run = tuple[float, int]  # (seconds, requests sent to qBittorrent)


def fresh_magnets(count: int) -> tuple[list[str], list[str]]:
    hashes = [os.urandom(20).hex() for _ in range(count)]
    return hashes, [f"magnet:?xt=urn:btih:{h}" for h in hashes]


async def ours(qbittorrent: QBittorrentProcess, count: int) -> Run:
    """Add `count` magnets (each add confirmed by hash), then query their statuses."""
    hashes, magnets = fresh_magnets(count)
    async with connected_backend(qbittorrent) as (backend, log):
        started = time.perf_counter()
        results = await backend.add([AddRequest(m) for m in magnets])
        statuses = await backend.statuses(hashes)
        elapsed = time.perf_counter() - started
        assert all(isinstance(r, Accepted) for r in results.values())
        assert all(s.state is RemoteState.DOWNLOADING for s in statuses)
        return elapsed, len(log.requests)


def library(qbittorrent: QBittorrentProcess, count: int, *, verify: bool) -> Run:
    """The library's idiomatic way: torrents_add(urls=…), then torrents_info(torrent_hashes=…).

    qBittorrent lists a new torrent a moment after answering `Ok.`, so torrents_info is
    asked again until all are listed. With `verify`, one more torrents_info confirms the
    adds first, which is the work our adapter does.
    """
    hashes, magnets = fresh_magnets(count)
    sent: list[object] = []
    client = qbittorrentapi.Client(
        host=qbittorrent.url,
        username=USERNAME,
        password=PASSWORD,
        REQUESTS_ARGS={"hooks": {"response": [lambda response, **_: sent.append(response)]}},
    )
    started = time.perf_counter()
    assert client.torrents_add(urls=magnets) == "Ok."
    for _ in range(2 if verify else 1):
        info = client.torrents_info(torrent_hashes=hashes)
        while len(info) < count:
            time.sleep(0.02)
            info = client.torrents_info(torrent_hashes=hashes)
    elapsed = time.perf_counter() - started
    client.auth_log_out()
    return elapsed, len(sent) - 1  # the log-out is not part of the job


def settle(qbittorrent: QBittorrentProcess) -> None:
    """Remove every torrent and wait until qBittorrent has let go of them."""
    client = qbittorrentapi.Client(host=qbittorrent.url, username=USERNAME, password=PASSWORD)
    client.torrents_delete(delete_files=True, torrent_hashes="all")
    while client.torrents_info():
        time.sleep(0.05)
    time.sleep(0.5)


def measure(qbittorrent: QBittorrentProcess, count: int, rounds: int) -> None:
    contenders: dict[str, Callable[[], Run]] = {
        "ours (adapter, verified)": lambda: asyncio.run(ours(qbittorrent, count)),
        "qbittorrent-api, idiomatic": lambda: library(qbittorrent, count, verify=False),
        "qbittorrent-api, verified": lambda: library(qbittorrent, count, verify=True),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    sent: dict[str, list[int]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_number in range(rounds):
        # Rotate who goes first, so no one always meets a calmer qBittorrent.
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, requests_sent = contenders[name]()
            times[name].append(elapsed)
            sent[name].append(requests_sent)
            settle(qbittorrent)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name in names:
        fastest = min(times[name]) * 1000
        fewest, most = min(sent[name]), max(sent[name])
        requests_range = f"{fewest}" if fewest == most else f"{fewest}-{most}"
        print(
            f"{name:28} {medians[name] * 1000:6.1f} ms median, {fastest:6.1f} ms fastest, "
            f"{requests_range} requests"
        )
    for name in names[1:]:
        median_ratio = medians[names[0]] / medians[name]
        fastest_ratio = min(times[names[0]]) / min(times[name])
        print(
            f"time ratio ours / {name}: {median_ratio:.2f} (median), {fastest_ratio:.2f} (fastest)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if shutil.which("qbittorrent-nox") is None:
        print("qbittorrent-nox is not installed (apt-get install qbittorrent-nox)")
        return 2
    with tempfile.TemporaryDirectory(prefix="qbt-bench-") as folder:
        qbittorrent = QBittorrentProcess.create(Path(folder))
        qbittorrent.start()
        try:
            version = qbittorrentapi.Client(
                host=qbittorrent.url, username=USERNAME, password=PASSWORD
            ).app_version()
            print(f"qBittorrent {version}: {args.count} magnets added, then their statuses")
            print(f"queried; median of {args.rounds} rounds, login included")
            measure(qbittorrent, args.count, args.rounds)
        finally:
            qbittorrent.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
