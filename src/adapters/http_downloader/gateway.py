"""HttpDownloaderGateway: batch add, chunked status queries, cancel, pause and resume over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import attrs
import cattrs
import httpx

from adapters import downloader_api as api
from adapters.http_downloader import reading
from dispatch_domain.answers import (
    AddRequest,
    Answered,
    BatchRefused,
    CancelReport,
    StatusReport,
    SubmitAnswer,
    Unreachable,
)
from dispatch_domain.cascade import Downloader

# Answers to a whole batch that one item may cause (a 500 counts when it says something):
# the batch is split to find that item. Any other failure is the downloader's own.
ITEM_SHAPED = frozenset({400, 413, 422})

# 180 hashes of 40 hex digits (and their commas) make a request line of about 7,400 octets,
# under the 8,000 that RFC 9110 asks every server to accept and nginx's 8 KiB default.
STATUS_CHUNK = 180


class _Unreachable(Exception):
    """Internal: carries an Unreachable reason out of a helper."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@attrs.define
class HttpDownloaderGateway:
    """A DownloaderGateway over the downloader services' JSON API.

    A transport error, a timeout, an answer that is not the contract, or a failure status no
    item can cause (401/403, 502/503/504...) is Unreachable: the downloader's fault, so its
    links stay retryable. A batch refused in a way one item may cause (400, 413, 422, a 500
    with an answer) is BatchRefused, for the cascade to split. Everything else is read per
    item (`reading`), matched to links by URL or remote id.
    """

    client: httpx.AsyncClient
    token: str | None = None
    status_chunk: int = STATUS_CHUNK
    parallel_chunks: int = 4
    converter: cattrs.Converter = attrs.field(factory=api.make_converter)
    status_reader: reading.StatusReader = attrs.field(factory=reading.StatusReader)

    async def submit(self, downloader: Downloader, items: Sequence[AddRequest]) -> SubmitAnswer:
        body = self.converter.unstructure(api.add_batch(items))
        try:
            response = await self._send(downloader, "POST", "/downloads", json=body)
            if _item_shaped(response):
                return BatchRefused(_describe_status(response))
            return Answered(reading.add_results(_payload(response, "/downloads")))
        except _Unreachable as failure:
            return Unreachable(failure.reason)
        except reading.NotTheContract as error:
            return Unreachable(f"invalid answer from /downloads: {error}")

    async def statuses(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> StatusReport | Unreachable:
        step = self.status_chunk
        chunks = [remote_ids[i : i + step] for i in range(0, len(remote_ids), step)]
        limit = asyncio.Semaphore(self.parallel_chunks)

        async def one(chunk: Sequence[str]) -> Any:
            async with limit:
                params = {"hashes": ",".join(chunk)}  # the wire's word for remote ids
                response = await self._send(downloader, "GET", "/downloads", params=params)
                return _payload(response, "/downloads")

        try:
            answers = await asyncio.gather(*(one(chunk) for chunk in chunks))
            return self.status_reader.report(list(answers))
        except _Unreachable as failure:
            return Unreachable(failure.reason)
        except reading.NotTheContract as error:
            return Unreachable(f"invalid answer from /downloads: {error}")

    async def cancel(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> CancelReport | Unreachable:
        body = self.converter.unstructure(api.HashList(list(remote_ids)))
        try:
            response = await self._send(downloader, "POST", "/downloads/cancel", json=body)
            return reading.cancel_report(_payload(response, "/downloads/cancel"))
        except _Unreachable as failure:
            return Unreachable(failure.reason)
        except reading.NotTheContract as error:
            return Unreachable(f"invalid answer from /downloads/cancel: {error}")

    async def pause(self, downloader: Downloader, remote_id: str) -> bool | Unreachable:
        return await self._toggle(downloader, remote_id, "pause")

    async def resume(self, downloader: Downloader, remote_id: str) -> bool | Unreachable:
        return await self._toggle(downloader, remote_id, "resume")

    async def _toggle(
        self, downloader: Downloader, remote_id: str, action: str
    ) -> bool | Unreachable:
        try:
            path = f"/downloads/{quote(remote_id, safe='')}/{action}"
            response = await self._send(downloader, "POST", path)
        except _Unreachable as failure:
            return Unreachable(failure.reason)
        if response.status_code == httpx.codes.NOT_FOUND:
            return False
        if not response.is_success:
            return Unreachable(_describe_status(response))
        return True

    async def _send(
        self, downloader: Downloader, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            return await self.client.request(
                method, downloader.base_url + path, headers=headers, **kwargs
            )
        except httpx.TimeoutException as error:
            raise _Unreachable(f"timed out ({type(error).__name__})") from error
        except httpx.HTTPError as error:
            raise _Unreachable(f"{type(error).__name__}: {error}") from error


def _item_shaped(response: httpx.Response) -> bool:
    code = response.status_code
    return code in ITEM_SHAPED or (code == 500 and bool(response.content.strip()))


def _payload(response: httpx.Response, path: str) -> Any:
    """The JSON of a 2xx answer; any other answer, or no JSON, is the downloader's failure.
    A body that is JSON but not the contract is caught by `reading` and reported alike."""
    if not response.is_success:
        raise _Unreachable(_describe_status(response))
    try:
        return response.json()
    except ValueError as error:
        raise _Unreachable(f"invalid answer from {path}: not JSON ({error})") from error


def _describe_status(response: httpx.Response) -> str:
    detail = ""
    try:
        body = response.json()
        if isinstance(body, dict):
            detail = str(body.get("detail") or body.get("title") or "")
    except ValueError:
        detail = response.text
    reason = f"HTTP {response.status_code}"
    detail = " ".join(detail.split())[:300]
    return f"{reason}: {detail}" if detail else reason
