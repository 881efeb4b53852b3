"""Ports: what the domain needs from the outside world, named by role, speaking domain types."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from dispatch_domain.answers import (
    AddRequest,
    CancelReport,
    StatusReport,
    SubmitAnswer,
    Unreachable,
)
from dispatch_domain.cascade import Downloader, LinkToPlace
from dispatch_domain.delivery import (
    Claim,
    NewSubscriber,
    Outcome,
    Settlement,
    Subscriber,
    SubscriberKind,
)
from dispatch_domain.events import Event
from dispatch_domain.feeds import FeedRead, Validators
from dispatch_domain.health import Health
from dispatch_domain.model import (
    DownloadFilter,
    DownloadView,
    FetcherReport,
    NewLink,
    Page,
    Registered,
    Registration,
    ServiceModule,
    ServicePatch,
    StatusCounts,
    Stored,
    Tracked,
)
from dispatch_domain.subscriptions import (
    FetchRecord,
    Subscription,
    SubscriptionSettings,
    TitleSelection,
)
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, ServiceType


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime: ...


@runtime_checkable
class LinkRepository(Protocol):
    """Stores fetcher posts. Each call is one transaction costing a fixed number of statements."""

    async def store(
        self,
        report: FetcherReport,
        links: Sequence[NewLink],
        now: datetime,
        claimed_until: datetime | None = None,
    ) -> Stored:
        """Record the post, add links not yet known (by URL, or by info-hash for magnets),
        and a pending download for each new link that has a type: due now, or, when the
        caller claims them to dispatch at once, due at `claimed_until` (so a crash leaves
        them to the sweep). Links with no type are kept with their reason; `links_created`
        and `duplicates` count typed links; `placeable` holds the new downloads in post order."""
        ...


@runtime_checkable
class DownloadRepository(Protocol):
    """Download attempts. Bulk methods cost a fixed number of statements whatever the count."""

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[LinkToPlace]:
        """Pending downloads due by `now`, pushed `lease` into the future so no one else takes
        them (a crash leaves them due again when the lease ends)."""
        ...

    async def apply(self, transitions: Sequence[Transition], now: datetime) -> list[int]:
        """Apply each transition whose download is still in one of its source statuses; the
        ids of the downloads changed. A download that moved meanwhile (a cancel) is left alone,
        and so is one the change would make a second active attempt of its link. A change that
        would leave a download as it is writes nothing and is not in the answer."""
        ...

    async def release_parked(self, types: Collection[DownloadType], now: datetime) -> int:
        """no_downloader downloads of `types` become pending and due now; the count released."""
        ...

    async def count_by_status(self, download_ids: Collection[int]) -> StatusCounts: ...

    async def status_totals(self) -> StatusCounts:
        """How many downloads are in each status, all of them, in one statement."""
        ...

    async def get(self, download_id: int) -> DownloadView:
        """Raises NotFound."""
        ...

    async def find(self, query: DownloadFilter) -> Page: ...

    async def views(self, download_ids: Collection[int]) -> list[DownloadView]:
        """The downloads among `download_ids` that exist, in id order."""
        ...

    async def ids_with_status(self, statuses: Collection[DownloadStatus]) -> list[int]: ...

    async def retry(self, download_ids: Collection[int], now: datetime) -> dict[int, int]:
        """A new pending attempt for each retryable download whose link has no other active
        attempt; an old attempt still open (no_downloader, downloader_error) is cancelled as
        superseded. Maps old download id to the new one; ids it could not retry are absent."""
        ...

    async def tracked(self, module_ids: Collection[int]) -> list[Tracked]:
        """Downloads at these downloaders the poller follows: downloading, downloader_error."""
        ...

    async def shared_remote_ids(
        self, held: Collection[tuple[int, str]], excluding: Collection[int]
    ) -> set[tuple[int, str]]:
        """Of the (module_id, remote_id) pairs in `held`, those an active download not among
        `excluding` holds too (a .torrent URL and a magnet of one torrent at one downloader):
        that downloader must keep them. One statement whatever the count."""
        ...


@runtime_checkable
class ServiceRepository(Protocol):
    async def register(self, registration: Registration, now: datetime) -> Registered:
        """Upsert by name and replace capabilities in one transaction, keeping the operator's
        priority and enabled flag of a known service."""
        ...

    async def downloaders(self) -> list[Downloader]:
        """Enabled downloaders with their capabilities and health."""
        ...

    async def save_health(self, health: dict[int, Health], now: datetime) -> None:
        """Save each downloader's health; a downloader going down or coming back up records
        downloader.down / downloader.up at `now`."""
        ...

    async def modules(self, service_type: ServiceType | None = None) -> list[ServiceModule]: ...

    async def get(self, module_id: int) -> ServiceModule:
        """Raises NotFound."""
        ...

    async def update(self, module_id: int, patch: ServicePatch, now: datetime) -> ServiceModule:
        """Raises NotFound."""
        ...

    async def delete(self, module_id: int) -> None:
        """Forget a service. Raises NotFound, and Conflict while any of its downloads is
        active (pending, downloading, downloader_error): those would be lost from view. Its
        finished downloads stay, without a downloader."""
        ...

    async def claim_polls(self, now: datetime, until: datetime) -> list[Downloader]:
        """Enabled downloaders with downloads to follow whose poll claim has ended by `now`,
        claimed until `until`, so two Core processes never poll one downloader in one cycle."""
        ...

    async def release_polls(self, module_ids: Collection[int]) -> None:
        """End these downloaders' poll claims: they just took new work worth a prompt poll."""
        ...


