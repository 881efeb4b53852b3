"""HttpDownloaderGateway: batch add, chunked status queries, cancel, pause and resume over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import attrs
import cattrs
import httpx

from adapters import downloader_api as api
from dispatch_domain.answers import (
    AddRequest,
    Answered,
    CancelReport,
    StatusReport,
    Unreachable,
)
from dispatch_domain.cascade import Downloader

T = TypeVar("T")

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
    """A DownloaderGateway over the downloader services' JSON API (product brief §4).

    A transport error, a timeout or any non-2xx answer to a whole request is Unreachable: none
    of those is the links' fault, so they stay retryable. Per-item rejections come back inside
    a 2xx answer and are matched to links by URL.
    """

    client: httpx.AsyncClient
    token: str | None = None
    status_chunk: int = STATUS_CHUNK
    parallel_chunks: int = 4
    converter: cattrs.Converter = attrs.field(factory=api.make_converter)

    async def submit(
        self, downloader: Downloader, items: Sequence[AddRequest]
    ) -> Answered | Unreachable:
        body = self.converter.unstructure(api.add_batch(items))
        try:
            payload = await self._call(
                downloader, "POST", "/downloads", api.AddBatchResult, json=body
            )
        except _Unreachable as failure:
            return Unreachable(failure.reason)
        return Answered(api.add_results(payload))

    async def statuses(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> StatusReport | Unreachable:
        step = self.status_chunk
        chunks = [remote_ids[i : i + step] for i in range(0, len(remote_ids), step)]
        limit = asyncio.Semaphore(self.parallel_chunks)

        async def one(chunk: Sequence[str]) -> api.StatusList:
            async with limit:
                params = {"hashes": ",".join(chunk)}  # the wire's word for remote ids
                return await self._call(
                    downloader, "GET", "/downloads", api.StatusList, params=params
                )

        try:
            answers = await asyncio.gather(*(one(chunk) for chunk in chunks))
        except _Unreachable as failure:
            return Unreachable(failure.reason)
        found = {s.remote_id: s for answer in answers for s in api.remote_statuses(answer)}
        return StatusReport(found)

    async def cancel(
        self, downloader: Downloader, remote_ids: Sequence[str]
    ) -> CancelReport | Unreachable:
        body = self.converter.unstructure(api.HashList(list(remote_ids)))
        try:
            payload = await self._call(
                downloader, "POST", "/downloads/cancel", api.CancelBatchResult, json=body
            )
        except _Unreachable as failure:
            return Unreachable(failure.reason)
        return CancelReport(api.cancelled_hashes(payload))

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

    async def _call(
        self, downloader: Downloader, method: str, path: str, into: type[T], **kwargs: Any
    ) -> T:
        response = await self._send(downloader, method, path, **kwargs)
        if not response.is_success:
            raise _Unreachable(_describe_status(response))
        try:
            return self.converter.structure(response.json(), into)
        except (ValueError, cattrs.BaseValidationError) as error:
            raise _Unreachable(f"invalid answer from {path}: {error}") from error

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


def _describe_status(response: httpx.Response) -> str:
    detail = ""
    try:
        body = response.json()
        if isinstance(body, dict):
            detail = str(body.get("detail") or body.get("title") or "")
    except ValueError:
        detail = response.text[:200]
    reason = f"HTTP {response.status_code}"
    return f"{reason}: {detail}" if detail else reason
