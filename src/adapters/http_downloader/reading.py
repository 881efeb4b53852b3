"""Reading a downloader's answers item by item, so one odd item costs only itself.

Downloaders of the seed system speak the same contract with other words (a result `failed`,
a status `checking`, a cancel `failed: …`); an answer is the downloader's failure only when
its body is not the contract at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import attrs

from dispatch_domain.answers import (
    NO_ID,
    Accepted,
    AddResult,
    CancelReport,
    Rejected,
    RemoteStatus,
    StatusReport,
    remote_key,
)
from dispatch_domain.vocabulary import RemoteState

log = logging.getLogger(__name__)

_STATES = {state.value: state for state in RemoteState}
_TEXT_FIELDS = ("name", "save_path", "content_path", "reason")
MAX_WORDS_NOTED = 256  # a downloader making up words cannot fill the memory or the log


class NotTheContract(ValueError):
    """The body is not the downloader contract at all: the downloader's failure, not an item's."""


def items_of(payload: Any, key: str) -> list[Any]:
    """`payload[key]` if the body is an object holding a list there."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get(key), list):
        raise NotTheContract(f"expected an object with a list {key!r}")
    return list(payload[key])


def add_results(payload: Any) -> dict[str, AddResult]:
    """Results keyed by URL; anything but `accepted` with an id is that item's rejection."""
    results: dict[str, AddResult] = {}
    for item in items_of(payload, "results"):
        url = _text(item, "url")
        if url is None:
            continue  # names no link: every link it might be gets "no result" instead
        status, remote_id = _text(item, "status"), _text(item, "hash")
        if status == "accepted":
            has_id = remote_id is not None and remote_id.strip()
            results[url] = Accepted(remote_key(remote_id or "")) if has_id else Rejected(NO_ID)
        else:
            results[url] = Rejected(_text(item, "reason") or f"the downloader answered {status!r}")
    return results


@attrs.define
class StatusReader:
    """Reads status reports; a word Core does not know is logged once per word, and the
    downloads reported in it keep their last known status."""

    seen_words: set[str] = attrs.Factory(set)

    def report(self, payloads: list[Any]) -> StatusReport:
        found: dict[str, RemoteStatus] = {}
        unclear: set[str] = set()
        for payload in payloads:
            for item in items_of(payload, "statuses"):
                remote_id = _text(item, "hash")
                if remote_id is None or not remote_id.strip():
                    continue
                status = self._status(remote_key(remote_id), item)
                if status is None:
                    unclear.add(remote_key(remote_id))
                else:
                    found[status.remote_id] = status
        return StatusReport(found, frozenset(unclear - found.keys()))

    def _status(self, remote_id: str, item: Mapping[str, Any]) -> RemoteStatus | None:
        word = item.get("status")
        state = _STATES.get(word) if isinstance(word, str) else None
        if state is None:
            self._note(repr(word))
            return None
        try:
            fields = {key: _optional_text(item, key) for key in _TEXT_FIELDS}
            progress = float(item.get("progress") or 0.0)
            size = int(item.get("size") or 0)
        except (TypeError, ValueError):
            self._note(f"{word} with unreadable fields")
            return None
        return RemoteStatus(
            remote_id=remote_id,
            state=state,
            progress=progress,
            size=size,
            **fields,
            **details(item),
        )

    def _note(self, word: str) -> None:
        if word not in self.seen_words and len(self.seen_words) < MAX_WORDS_NOTED:
            self.seen_words.add(word)
            log.warning(
                "a downloader reported status %s, which Core does not know; "
                "its downloads keep their last known status",
                word[:100],
            )


def cancel_report(payload: Any) -> CancelReport:
    """`cancelled` and `not_found` as the contract says; any other word is that id's failure."""
    cancelled: dict[str, bool] = {}
    failed: dict[str, str] = {}
    for item in items_of(payload, "results"):
        remote_id, status = _text(item, "hash"), _text(item, "status")
        if remote_id is None:
            continue
        if status in ("cancelled", "not_found"):
            cancelled[remote_key(remote_id)] = status == "cancelled"
        else:
            failed[remote_key(remote_id)] = status or "no status given"
    return CancelReport(cancelled, failed)


_COUNTS = ("downloaded", "download_speed", "eta", "peers", "seeds")


def details(item: Mapping[str, Any]) -> dict[str, Any]:
    """The optional details of a status item; one missing or unreadable is None, never an
    error: a downloader that says less, or says it oddly, still has its status read."""
    found: dict[str, Any] = {name: _count(item.get(name)) for name in _COUNTS}
    state = item.get("client_state")
    found["client_state"] = state[:100] if isinstance(state, str) and state else None
    metadata = item.get("has_metadata")
    found["has_metadata"] = metadata if isinstance(metadata, bool) else None
    return found


def _count(value: Any) -> int | None:
    """A non-negative whole number, or None (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if 0 <= value < 2**63 else None


def _text(item: Any, key: str) -> str | None:
    value = item.get(key) if isinstance(item, Mapping) else None
    return value if isinstance(value, str) else None


def _optional_text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{key} is not text")
