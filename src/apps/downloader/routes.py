"""The downloader contract's routes (brief §4): each parses, calls the backend once, maps back."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter, SkipValidation

from adapters.downloader_api import (
    AddBatch,
    AddBatchResult,
    CancelBatchResult,
    HashList,
    StatusList,
    add_batch_result,
    add_requests,
    cancel_batch_result,
    status_list,
)
from apps.downloader.wire import ActionResult
from dispatch_domain import DownloadBackend

MAX_HASHES = 1000
HASHES_HELP = "Comma-separated info-hashes; the parameter may also repeat"

# A Protocol cannot be isinstance-checked, so Litestar must take the provided backend as is.
Backend = NamedDependency[SkipValidation[DownloadBackend]]


def split_hashes(values: list[str] | None) -> list[str]:
    """`?hashes=a,b&hashes=c` → ['a', 'b', 'c'], lowercased, blanks and repeats dropped."""
    found = (part.strip().lower() for value in values or [] for part in value.split(","))
    return list(dict.fromkeys(part for part in found if part))


class DownloadsController(Controller):
    path = "/downloads"
    tags = ["downloads"]

    @post(status_code=200, summary="Add a batch of links; each URL is accepted or rejected")
    async def add(self, data: JSONBody[AddBatch], backend: Backend) -> AddBatchResult:
        return add_batch_result(await backend.add(add_requests(data)))

    @get(summary="Statuses of downloads by info-hash; unknown hashes are not_found")
    async def statuses(
        self,
        backend: Backend,
        hashes: Annotated[list[str] | None, QueryParameter(description=HASHES_HELP)] = None,
    ) -> StatusList:
        wanted = split_hashes(hashes)
        if len(wanted) > MAX_HASHES:
            raise ValidationException(
                detail=f"at most {MAX_HASHES} hashes per request, got {len(wanted)}"
            )
        return status_list(await backend.statuses(wanted) if wanted else [])

    @post("/cancel", status_code=200, summary="Remove downloads, keeping their files")
    async def cancel(self, data: JSONBody[HashList], backend: Backend) -> CancelBatchResult:
        wanted = split_hashes(data.hashes)
        return cancel_batch_result(await backend.cancel(wanted) if wanted else {})

    @post("/{torrent_hash:str}/pause", status_code=200, summary="Pause one download")
    async def pause(self, torrent_hash: FromPath[str], backend: Backend) -> ActionResult:
        return _done(torrent_hash, await backend.pause(torrent_hash.lower()), "paused")

    @post("/{torrent_hash:str}/resume", status_code=200, summary="Resume one download")
    async def resume(self, torrent_hash: FromPath[str], backend: Backend) -> ActionResult:
        return _done(torrent_hash, await backend.resume(torrent_hash.lower()), "resumed")

    @delete("/{torrent_hash:str}", status_code=200, summary="Remove one download")
    async def remove(
        self, torrent_hash: FromPath[str], backend: Backend, delete_files: FromQuery[bool] = False
    ) -> ActionResult:
        found = await backend.delete(torrent_hash.lower(), delete_files=delete_files)
        return _done(torrent_hash, found, "deleted")


def _done(torrent_hash: str, found: bool, status: str) -> ActionResult:
    if not found:
        raise NotFoundException(detail=f"the download client has no download {torrent_hash!r}")
    return ActionResult(hash=torrent_hash.lower(), status=status)  # type: ignore[arg-type]
