"""The cascade's exclusion rule, as properties: a link is never offered to a downloader it
stalled at, and a stalled link is worth another attempt exactly when a downloader outside
those can take its type."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
from hypothesis import given
from hypothesis import strategies as st

from dispatch_domain.answers import Answered, Rejected
from dispatch_domain.cascade import Cascade, Downloader, LinkToPlace, has_another_taker
from dispatch_domain.vocabulary import DownloadType

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET_ONLY = frozenset({DownloadType.MAGNET})
TORRENT_ONLY = frozenset({DownloadType.TORRENT})


@given(
    excluded=st.sets(st.integers(min_value=1, max_value=4)),
    priorities=st.lists(st.integers(0, 3), min_size=4, max_size=4),
)
def test_the_cascade_never_offers_a_link_to_a_downloader_it_excludes(
    excluded: set[int], priorities: list[int]
) -> None:
    downloaders = [
        Downloader(i + 1, f"d{i + 1}", "http://127.0.0.1:1", frozenset({DownloadType.MAGNET}), p)
        for i, p in enumerate(priorities)
    ]
    link = LinkToPlace(7, f"magnet:?xt=urn:btih:{HASH}", DownloadType.MAGNET)
    link = attrs.evolve(link, excluded=frozenset(excluded))
    cascade = Cascade.start([link], downloaders, now=NOW)
    asked = []
    while cascade.request is not None:
        asked.append(cascade.request.downloader.module_id)
        cascade = cascade.fold(Answered({link.url: Rejected("no")}))
    assert set(asked) == {1, 2, 3, 4} - excluded


def _downloader(module_id: int, types: frozenset[DownloadType]) -> Downloader:
    return Downloader(module_id, f"d{module_id}", "http://127.0.0.1:1", types)


@given(
    kinds=st.lists(st.sampled_from([MAGNET_ONLY, TORRENT_ONLY, MAGNET_ONLY | TORRENT_ONLY]),
                   max_size=5),
    excluded=st.sets(st.integers(min_value=1, max_value=5)),
)  # fmt: skip
def test_another_taker_exists_exactly_when_one_outside_the_excluded_takes_the_type(
    kinds: list[frozenset[DownloadType]], excluded: set[int]
) -> None:
    downloaders = [_downloader(i + 1, types) for i, types in enumerate(kinds)]
    takers = {i + 1 for i, types in enumerate(kinds) if DownloadType.MAGNET in types} - excluded
    assert has_another_taker(DownloadType.MAGNET, excluded, downloaders) == bool(takers)
