"""The cascade policy: who gets which link, folded one downloader answer at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import groupby

import attrs

from dispatch_domain.answers import (
    NO_ID,
    Accepted,
    AddRequest,
    Answered,
    Rejected,
    SubmitAnswer,
    Unreachable,
)
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
    preferred: str | None = None  # a downloader's name to offer it to first (a subscription's)
    excluded: frozenset[int] = frozenset()  # module ids never offered it (it stalled there)


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


def has_another_taker(
    download_type: DownloadType, excluded: Iterable[int], downloaders: Iterable[Downloader]
) -> bool:
    """Whether a downloader outside `excluded` (where the link stalled) can take its type: only
    then is a stalled link worth another attempt."""
    avoided = frozenset(excluded)
    return any(
        download_type in d.download_types and d.module_id not in avoided for d in downloaders
    )


# Poison links one downloader's refused batches are split for in one round; past that many,
# a downloader refusing every piece is failing itself, not its links.
MAX_POISON = 16


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


def preferred_first(
    links: Iterable[LinkToPlace], order: Sequence[Downloader]
) -> tuple[Downloader, ...]:
    """The downloaders some link prefers and that can take it, in `order`: each is offered the
    links preferring it before the usual order runs (a disabled or unknown name is not in it)."""
    wanted = {(link.preferred, link.download_type) for link in links if link.preferred}
    return tuple(d for d in order if any(n == d.name and t in d.download_types for n, t in wanted))


def _offered(prefers_it: bool, preferred_step: bool, offered_first: bool) -> bool:
    if preferred_step:
        return prefers_it
    return not (prefers_it and offered_first)


@attrs.frozen
class Cascade:
    """The state of one dispatch round; `request` is the next batch to send, None when done.

    Steps are `first` (each preferred downloader, offered only the links preferring it) then
    `order` (everyone by priority, offered every unplaced link it can take, except the links
    it was already offered as their preferred downloader).

    A batch the downloader refuses as a whole (`BatchRefused`) is split in halves sent to the
    same downloader in turn (`pieces`), so a poison link costs the others nothing: k poison
    links among n cost at most 1 + 2·k·⌈log2 n⌉ requests, and alone a poison link is refused
    with the downloader's own words.
    """

    links: tuple[LinkToPlace, ...]
    order: tuple[Downloader, ...]
    now: datetime
    first: tuple[Downloader, ...] = ()
    position: int = 0
    placed: Mapping[int, Placed] = attrs.field(factory=dict)
    reasons: Mapping[int, tuple[str, ...]] = attrs.field(factory=dict)
    refused: frozenset[int] = frozenset()
    health: Mapping[int, Health] = attrs.field(factory=dict)
    request: Request | None = None
    pieces: tuple[tuple[AddRequest, ...], ...] = ()
    splits_left: int = 0

    @classmethod
    def start(
        cls,
        links: Sequence[LinkToPlace],
        downloaders: Iterable[Downloader],
        *,
        now: datetime,
        turn: int = 0,
    ) -> Cascade:
        order = priority_order(downloaders, turn)
        return cls(tuple(links), order, now, preferred_first(links, order))._advance()

    def fold(self, answer: SubmitAnswer) -> Cascade:
        """Take the current request's answer: send the next piece of a split batch to the same
        downloader, or move on to the next downloader."""
        assert self.request is not None, "fold() after the cascade finished"
        target, items = self.request.downloader, self.request.items
        pieces = self.pieces
        if isinstance(answer, Unreachable):
            everything = tuple(item for piece in (items, *pieces) for item in piece)
            folded, pieces = self._fold_unreachable(target, everything, answer.reason), ()
        elif isinstance(answer, Answered):
            folded = self._fold_answered(target, items, answer)
        elif len(items) > 1 and self.splits_left > 0:
            half = len(items) // 2
            folded = attrs.evolve(self, splits_left=self.splits_left - 1)._mark_up(target)
            pieces = (items[:half], items[half:], *pieces)
        elif len(items) > 1:
            reason = f"kept refusing the pieces of its batch: {answer.reason}"
            everything = tuple(item for piece in (items, *pieces) for item in piece)
            folded, pieces = self._fold_unreachable(target, everything, reason), ()
        else:
            alone = Answered({item.url: Rejected(answer.reason) for item in items})
            folded = self._fold_answered(target, items, alone)
        if pieces:
            return attrs.evolve(folded, request=Request(target, pieces[0]), pieces=pieces[1:])
        return attrs.evolve(folded, position=self.position + 1, pieces=())._advance()

    def outcomes(self) -> dict[int, Outcome]:
        """Every link's final outcome; call once `request` is None."""
        return {link.download_id: self._outcome_of(link) for link in self.links}

    @property
    def _steps(self) -> tuple[Downloader, ...]:
        return self.first + self.order

    def _unplaced_at(self, index: int) -> list[LinkToPlace]:
        """The links step `index` offers: unplaced, of a type its downloader takes, and either
        preferring it (a preferred step) or not already offered to it (a step of the order)."""
        downloader = self._steps[index]
        preferred_step = index < len(self.first)
        offered_first = any(d.module_id == downloader.module_id for d in self.first)
        return [
            link
            for link in self.links
            if link.download_id not in self.placed
            and link.download_type in downloader.download_types
            and downloader.module_id not in link.excluded
            and _offered(link.preferred == downloader.name, preferred_step, offered_first)
        ]

    def _sent(self, items: Iterable[AddRequest]) -> list[LinkToPlace]:
        """The links of the current step that these items carry."""
        urls = {item.url for item in items}
        return [link for link in self._unplaced_at(self.position) if link.url in urls]

    def _advance(self) -> Cascade:
        """Skip downloaders in back-off or with nothing to take; stop at the next worth asking."""
        for index in range(self.position, len(self._steps)):
            downloader = self._steps[index]
            if self._health_of(downloader).in_backoff(self.now):
                continue
            links = self._unplaced_at(index)
            if links:
                unique = {link.url: AddRequest(link.url, link.save_path) for link in links}
                request = Request(downloader, tuple(unique.values()))
                splits = MAX_POISON * max(1, (len(unique) - 1).bit_length())
                return attrs.evolve(self, position=index, request=request, splits_left=splits)
        return attrs.evolve(self, position=len(self._steps), request=None)

    def _fold_unreachable(
        self, target: Downloader, items: Iterable[AddRequest], why: str
    ) -> Cascade:
        reasons = dict(self.reasons)
        for link in self._sent(items):
            reasons[link.download_id] = (
                *reasons.get(link.download_id, ()),
                f"{target.name}: unreachable: {why}",
            )
        health = {**self.health, target.module_id: target.health.down(self.now, why)}
        return attrs.evolve(self, reasons=reasons, health=health)

    def _fold_answered(
        self, target: Downloader, items: Iterable[AddRequest], answer: Answered
    ) -> Cascade:
        placed, reasons, refused = dict(self.placed), dict(self.reasons), set(self.refused)
        for link in self._sent(items):
            result = answer.result_for(link.url)
            if isinstance(result, Accepted) and result.remote_id:
                placed[link.download_id] = Placed(target.module_id, result.remote_id)
            else:  # an acceptance without an id would be a download nobody can follow
                refused.add(link.download_id)
                reasons[link.download_id] = (
                    *reasons.get(link.download_id, ()),
                    f"{target.name}: {NO_ID if isinstance(result, Accepted) else result.reason}",
                )
        folded = attrs.evolve(self, placed=placed, reasons=reasons, refused=frozenset(refused))
        return folded._mark_up(target)

    def _mark_up(self, target: Downloader) -> Cascade:
        """It answered, so its back-off ends."""
        health = {**self.health, target.module_id: target.health.up(self.now)}
        return attrs.evolve(self, health=health)

    def _outcome_of(self, link: LinkToPlace) -> Outcome:
        if link.download_id in self.placed:
            return self.placed[link.download_id]
        reasons = self.reasons.get(link.download_id, ())
        if link.download_id in self.refused:
            return Refused(reasons)
        capable = [
            d
            for d in self.order
            if link.download_type in d.download_types and d.module_id not in link.excluded
        ]
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
