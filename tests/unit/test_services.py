"""Application services on the in-memory fakes: ingest, dispatch, registration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch_domain import (
    Capabilities,
    Dispatcher,
    DownloadFilter,
    DownloadStatus,
    DownloadType,
    FetchedItem,
    FetcherReport,
    ItemProblem,
    Registration,
    ServicePatch,
    ServiceType,
    check_save_path,
    ingest_fetcher_results,
    register_service,
    update_service,
)
from dispatch_domain.errors import InvalidInput
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore, rejecting

S = DownloadStatus
MAGNET = "magnet:?xt=urn:btih:" + "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


def _item(index: int, url: str, save_path: str | None = None) -> FetchedItem:
    return FetchedItem(index, f"title {index}", url, save_path=save_path)


def _downloader(name: str, *types: DownloadType, priority: int | None = None) -> Registration:
    capabilities = Capabilities(frozenset(types or DownloadType))
    return Registration(ServiceType.DOWNLOADER, name, "127.0.0.1", 8081, capabilities, priority)


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_a_bad_item_costs_the_good_ones_nothing(
    store: InMemoryStore, clock: FakeClock
) -> None:
    items = (
        _item(0, MAGNET),
        _item(1, "javascript:alert(1)"),
        _item(2, "https://example.com/a.torrent", save_path="/etc"),
        _item(3, "https://example.com/file.mkv", save_path="shows/A"),
        _item(4, "  "),
    )
    malformed = (ItemProblem(5, "download_url must be a string"),)
    report = FetcherReport("rss", items=items, malformed=malformed)
    result = await ingest_fetcher_results(report, store.links, clock)
    assert (result.items_received, result.links_created, result.duplicates) == (6, 2, 0)
    assert [problem.index for problem in result.problems] == [1, 2, 4, 5]
    assert "not a magnet, .torrent or http(s) link" in result.problems[0].reason
    assert result.invalid == 4
    kept = [link for link in store.state.links.values() if link.download_type is None]
    assert [link.url for link in kept] == ["javascript:alert(1)"], "unknown kinds are kept"


async def test_posting_the_same_items_again_creates_nothing(
    store: InMemoryStore, clock: FakeClock
) -> None:
    report = FetcherReport("rss", items=(_item(0, MAGNET), _item(1, "https://e.com/x")))
    first = await ingest_fetcher_results(report, store.links, clock)
    again = await ingest_fetcher_results(report, store.links, clock)
    assert (first.links_created, again.links_created, again.duplicates) == (2, 0, 2)
    assert len(store.state.downloads) == 2


async def test_a_magnet_with_other_trackers_is_a_duplicate_by_info_hash(
    store: InMemoryStore, clock: FakeClock
) -> None:
    upper = MAGNET.upper().replace("MAGNET:?XT=URN:BTIH:", "magnet:?xt=urn:btih:")
    report = FetcherReport("rss", items=(_item(0, MAGNET), _item(1, upper + "&tr=http://t/a")))
    result = await ingest_fetcher_results(report, store.links, clock)
    assert (result.links_created, result.duplicates) == (1, 1)


async def test_dispatch_places_by_priority_and_cascades_on_rejection(
    store: InMemoryStore, clock: FakeClock
) -> None:
    gateway = FakeGateway()
    gateway.add_service("picky").decide = rejecting("category not allowed")
    gateway.add_service("fallback")
    await register_service(
        _downloader("picky", priority=90), store.services, store.downloads, clock
    )
    await register_service(
        _downloader("fallback", priority=10), store.services, store.downloads, clock
    )
    await ingest_fetcher_results(
        FetcherReport("rss", items=(_item(0, MAGNET),)), store.links, clock
    )

    done = await Dispatcher(store.downloads, store.services, gateway, clock).drain()

    assert done == {S.DOWNLOADING: 1}
    assert [name for name, _ in gateway.calls] == ["picky", "fallback"]
    (view,) = (await store.downloads.find(DownloadFilter())).items
    assert (view.downloader, view.remote_id) == ("fallback", MAGNET[-40:])


async def test_parked_links_go_out_when_a_capable_downloader_registers(
    store: InMemoryStore, clock: FakeClock
) -> None:
    gateway = FakeGateway()
    gateway.add_service("qb")
    dispatcher = Dispatcher(store.downloads, store.services, gateway, clock)
    await ingest_fetcher_results(
        FetcherReport("rss", items=(_item(0, MAGNET),)), store.links, clock
    )
    assert await dispatcher.drain() == {S.NO_DOWNLOADER: 1}

    registered = await register_service(
        _downloader("qb", DownloadType.MAGNET), store.services, store.downloads, clock
    )

    assert registered.released == 1
    assert await dispatcher.drain() == {S.DOWNLOADING: 1}


async def test_an_unreachable_downloader_leaves_links_pending_until_its_backoff_ends(
    store: InMemoryStore, clock: FakeClock
) -> None:
    gateway = FakeGateway()
    gateway.add_service("qb").down = True
    dispatcher = Dispatcher(store.downloads, store.services, gateway, clock)
    await register_service(_downloader("qb"), store.services, store.downloads, clock)
    await ingest_fetcher_results(
        FetcherReport("rss", items=(_item(0, MAGNET),)), store.links, clock
    )

    assert await dispatcher.drain() == {S.PENDING: 1}
    assert await dispatcher.drain() == {}, "nothing is due during the back-off"
    gateway.services["qb"].down = False
    clock.advance(timedelta(minutes=1))
    assert await dispatcher.drain() == {S.DOWNLOADING: 1}
    (module,) = await store.services.modules()
    assert module.health.failures == 0
    assert module.health.last_error == "connection refused"


async def test_reregistering_keeps_the_operator_s_priority_and_enabled_flag(
    store: InMemoryStore, clock: FakeClock
) -> None:
    first = await register_service(_downloader("qb"), store.services, store.downloads, clock)
    patch = ServicePatch(priority=99, is_enabled=False)
    await update_service(first.module.module_id, patch, store.services, store.downloads, clock)
    again = await register_service(
        _downloader("qb", priority=10), store.services, store.downloads, clock
    )
    assert (again.created, again.module.priority, again.module.is_enabled) == (False, 99, False)


async def test_enabling_a_downloader_releases_parked_links(
    store: InMemoryStore, clock: FakeClock
) -> None:
    first = await register_service(_downloader("qb"), store.services, store.downloads, clock)
    off, on = ServicePatch(is_enabled=False), ServicePatch(is_enabled=True)
    await update_service(first.module.module_id, off, store.services, store.downloads, clock)
    await ingest_fetcher_results(
        FetcherReport("rss", items=(_item(0, MAGNET),)), store.links, clock
    )
    gateway = FakeGateway()
    gateway.add_service("qb")
    assert await Dispatcher(store.downloads, store.services, gateway, clock).drain() == {
        S.NO_DOWNLOADER: 1
    }
    _, released = await update_service(
        first.module.module_id, on, store.services, store.downloads, clock
    )
    assert released == 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        ("", None),
        ("shows/A", "shows/A"),
        ("./a//b/", "a/b"),
        ("Show: S1", "Show: S1"),
    ],
)
def test_save_paths_are_normalised_relative_paths(given: str | None, expected: str | None) -> None:
    assert check_save_path(given) == expected


@pytest.mark.parametrize("given", ["/etc", "../up", "a/../../b", "C:/x", "a\\b", "a\x00"])
def test_save_paths_that_could_escape_the_root_are_refused(given: str) -> None:
    with pytest.raises(InvalidInput):
        check_save_path(given)


async def test_a_download_cancelled_during_its_dispatch_is_taken_back_from_the_downloader(
    store: InMemoryStore, clock: FakeClock
) -> None:
    gateway = FakeGateway()
    service = gateway.add_service("qb")
    await register_service(_downloader("qb"), store.services, store.downloads, clock)
    result = await ingest_fetcher_results(
        FetcherReport("rss", items=(_item(0, MAGNET),)), store.links, clock
    )
    (download_id,) = result.download_ids
    accept = service.decide

    def accept_while_the_operator_cancels(item):  # type: ignore[no-untyped-def]
        store.state.downloads[download_id].status = S.CANCELLED  # the operator, meanwhile
        return accept(item)

    service.decide = accept_while_the_operator_cancels

    done = await Dispatcher(store.downloads, store.services, gateway, clock).run_round()

    assert done == {}, "nothing was placed in the end"
    assert (await store.downloads.get(download_id)).status is S.CANCELLED
    assert service.torrents == {}, "the downloader dropped the torrent again"