@runtime_checkable
class DownloaderGateway(Protocol):
    """Talks to downloader services; outages are Unreachable values, not exceptions.

    A download is known at its downloader by its `remote_id` (the info-hash for BitTorrent,
    the downloader's own id otherwise), whatever its type."""

    async def submit(self, downloader: Downloader, items: Sequence[AddRequest]) -> SubmitAnswer:
        """Answered per link; Unreachable when the downloader itself failed (no answer, a
        timeout, 401/403, 502/503/504); BatchRefused when it refused the batch as a whole in
        a way one link may cause (400, 413, 422, a 500 with an answer)."""
        ...

    async def statuses(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> StatusReport | Unreachable: ...

    async def cancel(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> CancelReport | Unreachable: ...

    async def pause(self, downloader: Downloader, remote_id: str) -> bool | Unreachable: ...

    async def resume(self, downloader: Downloader, remote_id: str) -> bool | Unreachable: ...


@runtime_checkable
class SubscriptionRepository(Protocol):
    """Subscriptions and their fetch state; a claim keeps two Cores off the same feed."""

    async def add(self, settings: SubscriptionSettings, now: datetime) -> Subscription:
        """A new subscription, due now. Raises Conflict if the name is taken."""
        ...

    async def get(self, subscription_id: int) -> Subscription:
        """Raises NotFound."""
        ...

    async def all(self) -> list[Subscription]:
        """Every subscription, in id order."""
        ...

    async def update(
        self, subscription_id: int, settings: SubscriptionSettings, now: datetime
    ) -> Subscription:
        """Replace the settings; a new feed_url forgets the validators and is due now. Raises
        NotFound, or Conflict if the new name is taken."""
        ...

    async def delete(self, subscription_id: int) -> None:
        """Raises NotFound. The links and downloads it brought stay."""
        ...

    async def claim_due(self, now: datetime, until: datetime, limit: int) -> list[Subscription]:
        """Enabled subscriptions due by `now` and not claimed, claimed until `until`."""
        ...

    async def claim(
        self, subscription_id: int, now: datetime, until: datetime
    ) -> Subscription | None:
        """This subscription claimed until `until` (enabled or not), or None if another fetch
        holds it. Raises NotFound."""
        ...

    async def record(self, subscription_id: int, record: FetchRecord) -> None:
        """Add a fetch's outcome to the subscription's state and end its claim."""
        ...


@runtime_checkable
class EventLog(Protocol):
    """The events recorded with each status or health change, in the change's transaction."""

    async def after(self, event_id: int, limit: int) -> list[Event]:
        """Up to `limit` events after `event_id`, oldest first. An event is listed only once
        no event with a smaller id can still appear, so a reader's cursor never skips one."""
        ...

    async def latest_id(self) -> int:
        """The id of the newest event (0 when there is none)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Delete the events that occurred before `before`; how many."""
        ...


@runtime_checkable
class SubscriberRepository(Protocol):
    """Webhooks and notification targets, and where each one's deliveries stand."""

    async def add(self, new: NewSubscriber, now: datetime) -> Subscriber:
        """A subscriber that receives the events recorded from now on."""
        ...

    async def of_kind(self, kind: SubscriberKind) -> list[Subscriber]: ...

    async def remove(self, kind: SubscriberKind, subscriber_id: int) -> None:
        """Raises NotFound."""
        ...

    async def claim(self, now: datetime, until: datetime, batch: int) -> list[Claim]:
        """Subscribers due now with events waiting, claimed until `until` (two Cores never
        deliver to one subscriber at once), each with its next `batch` wanted events."""
        ...

    async def settle(self, settlements: Sequence[Settlement]) -> None:
        """Save each subscriber's state and end its claim."""
        ...


@runtime_checkable
class FeedReader(Protocol):
    """Reads a feed; every failure is a FeedFailed value, never an exception."""

    async def read(self, feed_url: str, validators: Validators) -> FeedRead: ...


@runtime_checkable
class TitlePatterns(Protocol):
    """Case-insensitive regular expressions on titles, bounded so no pattern can hang Core."""

    def check(self, pattern: str) -> None:
        """Raises InvalidInput if `pattern` is not a valid expression."""
        ...

    def select(
        self, titles: Sequence[str], include: str | None, exclude: str | None
    ) -> TitleSelection:
        """Titles matching `include` (all if None) and not `exclude`."""
        ...


@runtime_checkable
class EventSender(Protocol):
    """Delivers one event to one subscriber; failures are NotDelivered values."""

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome: ...
