"""Feeds in the shapes of Mikan, nyaa, dmhy, acg.rip and Atom, read into items and links."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.feeds import parse_feed
from dispatch_domain.feeds import FeedFailed, FeedPage, Validators, choose_link
from tests.support.feeds import fixture


def links_of(name: str) -> list[str | None]:
    page = parse_feed(fixture(name))
    assert isinstance(page, FeedPage)
    return [choose_link(item) for item in page.items]


def test_mikan_items_give_their_torrent_enclosure_not_the_episode_page() -> None:
    assert links_of("mikan") == [
        "https://mikanani.me/Download/20231006/2b1c4fa3e7d2b4c5d6e7f8091a2b3c4d5e6f7081.torrent",
        "https://mikanani.me/Download/20230929/1a0b3e92d6c1a3b4c5d6e7f8091a2b3c4d5e6f70.torrent",
        "https://mikanani.me/Download/20230929/0f9a2d81c5b0f2a3b4c5d6e7f8091a2b3c4d5e6f.torrent",
    ]


def test_nyaa_items_give_a_magnet_from_their_info_hash_over_the_torrent_link() -> None:
    assert links_of("nyaa") == [
        "magnet:?xt=urn:btih:5c5a2e0b6d1f4a7c8e9b0a1c2d3e4f5061728394"
        "&dn=%5BSubsPlease%5D%20Sousou%20no%20Frieren%20-%2002%20%281080p%29%20%5B5C5A2E0B%5D.mkv",
        "magnet:?xt=urn:btih:1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"
        "&dn=%5BSubsPlease%5D%20Sousou%20no%20Frieren%20-%2002%20%28480p%29%20%5B1B2C3D4E%5D.mkv",
    ]


def test_dmhy_items_give_their_magnet_enclosure_over_the_topic_page() -> None:
    assert links_of("dmhy") == [
        "magnet:?xt=urn:btih:LRNC4C3NCTNHZDU5WAFBYLJ6KQYXFBEU&dn="
        "&tr=http%3A%2F%2F104.143.10.186%3A8000%2Fannounce"
        "&tr=udp%3A%2F%2F104.143.10.186%3A8000%2Fannounce",
        "magnet:?xt=urn:btih:AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU&dn="
        "&tr=http%3A%2F%2F104.143.10.186%3A8000%2Fannounce",
    ]


def test_acg_rip_items_give_a_magnet_enclosure_or_else_the_torrent() -> None:
    assert links_of("acgrip") == [
        "magnet:?xt=urn:btih:d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0e&dn=Sousou+no+Frieren+-+03",
        "https://acg.rip/t/290124.torrent",
    ]


def test_an_atom_entry_gives_its_enclosure_link() -> None:
    assert links_of("atom") == ["https://releases.example/frieren-02.torrent"]


def test_titles_dates_and_validators_are_kept() -> None:
    page = parse_feed(fixture("nyaa"), Validators('"abc"', "Fri, 06 Oct 2023 15:02:00 GMT"))
    assert isinstance(page, FeedPage)
    first = page.items[0]
    assert first.title == "[SubsPlease] Sousou no Frieren - 02 (1080p) [5C5A2E0B].mkv"
    assert first.published == datetime(2023, 10, 6, 15, 1, 23, tzinfo=UTC)
    assert page.validators == Validators('"abc"', "Fri, 06 Oct 2023 15:02:00 GMT")


def test_dmhy_dates_in_utc_plus_8_are_read_as_utc() -> None:
    page = parse_feed(fixture("dmhy"))
    assert isinstance(page, FeedPage)
    assert page.items[0].published == datetime(2023, 10, 6, 16, 10, 2, tzinfo=UTC)


def test_malformed_xml_with_no_items_is_a_failure() -> None:
    outcome = parse_feed(b"<rss version='2.0'><channel><title>broken</titl")
    assert isinstance(outcome, FeedFailed)
    assert outcome.reason.startswith("malformed feed: ")


def test_a_web_page_is_not_a_feed() -> None:
    assert parse_feed(b"<html><body>Cloudflare says hi</body></html>") == FeedFailed(
        "not an RSS or Atom feed"
    )


def test_an_empty_feed_is_a_page_without_items() -> None:
    page = parse_feed(b"<rss version='2.0'><channel><title>quiet</title></channel></rss>")
    assert page == FeedPage(())


def test_a_feed_with_a_stray_ampersand_is_read_with_a_warning() -> None:
    body = (
        b"<rss version='2.0'><channel><title>t</title><item><title>Tom & Jerry 01</title>"
        b"<enclosure url='magnet:?xt=urn:btih:" + b"a" * 40 + b"'/></item></channel></rss>"
    )
    page = parse_feed(body)
    assert isinstance(page, FeedPage)
    assert [item.title for item in page.items] == ["Tom & Jerry 01"]
    assert page.warning is not None
    assert page.warning.startswith("the feed is malformed, read as far as possible: ")
