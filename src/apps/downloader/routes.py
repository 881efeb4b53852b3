"""The downloader contract's routes: each parses, calls the backend, maps the answer back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
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
from adapters.redact import redact_url
from apps.downloader.wire import ActionResult
from apps.inputs import MAX_SAVE_PATH, MAX_URL, TextProblem, check_text
from dispatch_domain import AddRequest, AddResult, BackendError, DownloadBackend, Rejected
from dispatch_domain.answers import remote_key

log = logging.getLogger(__name__)

MAX_HASHES = 1000
MAX_BATCH = 50_000  # a whole fetcher post goes out in one batch
MAX_ID_LENGTH = 64  # a v2 info-hash; anything longer names no download
HASHES_HELP = "Comma-separated remote ids (info-hashes for torrents); the parameter may repeat"

# A Protocol cannot be isinstance-checked, so Litestar must take the provided backend as is.
Backend = NamedDependency[SkipValidation[DownloadBackend]]


def split_hashes(values: list[str] | None) -> list[str]:
    """`?hashes=a,b&hashes=c` → ['a', 'b', 'c'] as remote keys (info-hashes lowercased), blanks
    and repeats dropped."""
    found = (remote_key(part) for value in values or [] for part in value.split(","))
    return list(dict.fromkeys(part for part in found if part))


class DownloadsController(Controller):
    path = "/downloads"
    tags = ["downloads"]

    @post(status_code=200, summary="Add a batch of links; each URL is accepted or rejected")
    async def add(self, data: JSONBody[AddBatch], backend: Backend) -> AddBatchResult:
        """An item with a NUL or control character, a URL over 8,192 characters or a save_path
        over 1,024 is that item's rejection; the others go to the client."""
        if len(data.items) > MAX_BATCH:
            raise ValidationException(detail=f"at most {MAX_BATCH} items per batch")
        usable, refused = _sorted_out(add_requests(data))
        added = await add_isolating(backend, usable) if usable else {}
        return add_batch_result({**refused, **added})

    @get(summary="Statuses of downloads by remote id; unknown ids are not_found")
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
        if len(data.hashes) > MAX_BATCH:
            raise ValidationException(detail=f"at most {MAX_BATCH} hashes per request")
        wanted = split_hashes(data.hashes)
        return cancel_batch_result(await backend.cancel(wanted) if wanted else {})

    @post("/{remote_id:str}/pause", status_code=200, summary="Pause one download")
    async def pause(self, remote_id: FromPath[str], backend: Backend) -> ActionResult:
        _known_shape(remote_id)
        return _done(remote_id, await backend.pause(remote_key(remote_id)), "paused")

    @post("/{remote_id:str}/resume", status_code=200, summary="Resume one download")
    async def resume(self, remote_id: FromPath[str], backend: Backend) -> ActionResult:
        _known_shape(remote_id)
        return _done(remote_id, await backend.resume(remote_key(remote_id)), "resumed")

    @delete("/{remote_id:str}", status_code=200, summary="Remove one download")
    async def remove(
        self, remote_id: FromPath[str], backend: Backend, delete_files: FromQuery[bool] = False
    ) -> ActionResult:
        _known_shape(remote_id)
        found = await backend.delete(remote_key(remote_id), delete_files=delete_files)
        return _done(remote_id, found, "deleted")


async def add_isolating(
    backend: DownloadBackend, items: Sequence[AddRequest]
) -> dict[str, AddResult]:
    """Add a batch; should the backend fail on something an item holds, add the halves apart,
    so only that item is rejected (with the failure's kind) and the rest goes in. A client
    that cannot be reached (BackendError) is everyone's failure and stays one."""
    try:
        return dict(await backend.add(items))
    except BackendError:
        raise
    except Exception as error:
        if len(items) > 1:
            half = len(items) // 2
            return await add_isolating(backend, items[:half]) | await add_isolating(
                backend, items[half:]
            )
        url = items[0].url if items else ""
        log.exception("adding %s failed", redact_url(url))
        return {url: Rejected(f"the downloader failed on this link ({type(error).__name__})")}


def _done(remote_id: str, found: bool, status: str) -> ActionResult:
    if not found:
        raise NotFoundException(detail=f"the download client has no download {remote_id!r}")
    return ActionResult(hash=remote_key(remote_id), status=status)  # type: ignore[arg-type]


def _known_shape(remote_id: str) -> None:
    """An id too long or not printable names no download: 404 without asking the client."""
    if len(remote_id) > MAX_ID_LENGTH or not remote_id.isprintable():
        raise NotFoundException(detail="the download client has no download with that id")


def _sorted_out(requests: list[AddRequest]) -> tuple[list[AddRequest], dict[str, AddResult]]:
    """Requests the client may see, and the rejections of those it must not."""
    usable: list[AddRequest] = []
    refused: dict[str, AddResult] = {}
    for request in requests:
        try:
            check_text("url", request.url, max_len=MAX_URL, one_line=True)
            if request.save_path is not None:
                check_text("save_path", request.save_path, max_len=MAX_SAVE_PATH, one_line=True)
        except TextProblem as problem:
            refused[request.url] = Rejected(str(problem))
            continue
        usable.append(request)
    return usable, refused
