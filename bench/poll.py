"""Benchmark: one poll cycle over 50,000 active downloads spread over 5 downloader doubles.

Run from the repository root: `python bench/poll.py [--counts 10000 50000]`.
The doubles (bench/doubles.py) run in a process of their own, as real downloader services
would, each answering every hash it is asked about as 'downloading' at 50 %. Core's poller
runs here on a throwaway embedded Postgres: it claims the downloaders, reads the downloads
it follows, asks each downloader in URL-sized chunks, and applies every report through the
status machine. The floor is the same status updates applied with one bulk statement.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from doubles import doubles_process
from tests.support.real import free_port

from adapters.http_downloader import HttpDownloaderGateway
from adapters.postgres import PostgresStore, StatementCounter, migrate, open_pool, start_embedded
from dispatch_domain import Capabilities, DownloadType, Registration, ServiceType
from dispatch_domain.clock import SystemClock
from dispatch_domain.services.polling import Poller

DOWNLOADERS = 5


SEED = """
WITH links AS (
    INSERT INTO anime_links (url, title, download_type, info_hash, created_at)
    SELECT 'magnet:?xt=urn:btih:' || lpad(to_hex(n), 40, '0'), 'episode ' || n, 'magnet',
           lpad(to_hex(n), 40, '0'), now()
    FROM generate_series(1, %(count)s) AS n
    RETURNING link_id, info_hash
)
INSERT INTO downloads (link_id, attempt, status, module_id, remote_id, next_attempt_at,
                       created_at, updated_at)
SELECT link_id, 1, 'downloading', (%(module_ids)s::bigint[])[1 + link_id %% %(downloaders)s],
       info_hash, now(), now(), now()
FROM links
"""

FLOOR = """
UPDATE downloads d
SET status = 'downloading', progress = u.progress, size = u.size, remote_state = u.state,
    reason = NULL, updated_at = now()
FROM unnest(%(ids)s::bigint[], %(progress)s::double precision[], %(sizes)s::bigint[],
            %(states)s::text[]) AS u(download_id, progress, size, state)
WHERE d.download_id = u.download_id
"""


async def fresh_database(
    server_url: str, name: str, count: int, ports: list[int]
) -> tuple[str, list[int]]:
    async with await psycopg.AsyncConnection.connect(server_url, autocommit=True) as conn:
        await conn.execute(
            psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
        )
    url = server_url.replace("/postgres?", f"/{name}?")
    await migrate(url)
    pool = await open_pool(url)
    store, clock = PostgresStore(pool), SystemClock()
    types = Capabilities(frozenset({DownloadType.MAGNET}))
    module_ids = []
    for index, port in enumerate(ports):
        registration = Registration(
            ServiceType.DOWNLOADER, f"double-{index}", "127.0.0.1", port, types
        )
        module_ids.append(
            (await store.services.register(registration, clock.now())).module.module_id
        )
    async with pool.connection() as conn:
        await conn.execute(
            SEED, {"count": count, "module_ids": module_ids, "downloaders": len(ports)}
        )
        await conn.execute("VACUUM ANALYZE downloads")
    await pool.close()
    return url, module_ids


async def time_poll(url: str, count: int) -> tuple[float, int, int, float]:
    """One cycle where every report is news, then one where nothing changed (steady state)."""
    counter = StatementCounter()
    requests = 0

    async def count_request(_: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    pool = await open_pool(url, counter=counter)
    store, clock = PostgresStore(pool), SystemClock()
    async with httpx.AsyncClient(event_hooks={"request": [count_request]}, timeout=60) as http:
        gateway = HttpDownloaderGateway(http)
        poller = Poller(store.downloads, store.services, gateway, clock, claim_for=timedelta(0))
        started = time.perf_counter()
        done = await poller.poll_cycle()
        elapsed = time.perf_counter() - started
        statements, sent = counter.count, requests
        started = time.perf_counter()
        unchanged = await poller.poll_cycle()
        steady = time.perf_counter() - started
    await pool.close()
    assert sum(done.values()) == count, done
    assert sum(unchanged.values()) == 0, unchanged
    return elapsed, statements, sent, steady


async def time_floor(url: str, count: int) -> float:
    params = {"ids": list(range(1, count + 1)), "progress": [0.5] * count,
              "sizes": [1_000_000] * count, "states": ["downloading"] * count}  # fmt: skip
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        await conn.execute(FLOOR, params)
        return time.perf_counter() - started


async def main(counts: list[int], runs: int) -> None:
    ports = [free_port() for _ in range(DOWNLOADERS)]
    with (
        doubles_process(ports),
        tempfile.TemporaryDirectory(prefix="bench-pg-", dir="/tmp") as folder,
    ):
        server = start_embedded(Path(folder) / "pg", cleanup="delete")
        try:
            print("downloads  requests/downloader  statements  poll ms  floor ms  ratio  steady ms")
            for count in counts:
                polls, floors, steadies, statements, requests = [], [], [], set(), set()
                for run in range(runs):
                    url, _ = await fresh_database(server.url, f"poll_{count}_{run}", count, ports)
                    elapsed, statement_count, request_count, steady = await time_poll(url, count)
                    polls.append(elapsed)
                    steadies.append(steady)
                    statements.add(statement_count)
                    requests.add(request_count / DOWNLOADERS)
                    floor_url, _ = await fresh_database(
                        server.url, f"floor_{count}_{run}", count, ports
                    )
                    floors.append(await time_floor(floor_url, count))
                poll, floor = statistics.median(polls), statistics.median(floors)
                print(f"{count:>9} {'/'.join(f'{r:g}' for r in sorted(requests)):>20} "
                      f"{'/'.join(map(str, sorted(statements))):>11} {poll * 1000:>8.0f} "
                      f"{floor * 1000:>9.0f} {poll / floor:>6.2f} "
                      f"{statistics.median(steadies) * 1000:>10.0f}")  # fmt: skip
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.counts, args.runs))
