"""Core over HTTP and Postgres, polling a downloader that speaks the seed system's words: a
status word Core does not know keeps the download as it was, the others move on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

POLLING = {"poll_interval": 0.5, "poll_soon_after_dispatch": 0.2}


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}"


class Noted(logging.Handler):
    """Keeps the records of one logger (the app's logging setup replaces the root's handlers)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def noted() -> Iterator[Noted]:
    handler, logger = Noted(), logging.getLogger("adapters.http_downloader.reading")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


async def test_an_unknown_status_word_keeps_the_download_and_costs_the_others_nothing(
    pg_url: str, noted: Noted
) -> None:
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url, **POLLING) as core:
        await core.register("qb", port)
        await core.post_links([magnet(1), magnet(2)])
        double.set_state(f"{1:040x}", "checking", progress=0.3)
        double.set_state(f"{2:040x}", "completed", progress=1.0, size=100)

        async def second_completed() -> bool:
            """the download reported completed is completed"""
            statuses = {d["url"]: d["status"] for d in await core.downloads()}
            return statuses[magnet(2)] == "completed"

        await eventually(second_completed, timeout=10)
        await asyncio.sleep(1.2)  # more polls report the odd word again

        downloads = {d["url"]: d for d in await core.downloads()}
        (service,) = (await core.client.get("/services")).json()
    assert (downloads[magnet(1)]["status"], downloads[magnet(1)]["reason"]) == (
        "downloading",
        None,
    )
    assert service["health"]["failures"] == 0
    assert len(double.status_requests) >= 3
    assert len([m for m in noted.messages if "'checking'" in m]) == 1, "logged once per word"
