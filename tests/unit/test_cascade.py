"""The cascade policy: brief §2.4's invariants as properties, and its rules as examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import groupby

import attrs
from hypothesis import given
from hypothesis import strategies as st

from dispatch_domain import (
    Accepted,
    Answered,
    BatchRefused,
    Cascade,
    Deferred,
    Downloader,
    DownloadType,
    Health,
    LinkToPlace,
    NoCapableDownloader,
    Placed,
    Refused,
    Rejected,
    Unreachable,
    priority_order,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TYPES = list(DownloadType)


@attrs.frozen
class Behaviour:
    """How a scripted downloader answers: down, or accepting every URL not in `rejects`; a
    batch holding one of its `poisons` it refuses as a whole (HTTP 500 with an answer)."""

    down: bool
    rejects: frozenset[str]
    poisons: frozenset[str] = frozenset()

    def refuses(self, url: str) -> bool:
        return url in self.rejects or url in self.poisons


def run(links, downloaders, behaviours, turn=0):  # type: ignore[no-untyped-def]
    """Drive a cascade to its end; the requests it made, and the finished cascade."""
    cascade = Cascade.start(links, downloaders, now=NOW, turn=turn)
    requests = []
    while cascade.request is not None:
        request = cascade.request
        requests.append(request)
        behaviour = behaviours[request.downloader.module_id]
        if behaviour.down:
            answer: Answered | Unreachable | BatchRefused = Unreachable("connection refused")
        elif any(item.url in behaviour.poisons for item in request.items):
            answer = BatchRefused("HTTP 500: poisoned")
        else:
            answer = Answered(
                {
                    item.url: Rejected("no") if item.url in behaviour.rejects else Accepted("h")
                    for item in request.items
                }
            )
        cascade = cascade.fold(answer)
    return requests, cascade


URLS = [f"https://example.com/{i}" for i in range(12)]
TYPE_OF = {url: TYPES[i % len(TYPES)] for i, url in enumerate(URLS)}
urls = st.sampled_from(URLS)


@st.composite
def scenarios(draw):  # type: ignore[no-untyped-def]
    count = draw(st.integers(min_value=0, max_value=5))
    downloaders, behaviours = [], {}
    for module_id in range(1, count + 1):
        backed_off = draw(st.booleans()) and draw(st.booleans())
        health = (
            Health(failures=1, backoff_until=NOW + timedelta(minutes=1)) if backed_off else Health()
        )
        downloaders.append(
            Downloader(
                module_id=module_id,
                name=f"d{module_id}",
                base_url=f"http://127.0.0.1:{9000 + module_id}",
                download_types=frozenset(draw(st.sets(st.sampled_from(TYPES)))),
                priority=draw(st.sampled_from([10, 50, 50, 90])),
                health=health,
            )
        )
        behaviours[module_id] = Behaviour(
            draw(st.booleans()),
            frozenset(draw(st.sets(urls, max_size=4))),
            frozenset(draw(st.sets(urls, max_size=3))),
        )
    # Detection is a function of the URL, so one URL always has one type; a URL may repeat.
    # A URL is one link, from one subscription, so it has one preferred downloader (or none),
    # which may be any name, registered or not.
    link_urls = draw(st.lists(urls, max_size=15))
    names = st.none() | st.sampled_from(["d1", "d2", "d3", "d4", "d5", "gone"])
    prefer = {url: draw(names) for url in sorted(set(link_urls))}
    links = [
        LinkToPlace(i, url, TYPE_OF[url], preferred=prefer[url])
        for i, url in enumerate(link_urls, start=1)
    ]
    return links, downloaders, behaviours, draw(st.integers(min_value=0, max_value=7))


@given(scenarios())
def test_a_link_is_only_sent_to_downloaders_that_take_its_type(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    requests, _ = run(links, downloaders, behaviours, turn)
    for request in requests:
        for item in request.items:
            assert TYPE_OF[item.url] in request.downloader.download_types


def turns(requests):  # type: ignore[no-untyped-def]
    """The requests grouped by downloader turn: a split batch's pieces follow each other."""
    return [list(group) for _, group in groupby(requests, key=lambda r: r.downloader.module_id)]


