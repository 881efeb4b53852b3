"""The rows an in-memory store keeps, mirroring the Postgres tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from dispatch_domain.delivery import Subscriber
from dispatch_domain.events import EventType
from dispatch_domain.health import Health
from dispatch_domain.model import DownloadView, FetcherReport, ServiceModule
from dispatch_domain.subscriptions import Subscription
from dispatch_domain.transition import ALWAYS_WRITTEN, KEPT_UNLESS_GIVEN
from dispatch_domain.vocabulary import DownloadStatus, DownloadType


@attrs.define
class LinkRow:
    link_id: int
    url: str
    title: str
    download_type: DownloadType | None
    info_hash: str | None
    save_path: str | None
    reason: str | None
    subscription_id: int | None = None  # the subscription that brought it, while it exists


def _learned() -> dict[str, Any]:
    """What a transition writes, by column, starting as DownloadView's defaults."""
    defaults = {field.name: field.default for field in attrs.fields(DownloadView)}
    return {name: defaults[name] for name in (*ALWAYS_WRITTEN, *KEPT_UNLESS_GIVEN)}


@attrs.define
class DownloadRow:
    """A download attempt. The columns a Transition writes are kept by name in `learned`, so a
    new one needs no change here."""

    download_id: int
    link_id: int
    attempt: int
    status: DownloadStatus
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime
    learned: dict[str, Any] = attrs.Factory(_learned)

    @property
    def module_id(self) -> int | None:
        module_id: int | None = self.learned["module_id"]
        return module_id

    @property
    def remote_id(self) -> str | None:
        remote_id: str | None = self.learned["remote_id"]
        return remote_id


@attrs.frozen
class EventRow:
    """A recorded event: what it is about, and what is known of it only at that moment."""

    event_id: int
    type: EventType
    occurred_at: datetime
    download_id: int | None = None
    module_id: int | None = None
    status: DownloadStatus | None = None
    reason: str | None = None
    subscription_id: int | None = None


@attrs.define
class InMemoryState:
    """Everything an in-memory store holds; the three repositories share one."""

    reports: list[FetcherReport] = attrs.Factory(list)
    links: dict[int, LinkRow] = attrs.Factory(dict)
    downloads: dict[int, DownloadRow] = attrs.Factory(dict)
    modules: dict[int, ServiceModule] = attrs.Factory(dict)
    poll_claims: dict[int, datetime] = attrs.Factory(dict)
    subscriptions: dict[int, Subscription] = attrs.Factory(dict)
    feed_claims: dict[int, datetime] = attrs.Factory(dict)
    events: list[EventRow] = attrs.Factory(list)
    subscribers: dict[int, Subscriber] = attrs.Factory(dict)
    delivery_claims: dict[int, datetime] = attrs.Factory(dict)
    next_id: int = 0
    next_event_id: int = 0

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def record(self, event_type: EventType, now: datetime, **about: Any) -> None:
        """Record an event, as the Postgres store does in the change's own statement."""
        self.next_event_id += 1
        self.events.append(EventRow(self.next_event_id, event_type, now, **about))

    def record_download(
        self, event_type: EventType | None, row: DownloadRow, now: datetime
    ) -> None:
        if event_type is not None:
            self.record(
                event_type,
                now,
                download_id=row.download_id,
                module_id=row.module_id,
                status=row.status,
                reason=row.learned["reason"],
            )

    def view(self, row: DownloadRow) -> DownloadView:
        link = self.links[row.link_id]
        module = self.modules.get(row.module_id) if row.module_id is not None else None
        assert link.download_type is not None
        return DownloadView(
            **row.learned,
            download_id=row.download_id,
            link_id=row.link_id,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            url=link.url,
            title=link.title,
            download_type=link.download_type,
            attempts=row.attempt,
            downloader=module.service_name if module else None,
            next_attempt_at=row.next_attempt_at if row.status is DownloadStatus.PENDING else None,
        )

    def preferred_for(self, link: LinkRow) -> str | None:
        """The preferred downloader of the subscription that brought the link, if any."""
        subscription = self.subscriptions.get(link.subscription_id or 0)
        return subscription.settings.preferred_downloader if subscription else None

    def health_of(self, module_id: int) -> Health:
        return self.modules[module_id].health
