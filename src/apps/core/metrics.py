"""Core's Prometheus metrics: the loops' rounds, links dispatched per downloader, events
delivered to webhooks and notifications, feed fetches, and gauges read from the store when
scraped (downloads by status, downloader health)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import attrs
from prometheus_client import Counter, Gauge, Histogram

from apps.metrics import new_registry
from dispatch_domain.answers import (
    Accepted,
    AddRequest,
    BatchRefused,
    CancelReport,
    StatusReport,
    SubmitAnswer,
    Unreachable,
)
from dispatch_domain.cascade import Downloader
from dispatch_domain.delivery import Delivered, Outcome, Subscriber, SubscriberKind
from dispatch_domain.events import Event
from dispatch_domain.feeds import FeedFailed, FeedRead, FeedUnchanged, Validators
from dispatch_domain.health import BACKOFF_STEPS
from dispatch_domain.ports import (
    Clock,
    DownloaderGateway,
    DownloadRepository,
    EventSender,
    FeedReader,
    ServiceRepository,
)
from dispatch_domain.vocabulary import DownloadStatus, ServiceType

ROUND_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
FETCH_OUTCOMES = ("new", "unchanged", "failed")


class CoreMetrics:
    """Core's metrics, in a registry of their own (one per app, never the global one)."""

    def __init__(self) -> None:
        self.registry = registry = new_registry()
        self.downloads = Gauge(
            "bangumi_dispatch_downloads", "Downloads by status, read from the store at scrape time",
            ["status"], registry=registry,
        )  # fmt: skip
        self.rounds = Counter(
            "bangumi_dispatch_rounds", "Dispatch rounds run, by outcome (ok, error)",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.round_seconds = Histogram(
            "bangumi_dispatch_round_duration_seconds", "How long a dispatch round took",
            buckets=ROUND_BUCKETS, registry=registry,
        )  # fmt: skip
        self.links = Counter(
            "bangumi_dispatch_links_dispatched",
            "Links offered to a downloader, by its name and the answer "
            "(accepted, rejected, unreachable, batch_refused: sent again in halves)",
            ["downloader", "outcome"], registry=registry,
        )  # fmt: skip
        self.polls = Counter(
            "bangumi_dispatch_poll_cycles", "Poll cycles run, by outcome (ok, error)",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.poll_seconds = Histogram(
            "bangumi_dispatch_poll_cycle_duration_seconds", "How long a poll cycle took",
            buckets=ROUND_BUCKETS, registry=registry,
        )  # fmt: skip
        self.downloader_up = Gauge(
            "bangumi_dispatch_downloader_up",
            "1 while an enabled downloader is not backed off, 0 while it is",
            ["downloader"], registry=registry,
        )  # fmt: skip
        self.backoff_level = Gauge(
            "bangumi_dispatch_downloader_backoff_level",
            f"Outages in a row (0: healthy; {len(BACKOFF_STEPS)}: the longest back-off)",
            ["downloader"], registry=registry,
        )  # fmt: skip
        self.deliveries = Counter(
            "bangumi_dispatch_deliveries",
            "Events sent to a webhook or a notification target, by its kind and the outcome",
            ["kind", "outcome"], registry=registry,
        )  # fmt: skip
        self.delivery_rounds = Counter(
            "bangumi_dispatch_delivery_rounds", "Delivery rounds run, by outcome (ok, error)",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.feed_fetches = Counter(
            "bangumi_dispatch_feed_fetches",
            "Subscription feeds fetched, by outcome (new: a feed was read; unchanged: 304; "
            "failed: an HTTP error, a timeout, or a body that is not a feed)",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.feed_fetch_seconds = Histogram(
            "bangumi_dispatch_feed_fetch_duration_seconds",
            "How long fetching and parsing a subscription's feed took",
            buckets=ROUND_BUCKETS, registry=registry,
        )  # fmt: skip
        for status in DownloadStatus:
            self.downloads.labels(status.value)
        for outcome in ("ok", "error"):
            self.rounds.labels(outcome)
            self.polls.labels(outcome)
            self.delivery_rounds.labels(outcome)
        for kind in SubscriberKind:
            for sent in ("delivered", "failed"):
                self.deliveries.labels(kind.value, sent)
        for fetched in FETCH_OUTCOMES:
            self.feed_fetches.labels(fetched)

    def dispatch_round(self, seconds: float, failed: bool) -> None:
        self.rounds.labels("error" if failed else "ok").inc()
        self.round_seconds.observe(seconds)

    def poll_cycle(self, seconds: float, failed: bool) -> None:
        self.polls.labels("error" if failed else "ok").inc()
        self.poll_seconds.observe(seconds)

    def delivery_round(self, seconds: float, failed: bool) -> None:
        self.delivery_rounds.labels("error" if failed else "ok").inc()

    def sent(self, kind: SubscriberKind, outcome: Outcome) -> None:
        sent = "delivered" if isinstance(outcome, Delivered) else "failed"
        self.deliveries.labels(kind.value, sent).inc()

    def fetched(self, read: FeedRead, seconds: float) -> None:
        match read:
            case FeedFailed():
                outcome = "failed"
            case FeedUnchanged():
                outcome = "unchanged"
            case _:
                outcome = "new"
        self.feed_fetches.labels(outcome).inc()
        self.feed_fetch_seconds.observe(seconds)

    def answered(self, downloader: str, items: Sequence[AddRequest], answer: SubmitAnswer) -> None:
        if isinstance(answer, Unreachable):
            self.links.labels(downloader, "unreachable").inc(len(items))
            return
        if isinstance(answer, BatchRefused):  # the batch goes out again in halves
            self.links.labels(downloader, "batch_refused").inc(len(items))
            return
        accepted = sum(isinstance(answer.result_for(i.url), Accepted) for i in items)
        self.links.labels(downloader, "accepted").inc(accepted)
        self.links.labels(downloader, "rejected").inc(len(items) - accepted)

    async def refresh(
        self, downloads: DownloadRepository, services: ServiceRepository, clock: Clock
    ) -> None:
        """Read the gauges from the store: one statement for the statuses, one for health."""
        totals = await downloads.status_totals()
        for status in DownloadStatus:
            self.downloads.labels(status.value).set(totals.get(status, 0))
        modules = await services.modules(ServiceType.DOWNLOADER)
        now = clock.now()
        self.downloader_up.clear()  # a downloader gone from the registry leaves no series
        self.backoff_level.clear()
        for module in modules:
            if not module.is_enabled:
                continue
            health = module.health
            self.downloader_up.labels(module.service_name).set(0 if health.in_backoff(now) else 1)
            level = min(health.failures, len(BACKOFF_STEPS))
            self.backoff_level.labels(module.service_name).set(level)


@attrs.frozen
class MeteredGateway:
    """The downloader gateway, counting each link offered by downloader and answer."""

    inner: DownloaderGateway
    metrics: CoreMetrics

    async def submit(self, downloader: Downloader, items: Sequence[AddRequest]) -> SubmitAnswer:
        answer = await self.inner.submit(downloader, items)
        self.metrics.answered(downloader.name, items, answer)
        return answer

    async def statuses(
        self, downloader: Downloader, hashes: Sequence[str]
    ) -> StatusReport | Unreachable:
        return await self.inner.statuses(downloader, hashes)

    async def cancel(
        self, downloader: Downloader, hashes: Sequence[str]
    ) -> CancelReport | Unreachable:
        return await self.inner.cancel(downloader, hashes)

    async def pause(self, downloader: Downloader, torrent_hash: str) -> bool | Unreachable:
        return await self.inner.pause(downloader, torrent_hash)

    async def resume(self, downloader: Downloader, torrent_hash: str) -> bool | Unreachable:
        return await self.inner.resume(downloader, torrent_hash)


@attrs.frozen
class MeteredSender:
    """The event sender, counting each delivery by the subscriber's kind and its outcome."""

    inner: EventSender
    metrics: CoreMetrics

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome:
        outcome = await self.inner.send(subscriber, event)
        self.metrics.sent(subscriber.kind, outcome)
        return outcome


@attrs.frozen
class MeteredFeedReader:
    """The feed reader, counting each fetch by outcome and timing it (the loop's fetches and
    POST /subscriptions/{id}/refresh alike)."""

    inner: FeedReader
    metrics: CoreMetrics

    async def read(self, feed_url: str, validators: Validators) -> FeedRead:
        started = time.perf_counter()
        try:
            read = await self.inner.read(feed_url, validators)
        except Exception as error:  # a reader should not raise; if it does, it still counts
            self.metrics.fetched(FeedFailed(type(error).__name__), time.perf_counter() - started)
            raise
        self.metrics.fetched(read, time.perf_counter() - started)
        return read
