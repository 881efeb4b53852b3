"""The dispatcher drives the split of a refused batch: on the fakes, one poison link fails
alone in the round that places every other link, and its downloader stays in good health."""

from __future__ import annotations

from collections import Counter

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
from dispatch_domain.testing import FakeClock, FakeGateway, InMemoryStore

S = DownloadStatus


async def test_a_poison_link_fails_alone_and_the_downloader_is_not_backed_off() -> None:
    store, clock, gateway = InMemoryStore(), FakeClock(), FakeGateway()
    qb = gateway.add_service("qb")
    poison = "https://example.com/poison.torrent"
    qb.poison[poison] = "HTTP 500: cannot add it"
    capabilities = Capabilities(frozenset({DownloadType.MAGNET, DownloadType.TORRENT}))
    registration = Registration(ServiceType.DOWNLOADER, "qb", "127.0.0.1", 1, capabilities)
    await register_service(registration, store.services, store.downloads, clock)
    urls = [f"magnet:?xt=urn:btih:{n:040x}" for n in range(1, 21)]
    urls.insert(7, poison)
    items = tuple(FetchedItem(i, f"t{i}", url) for i, url in enumerate(urls))
    stored = await ingest_fetcher_results(FetcherReport("rss", items=items), store.links, clock)

    dispatched = await Dispatcher(store.downloads, store.services, gateway, clock).run_round()

    assert dispatched == Counter({S.DOWNLOADING: 20, S.FAILED: 1})
    views = {v.download_id: v for v in await store.downloads.views(stored.download_ids)}
    failed = [v for v in views.values() if v.status is S.FAILED]
    assert [(v.url, v.reason) for v in failed] == [(poison, "qb: HTTP 500: cannot add it")]
    (downloader,) = await store.services.downloaders()
    assert (downloader.health.failures, downloader.health.backoff_until) == (0, None)
    assert len(gateway.calls) <= 1 + 2 * 5  # 1 + 2·k·⌈log2 21⌉ for k = 1
