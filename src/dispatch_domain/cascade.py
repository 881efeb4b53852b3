"""The cascade policy: who gets which link, folded one downloader answer at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import groupby

import attrs

from dispatch_domain.answers import NO_ID, Accepted, AddRequest, Answered, Unreachable
from dispatch_domain.health import Health
from dispatch_domain.vocabulary import DownloadType


@attrs.frozen
class Downloader:
    """A registered downloader service as the cascade sees it."""

    module_id: int
    name: str
    base_url: str
    download_types: frozenset[DownloadType]
    priority: int = 50
    health: Health = attrs.field(factory=Health)


@attrs.frozen
class LinkToPlace:
    """One pending download attempt to hand to a downloader."""

    download_id: int
    url: str
    download_type: DownloadType
    save_path: str | None = None


@attrs.frozen
class Placed:
    """Accepted by `module_id`, which follows it by `remote_id`."""

    module_id: int
    remote_id: str


@attrs.frozen
class Refused:
    """Every downloader that answered refused it (reasons name the downloader)."""

    reasons: tuple[str, ...]


@attrs.frozen
class Deferred:
    """Only unreachable or backed-off downloaders could take it: try again at `retry_at`."""

    retry_at: datetime
    reasons: tuple[str, ...]


@attrs.frozen
class NoCapableDownloader:
    pass


Outcome = Placed | Refused | Deferred | NoCapableDownloader


@attrs.frozen
class Request:
    """One batch for one downloader: every unplaced link it can take, URLs deduplicated."""

    downloader: Downloader
    items: tuple[AddRequest, ...]


def priority_order(downloaders: Iterable[Downloader], turn: int) -> tuple[Downloader, ...]:
    """Priority descending; equal priorities by module id, rotated by `turn` to share the load."""
    ranked = sorted(downloaders, key=lambda d: (-d.priority, d.module_id))
    ordered: list[Downloader] = []
    for _, group in groupby(ranked, key=lambda d: d.priority):
        members = list(group)
        shift = turn % len(members)
        ordered.extend(members[shift:] + members[:shift])
    return tuple(ordered)


@attrs.frozen
class Cascade:
    """The state of one dispatch round; `request` is the next batch to send, None when done."""

    links: tuple[LinkToPlace, ...]
    order: tuple[Downloader, ...]
    now: datetime
    position: int = 0
    placed: Mapping[int, Placed] = attrs.field(factory=dict)
    reasons: Mapping[int, tuple[str, ...]] = attrs.field(factory=dict)
    refused: frozenset[int] = frozenset()
    health: Mapping[int, Health] = attrs.field(factory=dict)
    request: Request | None = None

    @classmethod
    def start(
        cls,
        links: Sequence[LinkToPlace],
        downloaders: Iterable[Downloader],
        *,
        now: datetime,
        turn: int = 0,
    ) -> Cascade:
        return cls(tuple(links), priority_order(downloaders, turn), now)._advance()

    def fold(self, answer: Answered | Unreachable) -> Cascade:
        """Take the current request's answer and move to the next downloader."""
        assert self.request is not None, "fold() after the cascade finished"
        target = self.request.downloader
        if isinstance(answer, Unreachable):
            folded = self._fold_unreachable(target, answer)
        else:
            folded = self._fold_answered(target, answer)
        return attrs.evolve(folded, position=self.position + 1)._advance()

    def outcomes(self) -> dict[int, Outcome]:
        """Every link's final outcome; call once `request` is None."""
        return {link.download_id: self._outcome_of(link) for link in self.links}

    def _unplaced_for(self, downloader: Downloader) -> list[LinkToPlace]:
        return [
            link
            for link in self.links
            if link.download_id not in self.placed
            and link.download_type in downloader.download_types
        ]

    def _advance(self) -> Cascade:
        """Skip downloaders in back-off or with nothing to take; stop at the next worth asking."""
        for index in range(self.position, len(self.order)):
            downloader = self.order[index]
            if downloader.health.in_backoff(self.now):
                continue
            links = self._unplaced_for(downloader)
            if links:
                unique = {link.url: AddRequest(link.url, link.save_path) for link in links}
                request = Request(downloader, tuple(unique.values()))
                return attrs.evolve(self, position=index, request=request)
        return attrs.evolve(self, position=len(self.order), request=None)

    def _fold_unreachable(self, target: Downloader, answer: Unreachable) -> Cascade:
        reasons = dict(self.reasons)
        for link in self._unplaced_for(target):
            reasons[link.download_id] = (
                *reasons.get(link.download_id, ()),
                f"{target.name}: unreachable: {answer.reason}",
            )
        health = {**self.health, target.module_id: target.health.down(self.now, answer.reason)}
        return attrs.evolve(self, reasons=reasons, health=health)

    def _fold_answered(self, target: Downloader, answer: Answered) -> Cascade:
        placed, reasons, refused = dict(self.placed), dict(self.reasons), set(self.refused)
        for link in self._unplaced_for(target):
            result = answer.result_for(link.url)
            if isinstance(result, Accepted) and result.remote_id:
                placed[link.download_id] = Placed(target.module_id, result.remote_id)
            else:  # an acceptance without an id would be a download nobody can follow
                refused.add(link.download_id)
                reasons[link.download_id] = (
                    *reasons.get(link.download_id, ()),
                    f"{target.name}: {NO_ID if isinstance(result, Accepted) else result.reason}",
                )
        health = {**self.health, target.module_id: target.health.up(self.now)}
        return attrs.evolve(
            self, placed=placed, reasons=reasons, refused=frozenset(refused), health=health
        )

    def _outcome_of(self, link: LinkToPlace) -> Outcome:
        if link.download_id in self.placed:
            return self.placed[link.download_id]
        reasons = self.reasons.get(link.download_id, ())
        if link.download_id in self.refused:
            return Refused(reasons)
        capable = [d for d in self.order if link.download_type in d.download_types]
        if not capable:
            return NoCapableDownloader()
        retry_at = min(self._health_of(d).backoff_until or self.now for d in capable)
        waiting = tuple(
            f"{d.name}: in back-off until {d.health.backoff_until:%Y-%m-%d %H:%M:%S}"
            for d in capable
            if d.module_id not in self.health and d.health.in_backoff(self.now)
        )
        return Deferred(retry_at, reasons + waiting)

    def _health_of(self, downloader: Downloader) -> Health:
        return self.health.get(downloader.module_id, downloader.health)
