"""Polling: ask each downloader how its downloads are doing and make Core's statuses agree."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from dispatch_domain.answers import StatusReport, Unreachable
from dispatch_domain.cascade import Downloader, has_another_taker
from dispatch_domain.health import Health
from dispatch_domain.model import Tracked
from dispatch_domain.ports import Clock, DownloaderGateway, DownloadRepository, ServiceRepository
from dispatch_domain.stalls import StallRule, progress_mark
from dispatch_domain.status import REPORT_EVENTS, DownloadEvent
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus, RemoteState

GONE = "no longer in the downloader"
log = logging.getLogger(__name__)


def transitions_from_report(
    tracked: Sequence[Tracked],
    report: StatusReport,
    now: datetime | None = None,
    stalls: StallRule | None = None,
    name: str = "its downloader",
) -> list[Transition]:
    """What each followed download becomes, given what its downloader reported; one reported
    in a word Core does not know stays as it was. With a `stalls` rule, one that has made no
    progress for too long fails as stalled."""
    changes = []
    for download in tracked:
        if not report.understood(download.remote_id):
            continue
        status = report.status_for(download.remote_id)
        mark = progress_mark(download, status, now) if now is not None else None
        stalled = None
        if stalls is not None and now is not None:
            since = mark or download.progress_at or now
            stalled = stalls.verdict(download, status, since, now, name)
        event = DownloadEvent.STALLED if stalled else REPORT_EVENTS[status.state]
        changes.append(
            Transition(
                download.download_id,
                event,
                reason=stalled or _reason(status.state, status.reason),
                progress=1.0 if status.state is RemoteState.COMPLETED else status.progress,
                size=status.size or None,
                remote_state=status.state,
                content_path=status.content_path,
                progress_at=mark,
                **{field: getattr(status, field) for field in DETAILS},
            )
        )
    return changes


DETAILS = ("downloaded", "download_speed", "eta", "peers", "seeds", "client_state", "has_metadata")


def _reason(state: RemoteState, reported: str | None) -> str | None:
    if state is RemoteState.NOT_FOUND:
        return GONE
    if state is RemoteState.ERROR:
        return reported or "the downloader reports an error"
    return None


def transitions_when_unreachable(
    tracked: Sequence[Tracked], name: str, why: str
) -> list[Transition]:
    reason = f"{name} did not answer a status poll: {why}"
    return [
        Transition(d.download_id, DownloadEvent.POLL_UNREACHABLE, reason=reason) for d in tracked
    ]


@attrs.define
class Poller:
    """One poll cycle over every enabled downloader with downloads to follow.

    Downloaders are claimed for the cycle, so two Core processes never poll the same one
    twice in a cycle; one in back-off is left alone until its back-off ends.
    """

    downloads: DownloadRepository
    services: ServiceRepository
    gateway: DownloaderGateway
    clock: Clock
    claim_for: timedelta = timedelta(seconds=50)
    stalls: StallRule | None = None  # None: nothing stalls
    max_attempts: int = 3  # a link whose downloads stall gets at most this many attempts
    following: int = 0  # downloads the last cycle asked about; 0: every downloader is idle

    async def poll_cycle(self) -> Counter[DownloadStatus]:
        """Ask each claimed downloader about the downloads it has (one with none is not asked
        anything) and apply the answers."""
        self.following = 0
        now = self.clock.now()
        claimed = await self.services.claim_polls(now, now + self.claim_for)
        if not claimed:
            return Counter()
        # Downloads at a downloader in back-off count as followed: it is asked again as soon
        # as its back-off ends, not a whole idle interval later.
        followed = await self.downloads.tracked([d.module_id for d in claimed])
        self.following = len(followed)
        due = [d for d in claimed if not d.health.in_backoff(now)]
        asked = {d.module_id for d in due}
        tracked = [d for d in followed if d.module_id in asked]
        if not due:
            return Counter()
        by_module: dict[int, list[Tracked]] = defaultdict(list)
        for download in tracked:
            by_module[download.module_id].append(download)
        polled = await asyncio.gather(*(self._poll(d, by_module[d.module_id]) for d in due))
        transitions = [change for changes, _ in polled for change in changes]
        await self.services.save_health(
            {d.module_id: health for d, (_, health) in zip(due, polled, strict=True)},
            self.clock.now(),
        )
        applied = set(await self.downloads.apply(transitions, self.clock.now()))
        await self._take_back_stalled(due, tracked, transitions, applied)
        return Counter(change.target for change in transitions if change.download_id in applied)

    async def _take_back_stalled(
        self,
        due: Sequence[Downloader],
        tracked: Sequence[Tracked],
        transitions: Sequence[Transition],
        applied: set[int],
    ) -> None:
        """Stalled downloads this process failed (a concurrent cancel, or another Core, wins
        the row and so this step): removed from their clients, files kept, and tried again
        while attempts are left; the next attempt avoids the downloaders it stalled at."""
        stalled = {
            t.download_id
            for t in transitions
            if t.event is DownloadEvent.STALLED and t.download_id in applied
        }
        if not stalled:
            return
        chosen = [d for d in tracked if d.download_id in stalled]
        for downloader in due:
            mine = [d for d in chosen if d.module_id == downloader.module_id]
            if mine:
                await self._remove(downloader, mine)
        enabled = await self.services.downloaders()
        again = [
            d.download_id
            for d in chosen
            if d.attempt < self.max_attempts
            and d.download_type is not None
            and has_another_taker(d.download_type, d.stalled_at | {d.module_id}, enabled)
        ]
        if again:
            await self.downloads.retry(again, self.clock.now())

    async def _remove(self, downloader: Downloader, stalled: Sequence[Tracked]) -> None:
        """Remove stalled downloads from their client (files kept); one the client could not
        remove is logged by name, for the user to remove by hand: its attempt has failed."""
        ids = sorted({d.remote_id for d in stalled})
        answer = await self.gateway.cancel(downloader, ids)
        failed = (
            dict.fromkeys(ids, answer.reason) if isinstance(answer, Unreachable) else answer.failed
        )
        for download in stalled:
            if download.remote_id in failed:
                log.warning(
                    "stalled download %d (%s) could not be removed from %s: %s",
                    download.download_id,
                    download.remote_id,
                    downloader.name,
                    failed[download.remote_id],
                )

    async def _poll(
        self, downloader: Downloader, tracked: list[Tracked]
    ) -> tuple[list[Transition], Health]:
        if not tracked:
            return [], downloader.health
        remote_ids = sorted({d.remote_id for d in tracked})
        report = await self.gateway.statuses(downloader, remote_ids)
        now = self.clock.now()
        if isinstance(report, Unreachable):
            changes = transitions_when_unreachable(tracked, downloader.name, report.reason)
            return changes, downloader.health.down(now, report.reason)
        changes = transitions_from_report(tracked, report, now, self.stalls, downloader.name)
        return changes, downloader.health.up(now)
