"""The downloader service's JSON contract: what the downloader app reads and answers, and
what Core's gateway sends (it reads answers item by item, in `http_downloader.reading`).

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
    """One link; `save_path` is a string on the wire ("" for none), as the seed contract
    requires, though a null is still read as none."""

    url: str
    save_path: str | None = ""


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
    downloaded: int | None = None
    download_speed: int | None = None
    eta: int | None = None
    peers: int | None = None
    seeds: int | None = None
    client_state: str | None = None
    has_metadata: bool | None = None


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
    return AddBatch([AddItem(item.url, item.save_path or "") for item in items])


def add_requests(batch: AddBatch) -> list[AddRequest]:
    return [AddRequest(item.url, item.save_path or None) for item in batch.items]


def add_batch_result(results: Mapping[str, AddResult]) -> AddBatchResult:
    return AddBatchResult([_add_item_result(url, result) for url, result in results.items()])


def _add_item_result(url: str, result: AddResult) -> AddItemResult:
    if isinstance(result, Accepted) and result.remote_id.strip():
        return AddItemResult(url=url, status="accepted", hash=remote_key(result.remote_id))
    reason = result.reason if isinstance(result, Rejected) else NO_ID
    return AddItemResult(url=url, status="rejected", reason=reason)


def status_list(statuses: Sequence[RemoteStatus]) -> StatusList:
    return StatusList(
        [
            StatusItem(hash=remote_key(s.remote_id), status=s.state, **_status_fields(s))
            for s in statuses
        ]
    )


def _status_fields(item: RemoteStatus) -> dict[str, Any]:
    """The fields a status item carries besides its id and state."""
    return {
        "progress": item.progress,
        "size": item.size,
        "name": item.name,
        "save_path": item.save_path,
        "content_path": item.content_path,
        "reason": item.reason,
        **{name: getattr(item, name) for name in DETAIL_FIELDS},
    }


# The optional details of a status, named alike on the wire and in the domain.
DETAIL_FIELDS = (
    "downloaded",
    "download_speed",
    "eta",
    "peers",
    "seeds",
    "client_state",
    "has_metadata",
)


def cancel_batch_result(cancelled: Mapping[str, bool]) -> CancelBatchResult:
    return CancelBatchResult(
        [CancelItemResult(h, "cancelled" if done else "not_found") for h, done in cancelled.items()]
    )
