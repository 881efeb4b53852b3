"""One link a downloader trips over never holds the others: Core splits the refused batch,
the good links go out in the same round, and the downloader is not backed off."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.http_downloader import HttpDownloaderGateway
from dispatch_domain import (
    AddRequest,
    Answered,
    BatchRefused,
    Downloader,
    DownloadType,
    Unreachable,
)
from tests.support.core import running_core
from tests.support.downloader_double import DownloaderDouble, served

POISON = "http://127.0.0.1:99999/x.torrent"


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


async def test_one_poison_link_among_200_fails_alone_in_the_first_round(pg_url: str) -> None:
    double = DownloaderDouble(poison={POISON: 500})
    good = [magnet(n) for n in range(1, 201)]
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qb", port)

        answer = await core.post_links([*good[:100], POISON, *good[100:]])

        assert answer["dispatch"] == {"downloading": 200, "failed": 1}
        downloads = {d["url"]: d for d in await core.downloads()}
        assert {downloads[url]["status"] for url in good} == {"downloading"}
        assert downloads[POISON]["status"] == "failed"
        assert downloads[POISON]["reason"] == f"qb: HTTP 500: cannot add {POISON}"
        (service,) = (await core.client.get("/services")).json()
        assert (service["health"]["failures"], service["health"]["backoff_until"]) == (0, None)
    assert len(double.add_requests) <= 1 + 2 * 8  # 1 + 2·k·⌈log2 201⌉ for k = 1


@pytest.fixture
async def gateway() -> AsyncIterator[HttpDownloaderGateway]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield HttpDownloaderGateway(http)


async def _submit(gateway: HttpDownloaderGateway, double: DownloaderDouble) -> object:
    async with served(double) as port:
        downloader = Downloader(1, "qb", f"http://127.0.0.1:{port}", frozenset(DownloadType))
        return await gateway.submit(downloader, [AddRequest(magnet(1)), AddRequest(POISON)])


@pytest.mark.parametrize("code", [400, 413, 422, 500])
async def test_a_refusal_one_item_may_cause_is_a_batch_refusal(
    gateway: HttpDownloaderGateway, code: int
) -> None:
    answer = await _submit(gateway, DownloaderDouble(poison={POISON: code}))

    assert answer == BatchRefused(f"HTTP {code}: cannot add {POISON}")


@pytest.mark.parametrize("code", [401, 403, 404, 429, 502, 503, 504])
async def test_a_failure_of_the_downloader_itself_is_unreachable(
    gateway: HttpDownloaderGateway, code: int
) -> None:
    answer = await _submit(gateway, DownloaderDouble(status_code=code))

    assert answer == Unreachable(f"HTTP {code}: downloader is broken")


async def test_a_500_that_says_nothing_is_the_downloader_s_failure(
    gateway: HttpDownloaderGateway,
) -> None:
    answer = await _submit(gateway, DownloaderDouble(status_code=500, silent=True))

    assert answer == Unreachable("HTTP 500")


async def test_a_good_batch_is_answered_per_link(gateway: HttpDownloaderGateway) -> None:
    answer = await _submit(gateway, DownloaderDouble())

    assert isinstance(answer, Answered)
    assert answer.result_for(magnet(1)).remote_id == f"{1:040x}"  # type: ignore[union-attr]
