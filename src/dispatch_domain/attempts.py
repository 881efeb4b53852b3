"""The rules every download repository keeps, decided here once and called by each of them:
which attempt a retry may start again, no second active attempt of a link, and a change that
would change nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from dispatch_domain.status import ACTIVE, RETRYABLE
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus

S = DownloadStatus

# Still open when retried (not final, not followed at a downloader): closed as superseded.
SUPERSEDED_BY_RETRY = frozenset({S.NO_DOWNLOADER, S.DOWNLOADER_ERROR})
SUPERSEDED_REASON = "superseded by a retry"


@attrs.frozen
class Attempt:
    """One download attempt of a link, as far as the retry rule cares."""

    download_id: int
    link_id: int
    attempt: int
    status: DownloadStatus


@attrs.frozen
class RetryPlan:
    """The attempts to start again (in id order) and the open ones among them to cancel."""

    retried: tuple[Attempt, ...]

    @property
    def superseded(self) -> list[int]:
        return [old.download_id for old in self.retried if old.status in SUPERSEDED_BY_RETRY]


def retryable(attempt: Attempt, siblings: Sequence[Attempt]) -> bool:
    """Only a link's latest attempt is retried, and only if no other attempt of it is active.
    `siblings` are all the attempts of its link, itself included."""
    latest = max(siblings, key=lambda sibling: sibling.attempt)
    others_active = any(s.status in ACTIVE for s in siblings if s != attempt)
    return attempt.status in RETRYABLE and latest == attempt and not others_active


def plan_retries(requested: Iterable[int], attempts: Iterable[Attempt]) -> RetryPlan:
    """Which of the `requested` downloads a retry starts again, given every attempt of their
    links (read under a lock, so the answer still holds when acted on)."""
    known = list(attempts)
    by_id = {attempt.download_id: attempt for attempt in known}
    siblings: dict[int, list[Attempt]] = {}
    for attempt in known:
        siblings.setdefault(attempt.link_id, []).append(attempt)
    retried = [
        by_id[i]
        for i in sorted(set(requested))
        if i in by_id and retryable(by_id[i], siblings[by_id[i].link_id])
    ]
    return RetryPlan(tuple(retried))


def makes_second_active(
    current: DownloadStatus, change: Transition, link_has_another_active: bool
) -> bool:
    """True if `change` would make this attempt active while another attempt of its link is:
    a link has at most one active attempt, so such a change is not applied."""
    return change.target in ACTIVE and current not in ACTIVE and link_has_another_active


def changes_nothing(
    current: DownloadStatus, columns: Mapping[str, object], change: Transition
) -> bool:
    """True if `change` would leave the download as it is (`columns`: its values by name), so
    it is not written: a poll of a stalled download rewrites nothing. A new due time (a change
    to pending) always counts."""
    return (
        change.target is not S.PENDING
        and change.target is current
        and all(columns[name] == value for name, value in change.written().items())
    )
