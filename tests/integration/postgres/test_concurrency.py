"""Concurrent callers on separate connections: nothing duplicated, nothing taken twice."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from dispatch_domain import Capabilities, Registration, Transition
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, ServiceType
from tests.integration.postgres.posts import NOW, magnet, post_of, scalar

pytestmark = pytest.mark.real

E = DownloadEvent
S = DownloadStatus
LEASE = timedelta(minutes=5)


@pytest.fixture(autouse=True)
async def warm_pool(pg_pool):
    """Connections opened beforehand, so concurrent calls really do overlap in the server."""
    await pg_pool.resize(min_size=8, max_size=10)
    await pg_pool.wait()


async def _parked(store, count: int) -> list[int]:
    stored = await store.links.store(*post_of(magnet(n) for n in range(count)), NOW)
    await store.downloads.apply([Transition(i, E.NO_DOWNLOADER) for i in stored.download_ids], NOW)
    return list(stored.download_ids)


async def test_eight_overlapping_posts_at_once_store_each_link_once(pg_store, pg_pool):
    shuffler = random.Random(8)
    posts = []
    for n in range(8):
        # Windows of 200 overlapping by 150, some magnets under a second URL (same info-hash),
        # each post in its own order.
        urls = [magnet(i) for i in range(n * 50, n * 50 + 200)]
        urls += [magnet(i, tracker=f"udp://t{n}.example:1") for i in range(n * 50, n * 50 + 20)]
        shuffler.shuffle(urls)
        posts.append(post_of(urls, source=f"rss-{n % 3}"))

    results = await asyncio.gather(*(pg_store.links.store(*post, NOW) for post in posts))

    distinct = 7 * 50 + 200
    assert sum(result.links_created for result in results) == distinct
    assert await scalar(pg_pool, "SELECT count(*) FROM anime_links") == distinct
    assert await scalar(pg_pool, "SELECT count(*) FROM downloads") == distinct
    assert await scalar(pg_pool, "SELECT count(DISTINCT link_id) FROM downloads") == distinct
    assert await scalar(pg_pool, "SELECT count(*) FROM fetcher_reports") == 8


async def test_two_releases_at_once_release_each_parked_download_once(pg_store):
    parked = await _parked(pg_store, 300)

    released = await asyncio.gather(
        pg_store.downloads.release_parked({DownloadType.MAGNET}, NOW),
        pg_store.downloads.release_parked({DownloadType.MAGNET}, NOW),
    )

    assert sum(released) == len(parked)
    assert await pg_store.downloads.count_by_status(parked) == {S.PENDING: len(parked)}


async def test_two_dispatchers_claiming_at_once_never_share_a_download(pg_store):
    stored = await pg_store.links.store(*post_of(magnet(n) for n in range(400)), NOW)

    first, second = await asyncio.gather(
        pg_store.downloads.claim_due(NOW, 300, LEASE),
        pg_store.downloads.claim_due(NOW, 300, LEASE),
    )

    mine = {c.download_id for c in first}
    theirs = {c.download_id for c in second}
    assert mine.isdisjoint(theirs)
    assert mine | theirs <= set(stored.download_ids)
    assert len(first) + len(second) >= 300


async def test_two_retries_of_one_download_at_once_start_one_new_attempt(pg_store, pg_pool):
    parked = await _parked(pg_store, 50)

    first, second = await asyncio.gather(
        pg_store.downloads.retry(parked, NOW), pg_store.downloads.retry(parked, NOW)
    )

    assert len(first) + len(second) == len(parked)
    assert set(first).isdisjoint(second)
    assert await scalar(pg_pool, "SELECT count(*) FROM downloads WHERE attempt = 2") == 50


async def test_two_pollers_claiming_at_once_never_share_a_downloader(pg_store):
    modules = []
    for n in range(6):
        registration = Registration(
            ServiceType.DOWNLOADER,
            f"qbit-{n}",
            f"10.0.0.{n}",
            8080,
            Capabilities(frozenset({DownloadType.MAGNET})),
        )
        modules.append((await pg_store.services.register(registration, NOW)).module)
    stored = await pg_store.links.store(*post_of(magnet(n) for n in range(6)), NOW)
    accepted = [
        Transition(download_id, E.ACCEPTED, module_id=module.module_id, remote_id="ab" * 20)
        for download_id, module in zip(stored.download_ids, modules, strict=True)
    ]
    await pg_store.downloads.apply(accepted, NOW)

    until = NOW + timedelta(seconds=30)
    first, second = await asyncio.gather(
        pg_store.services.claim_polls(NOW, until), pg_store.services.claim_polls(NOW, until)
    )

    assert {d.module_id for d in first}.isdisjoint(d.module_id for d in second)
    assert len(first) + len(second) == 6


async def test_two_registrations_of_a_new_name_at_once_make_one_service(pg_store, pg_pool):
    registration = Registration(
        ServiceType.DOWNLOADER, "qbit", "10.0.0.2", 8080, Capabilities(frozenset(DownloadType))
    )

    first, second = await asyncio.gather(
        pg_store.services.register(registration, NOW),
        pg_store.services.register(registration, NOW),
    )

    assert first.module.module_id == second.module.module_id
    assert await scalar(pg_pool, "SELECT count(*) FROM service_modules") == 1
    assert await scalar(pg_pool, "SELECT count(*) FROM downloader_capabilities") == 3


async def test_posts_naming_the_same_torrents_in_crossed_orders_still_store_each_once(
    pg_store, pg_pool
):
    # URLs sort by their text, so "dn=" before "xt=" reverses the order in which two posts
    # reach the same info-hashes: the pattern that makes the server break a deadlock.
    def crossed(first_named: range, n: int) -> str:
        topic = f"xt=urn:btih:{n:040x}"
        return f"magnet:?dn=x&{topic}" if n in first_named else f"magnet:?{topic}"

    hashes = range(400)
    one = post_of(crossed(range(0, 200), n) for n in hashes)
    other = post_of(crossed(range(200, 400), n) for n in hashes)

    results = await asyncio.gather(*(pg_store.links.store(*p, NOW) for p in [one, other] * 3))

    assert sum(result.links_created for result in results) == 400
    assert await scalar(pg_pool, "SELECT count(*) FROM downloads") == 400
