"""Ingest a fetcher's post: classify each item, then store the whole post in one go."""

from __future__ import annotations

from datetime import timedelta

from dispatch_domain.detection import DEFAULT_CHAIN, DetectorChain
from dispatch_domain.links import to_link
from dispatch_domain.model import FetcherReport, IngestResult, ItemProblem, NewLink
from dispatch_domain.ports import Clock, LinkRepository


async def ingest_fetcher_results(
    report: FetcherReport,
    links: LinkRepository,
    clock: Clock,
    chain: DetectorChain = DEFAULT_CHAIN,
    claim_for: timedelta | None = None,
) -> IngestResult:
    """Store every good item of the post; a bad item is reported and costs the others nothing.

    With `claim_for`, the new downloads come back claimed (`IngestResult.claimed`) for the
    caller to dispatch at once, saving the dispatcher a claim; if the caller dies first, the
    claim ends after `claim_for` and the sweep sends them.
    """
    new_links: list[NewLink] = []
    problems: list[ItemProblem] = list(report.malformed)
    for item in report.items:
        classified = to_link(item, chain)
        if isinstance(classified, ItemProblem):
            problems.append(classified)
            continue
        if classified.reason is not None:
            problems.append(ItemProblem(item.index, classified.reason))
        new_links.append(classified)
    now = clock.now()
    claimed_until = now + claim_for if claim_for is not None else None
    stored = await links.store(report, new_links, now, claimed_until)
    return IngestResult(
        items_received=len(report.items) + len(report.malformed),
        links_created=stored.links_created,
        duplicates=stored.duplicates,
        problems=tuple(sorted(problems, key=lambda problem: problem.index)),
        download_ids=stored.download_ids,
        claimed=stored.placeable if claim_for is not None else (),
    )