@given(scenarios())
def test_no_link_goes_to_a_downloader_in_two_turns_nor_to_a_backed_off_one(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    requests, _ = run(links, downloaders, behaviours, turn)
    sent = [
        (group[0].downloader.module_id, url)
        for group in turns(requests)
        for url in {item.url for request in group for item in request.items}
    ]
    assert len(sent) == len(set(sent))
    assert not any(request.downloader.health.in_backoff(NOW) for request in requests)


@given(scenarios())
def test_without_preferences_no_downloader_has_two_turns_in_one_round(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    plain = [attrs.evolve(link, preferred=None) for link in links]
    requests, _ = run(plain, downloaders, behaviours, turn)
    asked = [group[0].downloader.module_id for group in turns(requests)]
    assert len(asked) == len(set(asked))


@given(scenarios())
def test_a_link_goes_first_to_its_preferred_downloader_when_it_can_take_it(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    requests, _ = run(links, downloaders, behaviours, turn)
    for link in links:
        targets = [r.downloader for r in requests if link.url in {i.url for i in r.items}]
        preferred = [
            d
            for d in downloaders
            if d.name == link.preferred
            and link.download_type in d.download_types
            and not d.health.in_backoff(NOW)
        ]
        if preferred:
            assert targets[0] == preferred[0]
        elif targets:
            assert targets[0].name != link.preferred


@given(scenarios())
def test_a_link_is_never_sent_after_it_was_accepted(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    requests, _ = run(links, downloaders, behaviours, turn)
    accepted_urls: set[str] = set()
    for request in requests:
        sent = [item.url for item in request.items]
        assert len(sent) == len(set(sent)), "URLs are deduplicated within a request"
        assert not accepted_urls & set(sent)
        behaviour = behaviours[request.downloader.module_id]
        if not behaviour.down and not behaviour.poisons & set(sent):
            accepted_urls |= {url for url in sent if url not in behaviour.rejects}


@given(scenarios())
def test_downloaders_are_tried_by_priority_descending(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    plain = [attrs.evolve(link, preferred=None) for link in links]
    requests, _ = run(plain, downloaders, behaviours, turn)
    priorities = [request.downloader.priority for request in requests]
    assert priorities == sorted(priorities, reverse=True)


@given(scenarios())
def test_after_its_preferred_downloader_a_link_follows_priority_order(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    requests, _ = run(links, downloaders, behaviours, turn)
    for link in links:
        targets = [r.downloader for r in requests if link.url in {i.url for i in r.items}]
        if targets and targets[0].name == link.preferred:
            targets = targets[1:]
        priorities = [d.priority for d in targets]
        assert priorities == sorted(priorities, reverse=True)


@given(scenarios())
def test_every_link_ends_with_exactly_one_fitting_outcome(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    requests, cascade = run(links, downloaders, behaviours, turn)
    outcomes = cascade.outcomes()
    assert set(outcomes) == {link.download_id for link in links}
    for link in links:
        capable = [d for d in downloaders if link.download_type in d.download_types]
        asked = list({r.downloader: None for r in requests if link.url in {i.url for i in r.items}})
        answering = [d for d in asked if not behaviours[d.module_id].down]
        outcome = outcomes[link.download_id]
        match outcome:
            case Placed(module_id=module_id):
                assert module_id in {d.module_id for d in answering}
                assert not behaviours[module_id].refuses(link.url)
            case Refused(reasons=reasons):
                assert any(behaviours[d.module_id].refuses(link.url) for d in answering)
                assert len(reasons) == len(asked)
            case Deferred(retry_at=retry_at):
                assert capable and not answering
                assert retry_at > NOW
            case NoCapableDownloader():
                assert not capable


@given(st.integers(min_value=2, max_value=5))
def test_equal_priorities_take_turns_across_rounds(count: int) -> None:
    downloaders = [
        Downloader(i, f"d{i}", f"http://127.0.0.1:{9000 + i}", frozenset(TYPES))
        for i in range(1, count + 1)
    ]
    firsts = {priority_order(downloaders, turn)[0].module_id for turn in range(count)}
    assert firsts == {d.module_id for d in downloaders}


def _downloader(module_id: int, priority: int = 50, **kwargs) -> Downloader:  # type: ignore[no-untyped-def]
    types = kwargs.pop("types", frozenset(TYPES))
    return Downloader(
        module_id,
        f"d{module_id}",
        f"http://127.0.0.1:{9000 + module_id}",
        types,
        priority,
        **kwargs,
    )


LINK = LinkToPlace(1, "magnet:?xt=urn:btih:" + "a" * 40, DownloadType.MAGNET)


def test_falls_back_when_primary_rejects() -> None:
    behaviours = {1: Behaviour(False, frozenset({LINK.url})), 2: Behaviour(False, frozenset())}
    requests, cascade = run([LINK], [_downloader(1, 90), _downloader(2, 10)], behaviours)
    assert [r.downloader.module_id for r in requests] == [1, 2]
    assert cascade.outcomes()[1] == Placed(2, "h")


def test_all_rejections_fail_the_link_with_every_reason() -> None:
    behaviours = {1: Behaviour(False, frozenset({LINK.url})), 2: Behaviour(True, frozenset())}
    _, cascade = run([LINK], [_downloader(1, 90), _downloader(2, 10)], behaviours)
    assert cascade.outcomes()[1] == Refused(("d1: no", "d2: unreachable: connection refused"))


def test_only_unreachable_downloaders_keep_the_link_pending_with_backoff() -> None:
    behaviours = {1: Behaviour(True, frozenset())}
    _, cascade = run([LINK], [_downloader(1)], behaviours)
    outcome = cascade.outcomes()[1]
    assert isinstance(outcome, Deferred)
    assert outcome.retry_at == NOW + timedelta(minutes=1)
    assert cascade.health[1].failures == 1
    assert cascade.health[1].last_error == "connection refused"


def test_a_backed_off_downloader_is_skipped_and_the_link_waits_for_it() -> None:
    until = NOW + timedelta(minutes=5)
    downloader = _downloader(1, health=Health(failures=2, backoff_until=until))
    requests, cascade = run([LINK], [downloader], {1: Behaviour(False, frozenset())})
    assert requests == []
    assert cascade.outcomes()[1] == Deferred(until, ("d1: in back-off until 2026-01-01 00:05:00",))


def test_no_capable_downloader_parks_the_link() -> None:
    http_only = _downloader(1, types=frozenset({DownloadType.HTTP}))
    requests, cascade = run([LINK], [http_only], {1: Behaviour(False, frozenset())})
    assert requests == []
    assert cascade.outcomes()[1] == NoCapableDownloader()


def test_an_answer_missing_a_link_counts_as_a_rejection_for_it() -> None:
    cascade = Cascade.start([LINK], [_downloader(1)], now=NOW).fold(Answered({}))
    assert cascade.outcomes()[1] == Refused(("d1: the downloader gave no result for this link",))


def test_an_answering_downloader_is_marked_up() -> None:
    sick = _downloader(1, health=Health(failures=3, backoff_until=NOW - timedelta(seconds=1)))
    cascade = Cascade.start([LINK], [sick], now=NOW).fold(Answered({LINK.url: Accepted("h")}))
    assert cascade.health[1] == Health(failures=0, backoff_until=None, last_seen=NOW)


def test_links_sharing_a_url_go_out_once_and_share_the_answer() -> None:
    twin = attrs.evolve(LINK, download_id=2)
    requests, cascade = run([LINK, twin], [_downloader(1)], {1: Behaviour(False, frozenset())})
    assert [len(r.items) for r in requests] == [1]
    assert cascade.outcomes() == {1: Placed(1, "h"), 2: Placed(1, "h")}


def test_a_preferred_downloader_is_offered_the_link_before_a_higher_priority_one() -> None:
    link = attrs.evolve(LINK, preferred="d2")
    behaviours = {1: Behaviour(False, frozenset()), 2: Behaviour(False, frozenset())}
    requests, cascade = run([link], [_downloader(1, 90), _downloader(2, 10)], behaviours)
    assert [r.downloader.module_id for r in requests] == [2]
    assert cascade.outcomes()[1] == Placed(2, "h")


def test_a_refusing_preferred_downloader_hands_the_link_to_the_usual_order() -> None:
    link = attrs.evolve(LINK, preferred="d2")
    other = LinkToPlace(2, "magnet:?xt=urn:btih:" + "b" * 40, DownloadType.MAGNET)
    behaviours = {
        1: Behaviour(False, frozenset({link.url, other.url})),
        2: Behaviour(False, frozenset({link.url})),
    }
    requests, cascade = run([link, other], [_downloader(1, 90), _downloader(2, 10)], behaviours)
    sent = [(r.downloader.module_id, [i.url for i in r.items]) for r in requests]
    assert sent == [(2, [link.url]), (1, [link.url, other.url]), (2, [other.url])]
    assert cascade.outcomes() == {1: Refused(("d2: no", "d1: no")), 2: Placed(2, "h")}


def test_an_unreachable_preferred_downloader_is_not_asked_again_in_the_round() -> None:
    link = attrs.evolve(LINK, preferred="d2")
    other = LinkToPlace(2, "magnet:?xt=urn:btih:" + "b" * 40, DownloadType.MAGNET)
    behaviours = {1: Behaviour(False, frozenset({other.url})), 2: Behaviour(True, frozenset())}
    requests, cascade = run([link, other], [_downloader(1, 90), _downloader(2, 10)], behaviours)
    assert [r.downloader.module_id for r in requests] == [2, 1]
    assert cascade.outcomes() == {1: Placed(1, "h"), 2: Refused(("d1: no",))}
    assert cascade.health[2].failures == 1


def test_a_preference_for_a_downloader_that_cannot_take_the_link_is_ignored() -> None:
    link = attrs.evolve(LINK, preferred="d2")
    http_only = _downloader(2, 90, types=frozenset({DownloadType.HTTP}))
    behaviours = {1: Behaviour(False, frozenset()), 2: Behaviour(False, frozenset())}
    requests, cascade = run([link], [_downloader(1, 10), http_only], behaviours)
    assert [r.downloader.module_id for r in requests] == [1]
    assert cascade.outcomes()[1] == Placed(1, "h")


@given(scenarios())
def test_a_poison_link_costs_no_other_link_anything(scenario) -> None:  # type: ignore[no-untyped-def]
    """Every link ends as it would if each downloader had rejected its poison links one by one:
    the same outcome for the others, the same kind of outcome for the poison links."""
    links, downloaders, behaviours, turn = scenario
    _, poisoned = run(links, downloaders, behaviours, turn)
    plain = {i: Behaviour(b.down, b.rejects | b.poisons) for i, b in behaviours.items()}
    _, rejecting = run(links, downloaders, plain, turn)
    every_poison = set().union(*(b.poisons for b in behaviours.values()))
    for link in links:
        got, expected = (
            poisoned.outcomes()[link.download_id],
            rejecting.outcomes()[link.download_id],
        )
        if link.url in every_poison:
            assert type(got) is type(expected)
        else:
            assert got == expected


@given(scenarios())
def test_a_split_batch_costs_at_most_one_plus_two_k_log_n_requests(scenario) -> None:  # type: ignore[no-untyped-def]
    links, downloaders, behaviours, turn = scenario
    plain = [attrs.evolve(link, preferred=None) for link in links]
    requests, _ = run(plain, downloaders, behaviours, turn)
    for group in turns(requests):
        sent = {item.url for item in group[0].items}
        poison = len(sent & behaviours[group[0].downloader.module_id].poisons)
        log_n = (len(sent) - 1).bit_length()
        assert len(group) <= 1 + 2 * poison * log_n


def _links(count: int, start: int = 1) -> list[LinkToPlace]:
    return [
        LinkToPlace(i, f"https://example.com/{i}.torrent", DownloadType.TORRENT)
        for i in range(start, start + count)
    ]


def test_one_poison_link_among_200_is_refused_alone_in_the_same_round() -> None:
    links = _links(201)
    poison = links[137].url
    behaviours = {1: Behaviour(False, frozenset(), frozenset({poison}))}
    requests, cascade = run(links, [_downloader(1)], behaviours)
    outcomes = cascade.outcomes()
    assert outcomes[138] == Refused(("d1: HTTP 500: poisoned",))
    assert {i for i, o in outcomes.items() if isinstance(o, Placed)} == set(range(1, 202)) - {138}
    assert len(requests) <= 17  # 1 + 2·1·⌈log2 201⌉
    assert cascade.health[1] == Health(failures=0, backoff_until=None, last_seen=NOW)


def test_a_poison_link_refused_by_one_downloader_falls_back_to_the_next() -> None:
    links = _links(4)
    poison = links[0].url
    behaviours = {
        1: Behaviour(False, frozenset(), frozenset({poison})),
        2: Behaviour(False, frozenset()),
    }
    requests, cascade = run(links, [_downloader(1, 90), _downloader(2, 10)], behaviours)
    assert [len(r.items) for r in requests] == [4, 2, 1, 1, 2, 1]
    assert cascade.outcomes() == {
        1: Placed(2, "h"),
        2: Placed(1, "h"),
        3: Placed(1, "h"),
        4: Placed(1, "h"),
    }


def test_an_outage_while_splitting_defers_every_piece_not_yet_answered() -> None:
    links = _links(4)
    cascade = Cascade.start(links, [_downloader(1)], now=NOW)
    cascade = cascade.fold(BatchRefused("HTTP 413: too large"))
    first = cascade.request
    assert first is not None and [i.url for i in first.items] == [links[0].url, links[1].url]
    cascade = cascade.fold(Answered({links[0].url: Accepted("a"), links[1].url: Accepted("b")}))
    cascade = cascade.fold(Unreachable("timed out"))
    assert cascade.request is None
    outcomes = cascade.outcomes()
    assert outcomes[1] == Placed(1, "a") and outcomes[2] == Placed(1, "b")
    assert outcomes[3] == Deferred(NOW + timedelta(minutes=1), ("d1: unreachable: timed out",))
    assert outcomes[4] == Deferred(NOW + timedelta(minutes=1), ("d1: unreachable: timed out",))
    assert cascade.health[1].failures == 1


def test_a_downloader_refusing_every_piece_is_backed_off_once_splitting_is_spent() -> None:
    links = _links(200)
    everything = frozenset(link.url for link in links)
    behaviours = {1: Behaviour(False, frozenset(), everything)}
    requests, cascade = run(links, [_downloader(1)], behaviours)
    assert 128 < len(requests) <= 1 + 2 * 128  # 16 poison links' worth of splits of 200 links
    kinds = {type(outcome) for outcome in cascade.outcomes().values()}
    assert kinds == {Refused, Deferred}
    assert cascade.health[1].failures == 1
    assert (
        cascade.health[1].last_error == "kept refusing the pieces of its batch: HTTP 500: poisoned"
    )
