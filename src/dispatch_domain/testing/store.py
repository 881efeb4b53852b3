"""In-memory repositories: the fakes every port's contract suite also runs against Postgres."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import attrs

from dispatch_domain.attempts import (
    SUPERSEDED_BY_RETRY,
    SUPERSEDED_REASON,
    Attempt,
    changes_nothing,
    makes_second_active,
    retryable,
)
from dispatch_domain.cascade import LinkToPlace
from dispatch_domain.errors import NotFound
from dispatch_domain.events import EventType, event_type_for
from dispatch_domain.model import (
    DownloadFilter,
    DownloadView,
    FetcherReport,
    NewLink,
    Page,
    StatusCounts,
    Stored,
    Tracked,
)
from dispatch_domain.status import ACTIVE, TRACKED, DownloadEvent, apply
from dispatch_domain.testing.events import InMemoryEventLog, InMemorySubscriberRepository
from dispatch_domain.testing.services import InMemoryServiceRepository
from dispatch_domain.testing.state import DownloadRow, InMemoryState, LinkRow
from dispatch_domain.testing.subscriptions import InMemorySubscriptionRepository
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus, DownloadType

S = DownloadStatus


@attrs.define
class InMemoryLinkRepository:
    state: InMemoryState

    async def store(
        self,
        report: FetcherReport,
        links: Sequence[NewLink],
        now: datetime,
        claimed_until: datetime | None = None,
    ) -> Stored:
        self.state.reports.append(report)
        known = report.subscription_id in self.state.subscriptions
        subscription_id = report.subscription_id if known else None
        created: list[LinkToPlace] = []
        duplicates = 0
        for new in links:
            if self._known(new):
                duplicates += new.download_type is not None
                continue
            link_id = self.state.new_id()
            self.state.links[link_id] = LinkRow(
                link_id,
                new.url,
                new.item.title,
                new.download_type,
                new.info_hash,
                new.save_path,
                new.reason,
                subscription_id,
            )
            if new.download_type is not None:
                download_id = self._add_attempt(link_id, 1, now, due=claimed_until or now)
                preferred = self.state.preferred_for(self.state.links[link_id])
                created.append(
                    LinkToPlace(download_id, new.url, new.download_type, new.save_path, preferred)
                )
        ids = tuple(link.download_id for link in created)
        return Stored(len(created), duplicates, ids, tuple(created))

    def _known(self, new: NewLink) -> bool:
        return any(
            link.url == new.url or (new.info_hash is not None and link.info_hash == new.info_hash)
            for link in self.state.links.values()
        )

    def _add_attempt(
        self, link_id: int, attempt: int, now: datetime, due: datetime | None = None
    ) -> int:
        download_id = self.state.new_id()
        self.state.downloads[download_id] = DownloadRow(
            download_id, link_id, attempt, S.PENDING, now, now, next_attempt_at=due or now
        )
        return download_id


@attrs.define
class InMemoryDownloadRepository:
    state: InMemoryState

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[LinkToPlace]:
        due = sorted(
            (
                r
                for r in self.state.downloads.values()
                if r.status is S.PENDING and r.next_attempt_at <= now
            ),
            key=lambda r: (r.next_attempt_at, r.download_id),
        )[:limit]
        claimed = []
        for row in due:
            row.next_attempt_at = now + lease
            link = self.state.links[row.link_id]
            assert link.download_type is not None
            preferred = self.state.preferred_for(link)
            claimed.append(
                LinkToPlace(
                    row.download_id,
                    link.url,
                    link.download_type,
                    link.save_path,
                    preferred,
                    excluded=self._stalled_at(row.link_id),
                )
            )
        return claimed

    def _stalled_at(self, link_id: int) -> frozenset[int]:
        attempts = {r.download_id for r in self.state.downloads.values() if r.link_id == link_id}
        return frozenset(
            e.module_id
            for e in self.state.events
            if e.type is EventType.DOWNLOAD_STALLED
            and e.download_id in attempts
            and e.module_id is not None
        )

    async def apply(self, transitions: Sequence[Transition], now: datetime) -> list[int]:
        applied: list[int] = []
        for change in transitions:
            row = self.state.downloads.get(change.download_id)
            if row is None or row.status not in change.sources or self._would_double(row, change):
                continue
            if changes_nothing(row.status, row.learned, change):
                continue
            _write(row, change, now)
            self.state.record_download(event_type_for(change.event), row, now)
            applied.append(row.download_id)
        return applied

    async def release_parked(self, types: Collection[DownloadType], now: datetime) -> int:
        released = 0
        for row in self.state.downloads.values():
            link = self.state.links[row.link_id]
            if row.status is S.NO_DOWNLOADER and link.download_type in types:
                _write(row, Transition(row.download_id, DownloadEvent.DOWNLOADER_AVAILABLE), now)
                released += 1
        return released

    async def count_by_status(self, download_ids: Collection[int]) -> StatusCounts:
        rows = (self.state.downloads.get(i) for i in set(download_ids))
        return Counter(row.status for row in rows if row is not None)

    async def status_totals(self) -> StatusCounts:
        return Counter(row.status for row in self.state.downloads.values())

    async def get(self, download_id: int) -> DownloadView:
        row = self.state.downloads.get(download_id)
        if row is None:
            raise NotFound("download", download_id)
        return self.state.view(row)

    async def find(self, query: DownloadFilter) -> Page:
        rows = [
            r
            for r in sorted(self.state.downloads.values(), key=lambda r: -r.download_id)
            if _matches(r, query)
        ]
        chosen = rows[query.offset : query.offset + query.limit]
        return Page(tuple(self.state.view(r) for r in chosen), len(rows), query.limit, query.offset)

    async def views(self, download_ids: Collection[int]) -> list[DownloadView]:
        rows = sorted(
            (self.state.downloads[i] for i in set(download_ids) if i in self.state.downloads),
            key=lambda r: r.download_id,
        )
        return [self.state.view(row) for row in rows]

    async def ids_with_status(self, statuses: Collection[DownloadStatus]) -> list[int]:
        return sorted(r.download_id for r in self.state.downloads.values() if r.status in statuses)

    async def retry(self, download_ids: Collection[int], now: datetime) -> dict[int, int]:
        retried: dict[int, int] = {}
        for download_id in sorted(set(download_ids)):
            row = self.state.downloads.get(download_id)
            if row is None or not self._retryable(row):
                continue
            if row.status in SUPERSEDED_BY_RETRY:
                row.status = apply(row.status, DownloadEvent.CANCEL)
                row.learned["reason"], row.updated_at = SUPERSEDED_REASON, now
                self.state.record_download(event_type_for(DownloadEvent.CANCEL), row, now)
            attempt = max(
                r.attempt for r in self.state.downloads.values() if r.link_id == row.link_id
            )
            retried[download_id] = InMemoryLinkRepository(self.state)._add_attempt(
                row.link_id, attempt + 1, now
            )
        return retried

    def _would_double(self, row: DownloadRow, change: Transition) -> bool:
        another_active = any(
            other.link_id == row.link_id and other is not row and other.status in ACTIVE
            for other in self.state.downloads.values()
        )
        return makes_second_active(row.status, change, another_active)

    def _retryable(self, row: DownloadRow) -> bool:
        siblings = [_attempt(r) for r in self.state.downloads.values() if r.link_id == row.link_id]
        return retryable(_attempt(row), siblings)

    async def tracked(self, module_ids: Collection[int]) -> list[Tracked]:
        followed = []
        for row in sorted(self.state.downloads.values(), key=lambda r: r.download_id):
            at = row.module_id
            if row.status in TRACKED and at is not None and at in module_ids and row.remote_id:
                followed.append(
                    Tracked(
                        row.download_id,
                        at,
                        row.remote_id,
                        row.status,
                        progress=row.learned["progress"],
                        downloaded=row.learned["downloaded"],
                        progress_at=row.learned["progress_at"],
                        link_id=row.link_id,
                        attempt=row.attempt,
                        download_type=self.state.links[row.link_id].download_type,
                        stalled_at=self._stalled_at(row.link_id),
                    )
                )
        return followed

    async def shared_remote_ids(
        self, held: Collection[tuple[int, str]], excluding: Collection[int]
    ) -> set[tuple[int, str]]:
        wanted, skipped = set(held), set(excluding)
        return {
            (row.module_id, row.remote_id)
            for row in self.state.downloads.values()
            if row.status in ACTIVE
            and row.download_id not in skipped
            and row.module_id is not None
            and row.remote_id is not None
            and (row.module_id, row.remote_id) in wanted
        }


def _attempt(row: DownloadRow) -> Attempt:
    return Attempt(row.download_id, row.link_id, row.attempt, row.status)


def _write(row: DownloadRow, change: Transition, now: datetime) -> None:
    row.status = change.target
    row.updated_at = now
    if change.target is S.PENDING:
        row.next_attempt_at = change.retry_at or now
    row.learned.update(change.written())


def _matches(row: DownloadRow, query: DownloadFilter) -> bool:
    return (
        (query.status is None or row.status is query.status)
        and (query.module_id is None or row.module_id == query.module_id)
        and (query.link_id is None or row.link_id == query.link_id)
    )


@attrs.define
class InMemoryStore:
    """The repositories over one shared state, as the Postgres store offers them."""

    state: InMemoryState = attrs.Factory(InMemoryState)
    links: InMemoryLinkRepository = attrs.field(init=False)
    downloads: InMemoryDownloadRepository = attrs.field(init=False)
    services: InMemoryServiceRepository = attrs.field(init=False)
    subscriptions: InMemorySubscriptionRepository = attrs.field(init=False)
    events: InMemoryEventLog = attrs.field(init=False)
    subscribers: InMemorySubscriberRepository = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.subscriptions = InMemorySubscriptionRepository(self.state)
        self.events = InMemoryEventLog(self.state)
        self.subscribers = InMemorySubscriberRepository(self.state)
        self.links = InMemoryLinkRepository(self.state)
        self.downloads = InMemoryDownloadRepository(self.state)
        self.services = InMemoryServiceRepository(self.state)
