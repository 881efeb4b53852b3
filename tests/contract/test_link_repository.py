"""LinkRepository contract: storing fetcher posts, deduplicated by URL and by info-hash."""

from __future__ import annotations

import base64
from datetime import timedelta

from dispatch_domain import (
    DEFAULT_CHAIN,
    DownloadFilter,
    FetchedItem,
    FetcherReport,
    ItemProblem,
    to_link,
)
from dispatch_domain.vocabulary import DownloadStatus, DownloadType
from tests.contract.conftest import NOW, magnet, torrent

S = DownloadStatus
LEASE = timedelta(minutes=5)


async def test_each_new_typed_link_gets_one_pending_download_due_now(store, given):
    stored = await given.post(magnet(1), torrent(2), "https://example.org/ep3.mkv")

    assert stored.links_created == 3
    assert stored.duplicates == 0
    views = await store.downloads.views(stored.download_ids)
    assert [v.url for v in views] == [magnet(1), torrent(2), "https://example.org/ep3.mkv"]
    assert [v.download_type for v in views] == [
        DownloadType.MAGNET,
        DownloadType.TORRENT,
        DownloadType.HTTP,
    ]
    for view in views:
        assert view.status is S.PENDING
        assert view.attempts == 1
        assert view.title == f"title of {view.url}"
        assert view.created_at == view.updated_at == view.next_attempt_at == NOW
        assert view.module_id is None and view.downloader is None
        assert view.progress == 0.0 and view.size is None and view.reason is None


async def test_the_new_downloads_come_back_ready_to_place(store, given):
    stored = await given.post(magnet(1), "ftp://nope.example/x", torrent(2), save_path="a/b")

    assert [(p.url, p.download_type, p.save_path) for p in stored.placeable] == [
        (magnet(1), DownloadType.MAGNET, "a/b"),
        (torrent(2), DownloadType.TORRENT, "a/b"),
    ]
    assert [p.download_id for p in stored.placeable] == list(stored.download_ids)


async def test_downloads_claimed_at_storing_are_not_due_until_the_claim_ends(store, given):
    until = given.later(minutes=5)
    stored = await given.post(magnet(1), magnet(2), claimed_until=until)

    assert await store.downloads.claim_due(given.later(minutes=4), 10, LEASE) == []
    views = await store.downloads.views(stored.download_ids)
    assert {v.next_attempt_at for v in views} == {until}
    swept = await store.downloads.claim_due(until, 10, LEASE)
    assert [c.download_id for c in swept] == list(stored.download_ids)


async def test_new_download_ids_follow_the_order_of_the_post(store, given):
    urls = [torrent(9), magnet(3), "https://b.example/x", magnet(1), torrent(0)]

    stored = await given.post(*urls)

    assert list(stored.download_ids) == sorted(stored.download_ids)
    views = await store.downloads.views(stored.download_ids)
    assert [v.url for v in views] == urls


async def test_posting_the_same_links_again_creates_nothing(store, given):
    await given.post(magnet(1), torrent(2))

    again = await given.post(magnet(1), torrent(2))

    assert again.links_created == 0
    assert again.duplicates == 2
    assert again.download_ids == ()
    assert (await store.downloads.find(DownloadFilter())).total == 2


async def test_a_known_url_from_another_fetcher_is_a_duplicate(store, given):
    await given.post(torrent(2), source="rss-a")

    again = await given.post(torrent(2), source="rss-b")

    assert (again.links_created, again.duplicates) == (0, 1)


async def test_a_magnet_with_a_known_info_hash_is_a_duplicate_whatever_its_trackers(store, given):
    await given.post(magnet(7))

    again = await given.post(magnet(7, tracker="udp://other.example:80"))

    assert (again.links_created, again.duplicates) == (0, 1)


async def test_a_base32_magnet_is_the_same_link_as_its_hex_twin(store, given):
    hex_hash = "7f" * 20
    base32_hash = base64.b32encode(bytes.fromhex(hex_hash)).decode()
    await given.post(f"magnet:?xt=urn:btih:{hex_hash}")

    again = await given.post(f"magnet:?xt=urn:btih:{base32_hash}&dn=same")

    assert (again.links_created, again.duplicates) == (0, 1)


async def test_repeats_within_one_post_are_stored_once(store, given):
    stored = await given.post(
        torrent(1), torrent(1), magnet(2), magnet(2, tracker="udp://t.example:1")
    )

    assert (stored.links_created, stored.duplicates) == (2, 2)
    views = await store.downloads.views(stored.download_ids)
    assert [v.url for v in views] == [torrent(1), magnet(2)]


async def test_a_post_mixing_known_and_new_links_adds_only_the_new(store, given):
    first = await given.post(magnet(1), magnet(2))

    second = await given.post(magnet(2), magnet(3), magnet(1), magnet(4))

    assert (second.links_created, second.duplicates) == (2, 2)
    assert set(second.download_ids).isdisjoint(first.download_ids)
    views = await store.downloads.views(second.download_ids)
    assert [v.url for v in views] == [magnet(3), magnet(4)]


async def test_a_link_of_no_known_kind_is_kept_without_a_download(store, given):
    stored = await given.post("ftp://files.example/ep1.mkv", magnet(1))

    assert (stored.links_created, stored.duplicates) == (1, 0)
    again = await given.post("ftp://files.example/ep1.mkv")
    assert (again.links_created, again.duplicates, again.download_ids) == (0, 0, ())
    assert (await store.downloads.find(DownloadFilter())).total == 1


async def test_the_save_path_travels_with_the_link(store, given):
    stored = await given.post(torrent(1), save_path="anime/Show")

    (claimed,) = await store.downloads.claim_due(NOW, 10, LEASE)

    assert claimed.download_id == stored.download_ids[0]
    assert claimed.save_path == "anime/Show"


async def test_an_empty_or_failed_post_is_recorded_and_creates_nothing(store):
    report = FetcherReport(
        "rss",
        success=False,
        error_message="feed unreachable",
        malformed=(ItemProblem(0, "no download_url"),),
        subscription_id=12,
    )

    stored = await store.links.store(report, [], NOW)

    assert (stored.links_created, stored.duplicates, stored.download_ids) == (0, 0, ())


async def test_a_post_keeps_every_item_even_when_titles_and_urls_repeat(store):
    items = (
        FetchedItem(0, "first", torrent(1), description="d", pub_date=NOW),
        FetchedItem(1, "second", torrent(1)),
        FetchedItem(2, "unknown", "gopher://x"),
    )
    links = [to_link(item, DEFAULT_CHAIN) for item in items]

    stored = await store.links.store(FetcherReport("rss", items=items), links, NOW)

    assert (stored.links_created, stored.duplicates) == (1, 1)
    (view,) = await store.downloads.views(stored.download_ids)
    assert view.title == "first"
