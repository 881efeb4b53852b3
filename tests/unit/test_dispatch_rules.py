"""The dispatcher's rules, each pinned with the values written out: the reason recorded for
every outcome, batch and drain boundaries, equal priorities taking turns, and the withdraw of
a download cancelled while it was being placed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from dispatch_domain import (
    Capabilities,
    Dispatcher,
    DownloadStatus,
    DownloadType,
    FetchedItem,
    FetcherReport,
    Registration,
    ServiceType,
    ingest_fetcher_results,
    register_service,
)
from dispatch_domain.answers import AddRequest, AddResult
from dispatch_domain.cascade import Deferred, NoCapableDownloader, Placed, Refused
from dispatch_domain.services.dispatch import transition_for
from dispatch_domain.status import DownloadEvent
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore, fake_hash

S = DownloadStatus
START = datetime(2026, 1, 1, tzinfo=UTC)
HASHES = [f"{i:040x}" for i in range(1, 7)]


def test_a_placed_outcome_is_accepted_at_its_downloader_under_its_remote_id() -> None:
    change = transition_for(7, Placed(3, "abc"))
    assert (change.download_id, change.event, change.module_id, change.remote_id) == (
        7,
        DownloadEvent.ACCEPTED,
        3,
        "abc",
    )


def test_a_refusal_records_every_downloader_s_reason_joined() -> None:
    change = transition_for(7, Refused(("qb: disk full", "tr: bad torrent")))
    assert (change.event, change.reason) == (
        DownloadEvent.REJECTED,
        "qb: disk full; tr: bad torrent",
    )


def test_a_deferral_records_its_reasons_and_when_to_try_again() -> None:
    retry_at = START + timedelta(minutes=2)
    change = transition_for(7, Deferred(retry_at, ("qb: unreachable: refused", "tr: timeout")))
    assert (change.event, change.reason, change.retry_at) == (
        DownloadEvent.UNREACHABLE,
        "qb: unreachable: refused; tr: timeout",
        retry_at,
    )


def test_no_capable_downloader_says_so() -> None:
    change = transition_for(7, NoCapableDownloader())
    assert (change.event, change.reason) == (
        DownloadEvent.NO_DOWNLOADER,
        "no enabled downloader takes this kind of link",
    )


class Refusing:
    """A repository that fails the test if `name` is called, and otherwise is `inner`."""

    def __init__(self, inner: object, name: str) -> None:
        self._inner, self._name = inner, name

    def __getattr__(self, attribute: str) -> object:
        if attribute == self._name:
            raise AssertionError(f"{attribute} was called")
        return getattr(self._inner, attribute)


class World:
    """One Core on fakes; downloaders are registered by name and take magnets."""

    def __init__(self, batch_size: int = 50_000) -> None:
        self.store, self.clock, self.gateway = InMemoryStore(), FakeClock(START), FakeGateway()
        self.dispatcher = Dispatcher(
            self.store.downloads,
            self.store.services,
            self.gateway,
            self.clock,
            batch_size=batch_size,
        )

    async def downloader(self, name: str, priority: int = 50) -> None:
        self.gateway.add_service(name)
        types = Capabilities(frozenset({DownloadType.MAGNET}))
        registration = Registration(
            ServiceType.DOWNLOADER, name, "127.0.0.1", 1, types, priority=priority
        )  # type: ignore[call-arg]
        await register_service(registration, self.store.services, self.store.downloads, self.clock)

    async def links(self, count: int) -> list[int]:
        items = tuple(
            FetchedItem(i, f"t{i}", f"magnet:?xt=urn:btih:{h}")
            for i, h in enumerate(HASHES[:count])
        )
        result = await ingest_fetcher_results(
            FetcherReport("rss", items=items), self.store.links, self.clock
        )
        return list(result.download_ids)

    async def statuses(self, download_ids: list[int]) -> list[DownloadStatus]:
        return [view.status for view in await self.store.downloads.views(download_ids)]


@pytest.fixture
async def world() -> World:
    return World()


async def test_a_round_takes_at_most_a_batch_and_drain_takes_the_rest() -> None:
    world = World(batch_size=2)
    await world.downloader("qb")
    ids = await world.links(3)
    assert await world.dispatcher.run_round() == Counter({S.DOWNLOADING: 2})
    assert await world.statuses(ids) == [S.DOWNLOADING, S.DOWNLOADING, S.PENDING]


async def test_drain_goes_on_after_a_full_batch() -> None:
    world = World(batch_size=2)
    await world.downloader("qb")
    ids = await world.links(3)
    assert await world.dispatcher.drain() == Counter({S.DOWNLOADING: 3})
    assert await world.statuses(ids) == [S.DOWNLOADING] * 3


async def test_a_round_with_nothing_due_asks_no_one(world: World) -> None:
    await world.downloader("qb")
    world.dispatcher.services = Refusing(world.store.services, "downloaders")  # type: ignore[assignment]
    assert await world.dispatcher.run_round() == Counter()


async def test_a_round_records_its_outcomes_at_the_time_of_the_round(world: World) -> None:
    await world.downloader("qb")
    (download_id,) = await world.links(1)
    world.clock.advance(timedelta(seconds=30))
    await world.dispatcher.run_round()
    view = await world.store.downloads.get(download_id)
    assert (view.status, view.updated_at) == (S.DOWNLOADING, START + timedelta(seconds=30))


async def test_equal_priorities_take_turns_round_after_round(world: World) -> None:
    for name in ("a", "b", "c"):
        await world.downloader(name)
    await world.downloader("low", priority=10)
    takers = []
    for link in range(4):
        download_id = (await world.links(link + 1))[-1]
        await world.dispatcher.run_round()
        takers.append((await world.store.downloads.get(download_id)).downloader)
        world.clock.advance(timedelta(minutes=1))
    assert takers == ["a", "b", "c", "a"]


async def test_a_round_that_places_nothing_releases_no_poll_claims(world: World) -> None:
    await world.downloader("qb")
    world.gateway.services["qb"].down = True
    await world.links(1)
    world.dispatcher.services = Refusing(world.store.services, "release_polls")  # type: ignore[assignment]
    assert await world.dispatcher.run_round() == Counter({S.PENDING: 1})


async def test_a_download_another_core_placed_meanwhile_is_not_withdrawn(world: World) -> None:
    """Our placing loses the race to another Core that placed it elsewhere: the copy our
    downloader took stays (it is not a cancel), and theirs is left alone."""
    await world.downloader("qb")
    (download_id,) = await world.links(1)
    row = world.store.state.downloads[download_id]

    def accept_while_another_core_places_it(item: AddRequest) -> AddResult:
        row.status = S.DOWNLOADING  # the other Core, meanwhile
        return accept(item)

    qb = world.gateway.services["qb"]
    accept = qb.decide
    qb.decide = accept_while_another_core_places_it
    # Nothing was cancelled, so no shared torrent is looked for.
    world.dispatcher.downloads = Refusing(world.store.downloads, "shared_remote_ids")  # type: ignore[assignment]
    assert await world.dispatcher.run_round() == Counter()
    assert fake_hash(f"magnet:?xt=urn:btih:{HASHES[0]}") in qb.torrents
    assert [name for name, _ in world.gateway.calls] == ["qb"]
