"""A downloader of the seed system: it reads requests as its Rust DTOs do and answers in its
own words, for testing that Core's gateway speaks the contract both systems share.

serde's rules, as the seed's shared crate declares them: a `String` field is required and
rejects null (axum answers 422), an `Option` may be absent or null, unknown keys are
ignored. The seed's adapters answer `failed` for an item they could not add, report
statuses such as `checking` or `queued`, and `failed: <why>` for a hash they could not
cancel.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs
from litestar import Litestar, Request, Response, get, post
from litestar.params import FromQuery

from tests.support.serving import serving


class NotTheDto(ValueError):
    """The request does not deserialize into the seed's DTO."""


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise NotTheDto(f"{where}: invalid type: {type(value).__name__}, expected a string")
    return value


def batch_download_request(body: Any) -> list[tuple[str, str]]:
    """BatchDownloadRequest { items: Vec<DownloadRequestItem> }, each item
    { url: String, save_path: String }."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise NotTheDto("items: missing field or not a sequence")
    items = []
    for index, item in enumerate(body["items"]):
        if not isinstance(item, dict):
            raise NotTheDto(f"items[{index}]: expected a struct")
        url = _string(item.get("url"), f"items[{index}].url")
        items.append((url, _string(item.get("save_path"), f"items[{index}].save_path")))
    return items


def batch_cancel_request(body: Any) -> list[str]:
    """BatchCancelRequest { hashes: Vec<String> }"""
    if not isinstance(body, dict) or not isinstance(body.get("hashes"), list):
        raise NotTheDto("hashes: missing field or not a sequence")
    return [_string(h, f"hashes[{i}]") for i, h in enumerate(body["hashes"])]


@attrs.define
class SeedDownloader:
    """Answers as scripted: `failures` (url -> reason) are `failed`, the rest `accepted` with
    `hashes[url]`; `states` (hash -> word) are what a status query reports; `cancel_failures`
    (hash -> reason) answer `failed: reason`."""

    hashes: dict[str, str] = attrs.Factory(dict)
    failures: dict[str, str] = attrs.Factory(dict)
    states: dict[str, str] = attrs.Factory(dict)
    cancel_failures: dict[str, str] = attrs.Factory(dict)
    garbage: bool = False  # answer with something that is not the contract at all
    received: list[Any] = attrs.Factory(list)

    def app(self) -> Litestar:
        return Litestar([self._add(), self._statuses(), self._cancel()])

    def _add(self) -> Any:
        @post("/downloads")
        async def add(request: Request[Any, Any, Any]) -> Response[Any]:
            body = await request.json()
            self.received.append(body)
            try:
                items = batch_download_request(body)
            except NotTheDto as error:
                return Response(f"Failed to deserialize the JSON body: {error}", status_code=422)
            if self.garbage:
                return Response({"ok": True}, status_code=200)
            return Response({"results": [self._result(url) for url, _ in items]})

        return add

    def _result(self, url: str) -> dict[str, Any]:
        if url in self.failures:
            return {"url": url, "hash": None, "status": "failed", "reason": self.failures[url]}
        return {"url": url, "hash": self.hashes.get(url), "status": "accepted", "reason": None}

    def _statuses(self) -> Any:
        @get("/downloads")
        async def statuses(hashes: FromQuery[str] = "") -> Response[Any]:
            asked = [h for h in hashes.split(",") if h]
            if self.garbage:
                return Response(["not", "the", "contract"])
            items = [
                {"hash": h, "status": self.states.get(h, "not_found"), "progress": 0.5, "size": 7}
                for h in asked
            ]
            return Response({"statuses": items})

        return statuses

    def _cancel(self) -> Any:
        @post("/downloads/cancel")
        async def cancel(request: Request[Any, Any, Any]) -> Response[Any]:
            try:
                hashes = batch_cancel_request(await request.json())
            except NotTheDto as error:
                return Response(f"Failed to deserialize the JSON body: {error}", status_code=422)
            results = [{"hash": h, "status": self._cancelled(h)} for h in hashes]
            return Response({"results": results})

        return cancel

    def _cancelled(self, remote_id: str) -> str:
        if remote_id in self.cancel_failures:
            return f"failed: {self.cancel_failures[remote_id]}"
        return "cancelled" if self.states.pop(remote_id, None) else "not_found"


@asynccontextmanager
async def served_seed(downloader: SeedDownloader) -> AsyncIterator[str]:
    """Serve it on a free loopback port; yields its base URL."""
    async with serving(downloader.app()) as url:
        yield url
