"""The status machine: its table, apply(), and a stateful run over the in-memory store."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dispatch_domain import (
    ACTIVE,
    TRANSITIONS,
    DownloadEvent,
    DownloadStatus,
    DownloadType,
    FetchedItem,
    FetcherReport,
    IllegalTransition,
    Transition,
    apply,
    ingest_fetcher_results,
    sources_of,
    target_of,
)
from dispatch_domain.testing import FakeClock, InMemoryStore

S, E = DownloadStatus, DownloadEvent


def test_every_event_has_exactly_one_target() -> None:
    for event in DownloadEvent:
        targets = {target for (_, taken), target in TRANSITIONS.items() if taken == event}
        assert targets == {target_of(event)}, event


def test_completed_is_final() -> None:
    assert not [event for (status, event) in TRANSITIONS if status is S.COMPLETED]


@pytest.mark.parametrize(
    ("status", "event", "expected"),
    [
        (S.PENDING, E.ACCEPTED, S.DOWNLOADING),
        (S.PENDING, E.REJECTED, S.FAILED),
        (S.PENDING, E.NO_DOWNLOADER, S.NO_DOWNLOADER),
        (S.PENDING, E.UNREACHABLE, S.PENDING),
        (S.NO_DOWNLOADER, E.DOWNLOADER_AVAILABLE, S.PENDING),
        (S.DOWNLOADING, E.REPORTED_COMPLETED, S.COMPLETED),
        (S.DOWNLOADING, E.REPORTED_FAILED, S.FAILED),
        (S.DOWNLOADING, E.POLL_UNREACHABLE, S.DOWNLOADER_ERROR),
        (S.DOWNLOADER_ERROR, E.REPORTED_COMPLETED, S.COMPLETED),
        (S.DOWNLOADER_ERROR, E.REPORTED_DOWNLOADING, S.DOWNLOADING),
        (S.DOWNLOADING, E.CANCEL, S.CANCELLED),
        (S.NO_DOWNLOADER, E.CANCEL, S.CANCELLED),
        (S.FAILED, E.RETRY, S.PENDING),
        (S.CANCELLED, E.RETRY, S.PENDING),
        (S.DOWNLOADER_ERROR, E.RETRY, S.PENDING),
    ],
)
def test_the_brief_s_transitions_are_allowed(
    status: DownloadStatus, event: DownloadEvent, expected: DownloadStatus
) -> None:
    assert apply(status, event) is expected


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (S.COMPLETED, E.CANCEL),
        (S.COMPLETED, E.RETRY),
        (S.COMPLETED, E.REPORTED_FAILED),
        (S.CANCELLED, E.CANCEL),
        (S.PENDING, E.REPORTED_COMPLETED),
        (S.FAILED, E.ACCEPTED),
        (S.DOWNLOADING, E.RETRY),
        (S.PENDING, E.RETRY),
    ],
)
def test_anything_else_is_an_illegal_transition(
    status: DownloadStatus, event: DownloadEvent
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        apply(status, event)
    assert (caught.value.status, caught.value.event) == (status, event)
    assert status.value in str(caught.value)


def test_sources_of_an_event_are_where_the_table_allows_it() -> None:
    assert sources_of(E.POLL_UNREACHABLE) == {S.DOWNLOADING, S.DOWNLOADER_ERROR}
    assert S.COMPLETED not in sources_of(E.CANCEL)


def _run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


class DownloadLifecycle(RuleBasedStateMachine):
    """Random events, retries and releases against the in-memory store, checked after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.store = InMemoryStore()
        self.clock = FakeClock()
        self.seen: dict[int, DownloadStatus] = {}
        self.items = 0

    @rule(count=st.integers(min_value=1, max_value=3))
    def fetcher_posts_links(self, count: int) -> None:
        items = tuple(
            FetchedItem(i, f"t{self.items + i}", f"https://example.com/{self.items + i}")
            for i in range(count)
        )
        self.items += count
        _run(
            ingest_fetcher_results(FetcherReport("rss", items=items), self.store.links, self.clock)
        )
        self._check_moves(expected_events=())

    @precondition(lambda self: self.seen)
    @rule(data=st.data(), event=st.sampled_from([e for e in DownloadEvent if e is not E.RETRY]))
    def an_event_arrives(self, data: st.DataObject, event: DownloadEvent) -> None:
        download_id = data.draw(st.sampled_from(sorted(self.seen)))
        extra = {"module_id": 1, "remote_id": "a" * 40} if event is E.ACCEPTED else {}
        _run(
            self.store.downloads.apply([Transition(download_id, event, **extra)], self.clock.now())
        )
        self._check_moves(expected_events=(event,))

    @precondition(lambda self: self.seen)
    @rule(data=st.data())
    def an_operator_retries(self, data: st.DataObject) -> None:
        download_id = data.draw(st.sampled_from(sorted(self.seen)))
        _run(self.store.downloads.retry([download_id], self.clock.now()))
        # a retry may close the old open attempt as superseded (a cancel) and open a new one
        self._check_moves(expected_events=(E.CANCEL,))

    @rule()
    def a_downloader_registers(self) -> None:
        _run(self.store.downloads.release_parked(set(DownloadType), self.clock.now()))
        self._check_moves(expected_events=(E.DOWNLOADER_AVAILABLE,))

    @rule()
    def time_passes(self) -> None:
        self.clock.advance(timedelta(minutes=1))

    def _check_moves(self, expected_events: tuple[DownloadEvent, ...]) -> None:
        for download_id, row in self.store.state.downloads.items():
            before = self.seen.get(download_id)
            if before is None:
                assert row.status is S.PENDING, "a new attempt starts pending"
            elif before is not row.status:
                assert any(
                    TRANSITIONS.get((before, event)) is row.status for event in expected_events
                ), f"{before} -> {row.status} is not in the table for {expected_events}"
            self.seen[download_id] = row.status

    @invariant()
    def at_most_one_active_attempt_per_link(self) -> None:
        active = [r.link_id for r in self.store.state.downloads.values() if r.status in ACTIVE]
        assert len(active) == len(set(active))

    @invariant()
    def completed_downloads_stay_completed(self) -> None:
        for download_id, status in self.seen.items():
            if status is S.COMPLETED:
                assert self.store.state.downloads[download_id].status is S.COMPLETED


TestDownloadLifecycle = DownloadLifecycle.TestCase
