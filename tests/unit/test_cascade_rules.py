"""The cascade's split of refused batches, at its boundaries: how many splits a batch gets,
what happens to the pieces when the downloader stops answering, and the fold after the end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dispatch_domain import (
    Accepted,
    Answered,
    BatchRefused,
    Cascade,
    Deferred,
    Downloader,
    DownloadType,
    LinkToPlace,
    Placed,
    Refused,
    Unreachable,
)
from dispatch_domain.answers import AddRequest, SubmitAnswer
from dispatch_domain.cascade import preferred_first

NOW = datetime(2026, 1, 1, tzinfo=UTC)
MAGNET = frozenset({DownloadType.MAGNET})


def links(count: int) -> list[LinkToPlace]:
    return [
        LinkToPlace(i, f"magnet:?xt=urn:btih:{i:040x}", DownloadType.MAGNET) for i in range(count)
    ]


@pytest.mark.parametrize(
    ("count", "requests_made", "refused_count", "deferred_count"),
    [(128, 225, 112, 16), (114, 225, 112, 2), (129, 257, 129, 0)],
)
def test_a_downloader_refusing_everything_gets_a_bounded_number_of_splits(
    count: int, requests_made: int, refused_count: int, deferred_count: int
) -> None:
    """Every batch refused: 16 splits per level of ⌈log2 n⌉ levels, depth first. For 114 and
    128 links that is 7 levels, 112 splits: 112 links are refused alone with the downloader's
    words, after 1 + 112 + 112 requests the piece then under way (16 links of 128, 2 of 114)
    is given up on, and its links are deferred as the downloader's own failure. 129 links
    get 8 levels, 128 splits: enough to refuse every link alone (128 + 129 requests)."""
    qb = Downloader(1, "qb", "http://127.0.0.1:1", MAGNET)
    cascade = Cascade.start(links(count), [qb], now=NOW)
    requests = 0
    while cascade.request is not None:
        requests += 1
        cascade = cascade.fold(BatchRefused("HTTP 500: boom"))
    outcomes = cascade.outcomes().values()
    refused = [o.reasons for o in outcomes if isinstance(o, Refused)]
    deferred = [o.reasons for o in outcomes if isinstance(o, Deferred)]
    assert (requests, len(refused), len(deferred)) == (
        requests_made,
        refused_count,
        deferred_count,
    )
    assert set(refused) == {("qb: HTTP 500: boom",)}
    assert set(deferred) <= {
        ("qb: unreachable: kept refusing the pieces of its batch: HTTP 500: boom",)
    }


def test_pieces_left_when_a_downloader_goes_down_are_not_sent_to_the_next_one() -> None:
    """qb refuses the batch for link 1; while its pieces are under way it stops answering: the
    rest goes to tr in one batch, and nothing of qb's split is sent again."""
    qb = Downloader(1, "qb", "http://127.0.0.1:1", MAGNET, priority=60)
    tr = Downloader(2, "tr", "http://127.0.0.1:2", MAGNET, priority=50)
    four = links(4)
    urls = [link.url for link in four]
    answers: list[SubmitAnswer] = [
        BatchRefused("HTTP 500: boom"),  # qb [0, 1, 2, 3]
        BatchRefused("HTTP 500: boom"),  # qb [0, 1]
        Answered({urls[0]: Accepted("r0")}),  # qb [0]
        Unreachable("connection refused"),  # qb [1]; [2, 3] were still to go
        Answered({url: Accepted(f"t{i}") for i, url in enumerate(urls)}),  # tr [1, 2, 3]
    ]
    cascade = Cascade.start(four, [qb, tr], now=NOW)
    sent = []
    for answer in answers:
        assert cascade.request is not None
        sent.append((cascade.request.downloader.name, [i.url for i in cascade.request.items]))
        cascade = cascade.fold(answer)
    assert cascade.request is None
    assert sent == [
        ("qb", urls),
        ("qb", urls[:2]),
        ("qb", urls[:1]),
        ("qb", urls[1:2]),
        ("tr", urls[1:]),
    ]
    assert cascade.outcomes() == {
        0: Placed(1, "r0"),
        1: Placed(2, "t1"),
        2: Placed(2, "t2"),
        3: Placed(2, "t3"),
    }


def test_a_finished_cascade_takes_no_more_answers() -> None:
    cascade = Cascade.start([], [], now=NOW)
    with pytest.raises(AssertionError, match=r"^fold\(\) after the cascade finished$"):
        cascade.fold(Answered({}))


def test_a_batch_carries_each_link_s_save_path() -> None:
    qb = Downloader(1, "qb", "http://127.0.0.1:1", MAGNET)
    link = LinkToPlace(1, "magnet:?xt=urn:btih:" + "a" * 40, DownloadType.MAGNET, "Anime/x")
    cascade = Cascade.start([link], [qb], now=NOW)
    assert cascade.request is not None
    assert cascade.request.items == (AddRequest(link.url, "Anime/x"),)


def test_the_first_round_starts_with_the_lowest_module_id_among_equals() -> None:
    a = Downloader(1, "a", "http://127.0.0.1:1", MAGNET)
    b = Downloader(2, "b", "http://127.0.0.1:2", MAGNET)
    cascade = Cascade.start(links(1), [b, a], now=NOW)
    assert cascade.request is not None and cascade.request.downloader == a


def test_only_a_downloader_both_named_and_taking_the_type_is_preferred() -> None:
    magnets = Downloader(1, "qb", "http://127.0.0.1:1", MAGNET)
    http = Downloader(2, "aria", "http://127.0.0.1:2", frozenset({DownloadType.HTTP}))
    web = LinkToPlace(1, "https://files.example/a.mkv", DownloadType.HTTP, preferred="qb")
    magnet = LinkToPlace(2, "magnet:?xt=urn:btih:" + "b" * 40, DownloadType.MAGNET)
    assert preferred_first([web, magnet], [magnets, http]) == ()
    named = LinkToPlace(3, "https://files.example/b.mkv", DownloadType.HTTP, preferred="aria")
    assert preferred_first([named], [magnets, http]) == (http,)
