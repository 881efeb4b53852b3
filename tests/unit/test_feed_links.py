"""Each feed item gives one link: a magnet, else a .torrent, else any other link."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dispatch_domain.feeds import FeedItem, choose_link

MAGNET = "magnet:?xt=urn:btih:" + "a" * 40
TORRENT = "https://tracker.example/files/1.torrent"
PAGE = "https://tracker.example/view/1"


def test_a_magnet_enclosure_wins_over_a_torrent_link() -> None:
    item = FeedItem("ep", link=TORRENT, enclosures=(MAGNET,))
    assert choose_link(item) == MAGNET


def test_a_magnet_link_wins_over_a_torrent_enclosure() -> None:
    item = FeedItem("ep", link=MAGNET, enclosures=(TORRENT,))
    assert choose_link(item) == MAGNET


def test_an_info_hash_element_becomes_a_magnet_preferred_over_the_torrent() -> None:
    item = FeedItem(
        "Frieren 01 (1080p)", link=TORRENT, info_hash="5C5A2E0B6D1F4A7C8E9B0A1C2D3E4F5061728394"
    )
    assert choose_link(item) == (
        "magnet:?xt=urn:btih:5c5a2e0b6d1f4a7c8e9b0a1c2d3e4f5061728394&dn=Frieren%2001%20%281080p%29"
    )


def test_a_base32_info_hash_element_becomes_a_magnet_too() -> None:
    item = FeedItem("", info_hash="LRNC4C3NCTNHZDU5WAFBYLJ6KQYXFBEU")
    assert choose_link(item) == "magnet:?xt=urn:btih:lrnc4c3nctnhzdu5wafbylj6kqyxfbeu"


def test_an_info_hash_that_is_not_one_is_ignored() -> None:
    item = FeedItem("ep", link=TORRENT, info_hash="not-a-hash")
    assert choose_link(item) == TORRENT


def test_a_torrent_enclosure_wins_over_a_web_page_link() -> None:
    item = FeedItem("ep", link=PAGE, enclosures=(TORRENT,))
    assert choose_link(item) == TORRENT


def test_a_torrent_link_wins_over_a_web_page_enclosure() -> None:
    item = FeedItem("ep", link=TORRENT, enclosures=(PAGE,))
    assert choose_link(item) == TORRENT


def test_with_nothing_better_any_other_link_is_taken() -> None:
    assert choose_link(FeedItem("ep", link=PAGE)) == PAGE
    assert (
        choose_link(FeedItem("ep", link="ftp://old.example/ep.mkv")) == "ftp://old.example/ep.mkv"
    )


def test_an_item_without_any_link_gives_none() -> None:
    assert choose_link(FeedItem("ep")) is None
    assert choose_link(FeedItem("ep", link="  ", enclosures=("",))) is None


KINDS = {
    MAGNET: 0,
    "magnet:?xt=urn:btih:" + "b" * 40: 0,
    TORRENT: 1,
    "https://other.example/2.torrent": 1,
    PAGE: 2,
    "ftp://old.example/ep.mkv": 3,
}
urls = st.sampled_from(sorted(KINDS))


@given(st.lists(urls, max_size=4), st.none() | urls, st.none() | st.just("c" * 40))
def test_the_link_taken_is_always_of_the_best_kind_on_offer(
    enclosures: list[str], link: str | None, info_hash: str | None
) -> None:
    item = FeedItem("ep", link=link, enclosures=tuple(enclosures), info_hash=info_hash)
    offered = [*enclosures, *([link] if link else [])]
    chosen = choose_link(item)

    if info_hash and not any(KINDS[url] == 0 for url in offered):
        assert chosen == "magnet:?xt=urn:btih:" + "c" * 40 + "&dn=ep"
    elif offered:
        assert chosen in offered
        assert KINDS[chosen] == min(KINDS[url] for url in offered)
    else:
        assert chosen is None
