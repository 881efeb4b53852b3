"""GET /health says what is wrong: ok, degraded (a downloader or a loop) or error (no way out)."""

from __future__ import annotations

import psycopg

from tests.support.core import running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.real import free_port


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


async def test_a_backed_off_downloader_makes_core_degraded_and_named(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("attic", free_port(), priority=90)  # nothing listens there
        await core.register("qb", port, priority=10)
        assert (await core.post_links([magnet(1)]))["dispatch"] == {"downloading": 1}
        answer = await core.client.get("/health")
    body = answer.json()
    assert (answer.status_code, body["status"], body["database"]) == (200, "degraded", "ok")
    (problem,) = body["problems"]
    assert problem.startswith("downloader 'attic' is unreachable (backed off until ")


async def test_every_downloader_of_a_waiting_type_down_is_an_error(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        await core.register("attic", free_port(), types=("magnet",))
        assert (await core.post_links([magnet(2)]))["dispatch"] == {"pending": 1}
        answer = await core.client.get("/health")
    body = answer.json()
    assert (answer.status_code, body["status"]) == (503, "error")
    assert len(body["problems"]) == 2
    assert body["problems"][0].startswith("downloader 'attic' is unreachable")
    assert body["problems"][1] == "every enabled magnet downloader is down: magnet links wait"


async def test_a_failed_loop_round_makes_core_degraded(pg_url: str) -> None:
    narrowed = (
        "ALTER TABLE downloads DROP CONSTRAINT downloads_status_check, "
        "ADD CONSTRAINT downloads_status_check CHECK (status IN "
        "('pending', 'completed', 'failed', 'cancelled', 'downloader_error', 'no_downloader'))"
    )
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
            await conn.execute(narrowed)
        await core.post_links([magnet(3)])
        answer = await core.client.get("/health")
    body = answer.json()
    assert (answer.status_code, body["status"]) == (200, "degraded")
    (problem,) = body["problems"]
    assert problem.startswith("dispatch round: the last round failed: CheckViolation")


async def test_all_well_is_ok_with_no_problems(pg_url: str) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)
        await core.post_links([magnet(4)])
        answer = await core.client.get("/health")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["problems"]) == ("ok", [])
