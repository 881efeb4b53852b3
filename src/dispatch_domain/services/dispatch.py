"""Dispatch: claim due downloads, run the cascade over the downloaders, record every outcome."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta

import attrs

from dispatch_domain.cascade import (
    Cascade,
    Deferred,
    Downloader,
    LinkToPlace,
    NoCapableDownloader,
    Outcome,
    Placed,
    Refused,
)
from dispatch_domain.ports import Clock, DownloaderGateway, DownloadRepository, ServiceRepository
from dispatch_domain.status import DownloadEvent
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus


def transition_for(download_id: int, outcome: Outcome) -> Transition:
    """The status change an outcome of the cascade stands for."""
    match outcome:
        case Placed(module_id=module_id, remote_id=remote_id):
            return Transition(
                download_id, DownloadEvent.ACCEPTED, module_id=module_id, remote_id=remote_id
            )
        case Refused(reasons=reasons):
            return Transition(download_id, DownloadEvent.REJECTED, reason="; ".join(reasons))
        case Deferred(retry_at=retry_at, reasons=reasons):
            return Transition(
                download_id,
                DownloadEvent.UNREACHABLE,
                reason="; ".join(reasons),
                retry_at=retry_at,
            )
        case NoCapableDownloader():
            return Transition(
                download_id,
                DownloadEvent.NO_DOWNLOADER,
                reason="no enabled downloader takes this kind of link",
            )
    raise AssertionError(f"unknown outcome {outcome!r}")  # pragma: no cover


@attrs.define
class Dispatcher:
    """Runs dispatch rounds; equal-priority downloaders take turns from one round to the next."""

    downloads: DownloadRepository
    services: ServiceRepository
    gateway: DownloaderGateway
    clock: Clock
    batch_size: int = 50_000
    lease: timedelta = timedelta(minutes=5)
    _turn: int = 0

    async def run_round(self) -> Counter[DownloadStatus]:
        """Claim one batch of due downloads and dispatch it; how many ended in each status."""
        links = await self.downloads.claim_due(self.clock.now(), self.batch_size, self.lease)
        return await self.dispatch(links) if links else Counter()

    async def dispatch(self, links: Sequence[LinkToPlace]) -> Counter[DownloadStatus]:
        """Run the cascade for downloads this caller has claimed and record every outcome."""
        downloaders = await self.services.downloaders()
        outcomes = await self._cascade(links, downloaders)
        transitions = [transition_for(link_id, outcome) for link_id, outcome in outcomes.items()]
        applied = set(await self.downloads.apply(transitions, self.clock.now()))
        placed = {i: outcome for i, outcome in outcomes.items() if isinstance(outcome, Placed)}
        if placed.keys() & applied:
            await self.services.release_polls(
                {placed[i].module_id for i in placed.keys() & applied}
            )
        if placed.keys() - applied:
            await self._withdraw(sorted(placed.keys() - applied), placed, downloaders)
        return Counter(t.target for t in transitions if t.download_id in applied)

    async def drain(self) -> Counter[DownloadStatus]:
        """Rounds until nothing due is left (or the last round took less than a full batch)."""
        total: Counter[DownloadStatus] = Counter()
        while True:
            done = await self.run_round()
            total.update(done)
            if sum(done.values()) < self.batch_size:
                return total

    async def _cascade(
        self, links: Sequence[LinkToPlace], downloaders: list[Downloader]
    ) -> Mapping[int, Outcome]:
        cascade = Cascade.start(links, downloaders, now=self.clock.now(), turn=self._turn)
        self._turn += 1
        while cascade.request is not None:
            request = cascade.request
            answer = await self.gateway.submit(request.downloader, request.items)
            cascade = cascade.fold(answer)
        if cascade.health:
            await self.services.save_health(dict(cascade.health), self.clock.now())
        return cascade.outcomes()

    async def _withdraw(
        self, orphans: list[int], placed: Mapping[int, Placed], downloaders: list[Downloader]
    ) -> None:
        """Downloads cancelled while their dispatch was under way: the downloader that just
        took them is asked to drop them, so an operator's cancel reaches the client. (One
        another Core placed meanwhile is not touched: only cancelled ones are withdrawn, and
        only when no other active download holds the same remote id there.)"""
        by_module = {downloader.module_id: downloader for downloader in downloaders}
        cancelled = [
            placed[view.download_id]
            for view in await self.downloads.views(orphans)
            if view.status is DownloadStatus.CANCELLED
        ]
        pairs = {(outcome.module_id, outcome.remote_id) for outcome in cancelled}
        shared = await self.downloads.shared_remote_ids(pairs, orphans) if pairs else set()
        held: dict[int, set[str]] = defaultdict(set)
        for module_id, remote_id in pairs - shared:
            held[module_id].add(remote_id)
        for module_id, remote_ids in held.items():
            # An unreachable downloader keeps the download; Core shows it cancelled.
            await self.gateway.cancel(by_module[module_id], sorted(remote_ids))
