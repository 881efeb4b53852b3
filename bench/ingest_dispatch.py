"""Benchmark: fetcher posts of 100, 1,000 and 10,000 links through Core, against a floor.

Run from the repository root: `python bench/ingest_dispatch.py [--sizes 100 1000 10000]`.
Core runs in this process over real HTTP on loopback, on a throwaway embedded Postgres, with
an always-accepting downloader double in a process of its own (bench/doubles.py). Each post
is timed from request to answer with the answer waiting for its dispatch round, so the time
covers parsing, detection, the stored post, the claim, the downloader request and the
recorded outcomes. The floor is the same
rows inserted straight into the same tables with one bulk statement per table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from dependency_injector import providers

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from doubles import doubles_process
from tests.support.real import free_port
from tests.support.serving import serving

from adapters.postgres import StatementCounter, migrate, open_pool, start_embedded
from apps.core.app import create_app
from apps.core.container import CoreContainer
from apps.core.settings import CoreSettings


def magnets(size: int, run: int) -> list[str]:
    return [f"magnet:?xt=urn:btih:{run:08x}{n:032x}&dn=episode-{n}" for n in range(size)]


async def fresh_database(server_url: str, name: str) -> str:
    async with await psycopg.AsyncConnection.connect(server_url, autocommit=True) as conn:
        await conn.execute(
            psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
        )
    url = server_url.replace("/postgres?", f"/{name}?")
    await migrate(url)
    return url


@asynccontextmanager
async def core_on(
    url: str, counter: StatementCounter, downloader_port: int
) -> AsyncIterator[httpx.AsyncClient]:
    # The delivery loop stays idle: the post's statements are counted, not its rounds.
    settings = CoreSettings(
        database_url=url, dispatch_wait=300.0, poll_interval=3600.0, delivery_interval=3600.0
    )
    container = CoreContainer(settings=settings)

    async def counted_pool(url: str) -> AsyncIterator[Any]:
        pool = await open_pool(url, counter=counter)
        yield pool
        await pool.close()

    container.pool.override(providers.Resource(counted_pool, url=container.database_url))
    async with (
        serving(create_app(container)) as base,
        httpx.AsyncClient(base_url=base, timeout=600) as client,
    ):
        registration = {
            "service_type": "downloader",
            "service_name": "double",
            "host": "127.0.0.1",
            "port": downloader_port,
            "capabilities": {"supported_download_types": ["magnet"]},
        }
        assert (await client.post("/services/register", json=registration)).status_code == 201
        yield client


async def time_core(server_url: str, size: int, run: int, double_port: int) -> tuple[float, int]:
    url = await fresh_database(server_url, f"core_{size}_{run}")
    counter = StatementCounter()
    items = [{"title": f"episode {n}", "download_url": m} for n, m in enumerate(magnets(size, run))]
    body = {"fetcher_source": "bench", "items": items}
    async with core_on(url, counter, double_port) as client:
        counter.reset()
        started = time.perf_counter()
        response = await client.post("/raw-fetcher-results", json=body)
        elapsed = time.perf_counter() - started
    answer = response.json()
    assert answer["dispatch"] == {"downloading": size}, answer
    return elapsed, counter.count


FLOOR = [
    """INSERT INTO fetcher_reports (fetcher_source, success, items_received, received_at)
       VALUES ('bench', true, %(size)s, now())""",
    """INSERT INTO raw_fetcher_items
           (fetcher_source, download_url, title, first_report_id, received_at)
       SELECT 'bench', u, t, (SELECT max(report_id) FROM fetcher_reports), now()
       FROM unnest(%(urls)s::text[], %(titles)s::text[]) AS i(u, t)""",
    """INSERT INTO anime_links (url, title, download_type, info_hash, created_at)
       SELECT u, t, 'magnet', h, now()
       FROM unnest(%(urls)s::text[], %(titles)s::text[], %(hashes)s::text[]) AS i(u, t, h)""",
    """INSERT INTO downloads (link_id, attempt, status, next_attempt_at, created_at, updated_at)
       SELECT link_id, 1, 'pending', now(), now(), now() FROM anime_links""",
]


async def time_floor(server_url: str, size: int, run: int) -> float:
    url = await fresh_database(server_url, f"floor_{size}_{run}")
    urls = magnets(size, run)
    params = {"size": size, "urls": urls, "titles": [f"episode {n}" for n in range(size)],
              "hashes": [u[20:60] for u in urls]}  # fmt: skip
    async with await psycopg.AsyncConnection.connect(url) as conn:
        started = time.perf_counter()
        async with conn.transaction():
            for statement in FLOOR:
                await conn.execute(statement, params)  # type: ignore[arg-type]
        return time.perf_counter() - started


async def main(sizes: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pg-", dir="/tmp") as folder:
        server = start_embedded(Path(folder) / "pg", cleanup="delete")
        try:
            with doubles_process([free_port()]) as (double_port,):
                print("  links   links/s statements   core ms  floor ms  ratio")
                for size in sizes:
                    cores, floors, statements = [], [], set()
                    for run in range(runs):
                        elapsed, count = await time_core(server.url, size, run, double_port)
                        cores.append(elapsed)
                        statements.add(count)
                        floors.append(await time_floor(server.url, size, run))
                    core, floor = statistics.median(cores), statistics.median(floors)
                    counts = "/".join(map(str, sorted(statements)))
                    print(f"{size:>7} {size / core:>9.0f} {counts:>10} {core * 1000:>9.1f} "
                          f"{floor * 1000:>9.1f} {core / floor:>6.2f}")  # fmt: skip
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.sizes, args.runs))
