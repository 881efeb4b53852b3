""".torrent URLs are fetched with a size cap, a timeout and redirects followed, even to a magnet."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from adapters.bittorrent.fetch import MagnetRedirect, TorrentFetcher, TorrentFile
from dispatch_domain import Rejected
from tests.support.torrents import make_torrent, random_payload

MAGNET = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"
Handler = Callable[[httpx.Request], httpx.Response]


def _fetcher(handler: Handler, **options: float) -> TorrentFetcher:
    return TorrentFetcher(httpx.AsyncClient(transport=httpx.MockTransport(handler)), **options)  # type: ignore[arg-type]


async def test_fetches_a_torrent_through_relative_redirects(tmp_path: Path) -> None:
    made = make_torrent(random_payload(tmp_path, "a.bin", 1000))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/dl/1":
            return httpx.Response(302, headers={"location": "/files/a.torrent"})
        return httpx.Response(200, content=made.content)

    fetched = await _fetcher(handler).fetch("https://tracker.test/dl/1")
    assert isinstance(fetched, TorrentFile)
    assert fetched.meta.info_hash.hex == made.info_hash


async def test_a_redirect_to_a_magnet_is_handed_back_as_a_magnet() -> None:
    fetched = await _fetcher(lambda _: httpx.Response(301, headers={"location": MAGNET})).fetch(
        "https://tracker.test/dl/1"
    )
    assert fetched == MagnetRedirect(MAGNET)


async def test_rejects_a_missing_file_with_the_http_status() -> None:
    fetched = await _fetcher(lambda _: httpx.Response(404)).fetch("https://t.test/a.torrent")
    assert isinstance(fetched, Rejected)
    assert "HTTP 404" in fetched.reason


async def test_rejects_a_body_that_is_not_a_torrent() -> None:
    page = httpx.Response(200, text="<html>please log in</html>")
    fetched = await _fetcher(lambda _: page).fetch("https://t.test/a.torrent")
    assert isinstance(fetched, Rejected)
    assert "not a torrent" in fetched.reason


async def test_rejects_a_body_over_the_cap_by_its_declared_length() -> None:
    big = httpx.Response(200, headers={"content-length": "2048"}, content=b"x" * 2048)
    fetched = await _fetcher(lambda _: big, max_bytes=1024).fetch("https://t.test/a.torrent")
    assert isinstance(fetched, Rejected)
    assert "larger than 1024 bytes" in fetched.reason


async def test_rejects_a_streamed_body_over_the_cap() -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 512

    streamed = httpx.Response(200, content=chunks())
    fetched = await _fetcher(lambda _: streamed, max_bytes=1024).fetch("https://t.test/a.torrent")
    assert isinstance(fetched, Rejected)
    assert "larger than" in fetched.reason


async def test_gives_up_after_too_many_redirects() -> None:
    loop = httpx.Response(302, headers={"location": "/again"})
    fetched = await _fetcher(lambda _: loop, max_redirects=3).fetch("https://t.test/a.torrent")
    assert isinstance(fetched, Rejected)
    assert "more than 3 times" in fetched.reason


async def test_gives_up_on_a_server_too_slow_to_answer() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200)

    fetcher = TorrentFetcher(httpx.AsyncClient(transport=httpx.MockTransport(slow)), timeout=0.1)
    fetched = await fetcher.fetch("https://t.test/a.torrent")
    assert isinstance(fetched, Rejected)
    assert "longer than 0.1 s" in fetched.reason


@pytest.mark.parametrize(
    ("target", "why"),
    [("ftp://files.test/a.torrent", "unsupported ftp URL"), ("javascript:alert(1)", "InvalidURL")],
)
async def test_refuses_to_follow_a_redirect_to_another_scheme(target: str, why: str) -> None:
    redirect = httpx.Response(302, headers={"location": target})
    fetched = await _fetcher(lambda _: redirect).fetch("https://t.test/a.torrent")
    assert isinstance(fetched, Rejected)
    assert why in fetched.reason
