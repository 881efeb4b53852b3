"""The downloader service's JSON contract, spoken by Core's gateway and by the downloader app.

The wire calls a download's id at its downloader `hash` (the seed contract's word); the domain
calls it `remote_id`: an info-hash for BitTorrent, the client's own id for anything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import cattrs

from dispatch_domain.answers import (
    NO_ID,
    Accepted,
    AddRequest,
    AddResult,
    Rejected,
    RemoteStatus,
    remote_key,
)
from dispatch_domain.vocabulary import RemoteState


@attrs.frozen
class AddItem:
    url: str
    save_path: str | None = None


@attrs.frozen
class AddBatch:
    items: list[AddItem]


@attrs.frozen
class AddItemResult:
    url: str
    status: Literal["accepted", "rejected"]
    hash: str | None = None
    reason: str | None = None


@attrs.frozen
class AddBatchResult:
    results: list[AddItemResult]


@attrs.frozen
class StatusItem:
    hash: str
    status: RemoteState
    progress: float = 0.0
    size: int = 0
    name: str | None = None
    save_path: str | None = None
    content_path: str | None = None
    reason: str | None = None


@attrs.frozen
class StatusList:
    statuses: list[StatusItem]


@attrs.frozen
class HashList:
    hashes: list[str]


@attrs.frozen
class CancelItemResult:
    hash: str
    status: Literal["cancelled", "not_found"]


@attrs.frozen
class CancelBatchResult:
    results: list[CancelItemResult]


def make_converter() -> cattrs.Converter:
    """A converter for this contract; unknown keys are ignored so either side can grow fields."""
    return cattrs.Converter(forbid_extra_keys=False)


def add_batch(items: Sequence[AddRequest]) -> AddBatch:
    return AddBatch([AddItem(item.url, item.save_path) for item in items])


def add_requests(batch: AddBatch) -> list[AddRequest]:
    return [AddRequest(item.url, item.save_path) for item in batch.items]


def add_batch_result(results: Mapping[str, AddResult]) -> AddBatchResult:
    return AddBatchResult([_add_item_result(url, result) for url, result in results.items()])


def _add_item_result(url: str, result: AddResult) -> AddItemResult:
    if isinstance(result, Accepted) and result.remote_id.strip():
        return AddItemResult(url=url, status="accepted", hash=remote_key(result.remote_id))
    reason = result.reason if isinstance(result, Rejected) else NO_ID
    return AddItemResult(url=url, status="rejected", reason=reason)


def add_results(batch: AddBatchResult) -> dict[str, AddResult]:
    """Results keyed by URL, as the cascade folds them; an acceptance without an id is that
    item's rejection, since nobody could follow the download."""
    return {item.url: _add_result(item) for item in batch.results}


def _add_result(item: AddItemResult) -> AddResult:
    if item.status != "accepted":
        return Rejected(item.reason or "rejected without a reason")
    if item.hash is None or not item.hash.strip():
        return Rejected(NO_ID)
    return Accepted(remote_key(item.hash))


def status_list(statuses: Sequence[RemoteStatus]) -> StatusList:
    return StatusList(
        [
            StatusItem(hash=remote_key(s.remote_id), status=s.state, **_status_fields(s))
            for s in statuses
        ]
    )


def remote_statuses(payload: StatusList) -> list[RemoteStatus]:
    return [
        RemoteStatus(remote_id=remote_key(item.hash), state=item.status, **_status_fields(item))
        for item in payload.statuses
    ]


def _status_fields(item: RemoteStatus | StatusItem) -> dict[str, Any]:
    """The fields both sides name alike; the id is matched by its `remote_key`."""
    return {
        "progress": item.progress,
        "size": item.size,
        "name": item.name,
        "save_path": item.save_path,
        "content_path": item.content_path,
        "reason": item.reason,
    }


def cancel_batch_result(cancelled: Mapping[str, bool]) -> CancelBatchResult:
    return CancelBatchResult(
        [CancelItemResult(h, "cancelled" if done else "not_found") for h, done in cancelled.items()]
    )


def cancelled_hashes(payload: CancelBatchResult) -> dict[str, bool]:
    return {remote_key(item.hash): item.status == "cancelled" for item in payload.results}
