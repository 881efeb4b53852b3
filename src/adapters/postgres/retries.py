"""Which downloads a retry may start again, decided from the locked attempts of their links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from dispatch_domain.status import ACTIVE, RETRYABLE
from dispatch_domain.vocabulary import DownloadStatus

S = DownloadStatus

# Still open when retried (not final, not at a downloader we can see): closed as superseded.
_SUPERSEDED = frozenset({S.NO_DOWNLOADER, S.DOWNLOADER_ERROR})


@attrs.frozen
class Attempt:
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
        return [old.download_id for old in self.retried if old.status in _SUPERSEDED]


def plan_retries(requested: Sequence[int], rows: Iterable[tuple[int, int, int, str]]) -> RetryPlan:
    """Only a link's latest attempt is retried, and only if no other attempt of it is active."""
    attempts = [Attempt(i, link, n, S(status)) for i, link, n, status in rows]
    by_id = {attempt.download_id: attempt for attempt in attempts}
    siblings: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        siblings.setdefault(attempt.link_id, []).append(attempt)
    retried = [
        by_id[i]
        for i in sorted(set(requested))
        if i in by_id and _retryable(by_id[i], siblings[by_id[i].link_id])
    ]
    return RetryPlan(tuple(retried))


def _retryable(attempt: Attempt, siblings: Sequence[Attempt]) -> bool:
    latest = max(siblings, key=lambda sibling: sibling.attempt)
    others_active = any(s.status in ACTIVE for s in siblings if s is not attempt)
    return attempt.status in RETRYABLE and latest is attempt and not others_active
