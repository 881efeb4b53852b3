"""Download routes: the queue view, one download, and the operator's actions."""

from __future__ import annotations

from typing import Annotated

import attrs
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter

from adapters.redact import redact_url
from apps.core.loops import DispatchLoop
from apps.core.schemas import CancelBody, RetryBody
from apps.inputs import INT64_MAX, IdParam, OptionalIdParam
from dispatch_domain.errors import InvalidInput, NotFound
from dispatch_domain.model import DownloadFilter, DownloadView
from dispatch_domain.ports import Clock, DownloaderGateway, DownloadRepository, ServiceRepository
from dispatch_domain.services.operations import (
    NO_SUCH_DOWNLOAD,
    ActionResult,
    cancel_downloads,
    retry_downloads,
    set_paused,
)
from dispatch_domain.vocabulary import DownloadStatus, RemoteState


@attrs.frozen
class DownloadOut(DownloadView):
    """A download as users see it (every field of DownloadView, so a new field shows by
    itself), plus `torrent_hash`, its remote id for torrents and magnets only, and `paused`."""

    torrent_hash: str | None = None
    paused: bool = False

    @classmethod
    def of(cls, view: DownloadView) -> DownloadOut:
        fields = attrs.asdict(view, recurse=False)
        fields["url"] = redact_url(view.url)  # tracker passkeys never leave Core
        return cls(
            **fields,
            torrent_hash=view.remote_id if view.download_type.is_bittorrent else None,
            paused=view.remote_state is RemoteState.PAUSED,
        )


@attrs.frozen
class ActionOut:
    download_id: int
    done: bool
    status: DownloadStatus | None
    reason: str | None
    new_download_id: int | None

    @classmethod
    def of(cls, result: ActionResult) -> ActionOut:
        return cls(**attrs.asdict(result, recurse=False))


@attrs.frozen
class ActionsOut:
    results: list[ActionOut]
    done: int
    not_done: int

    @classmethod
    def of(cls, results: list[ActionResult]) -> ActionsOut:
        done = sum(r.done for r in results)
        return cls([ActionOut.of(r) for r in results], done, len(results) - done)


@attrs.frozen
class Operations:
    """What the operator's actions need, provided as one dependency."""

    downloads: DownloadRepository
    services: ServiceRepository
    gateway: DownloaderGateway
    clock: Clock


@attrs.frozen
class DownloadPage:
    items: list[DownloadOut]
    total: int
    limit: int
    offset: int


class DownloadsController(Controller):
    path = "/downloads"
    tags = ["downloads"]

    @get("/")
    async def list_downloads(
        self,
        downloads: NamedDependency[DownloadRepository],
        status: FromQuery[DownloadStatus | None] = None,
        module_id: OptionalIdParam = None,
        link_id: OptionalIdParam = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=INT64_MAX)] = 0,
    ) -> DownloadPage:
        """Downloads, newest first, filtered by status, downloader or link."""
        query = DownloadFilter(status, module_id, link_id, limit, offset)
        page = await downloads.find(query)
        return DownloadPage(
            [DownloadOut.of(v) for v in page.items], page.total, page.limit, page.offset
        )

    @get("/{download_id:int}")
    async def get_download(
        self, download_id: IdParam, downloads: NamedDependency[DownloadRepository]
    ) -> DownloadOut:
        """One download attempt; raises 404 if there is none with that id."""
        return DownloadOut.of(await downloads.get(download_id))

    @post("/cancel", status_code=200)
    async def cancel(
        self, data: JSONBody[CancelBody], ops: NamedDependency[Operations]
    ) -> ActionsOut:
        """Cancel downloads: at their downloader first (nothing changes if it cannot be asked),
        locally for those not at a downloader yet."""
        results = await cancel_downloads(
            data.download_ids, ops.downloads, ops.services, ops.gateway, ops.clock
        )
        return ActionsOut.of(results)

    @post("/{download_id:int}/retry", status_code=200)
    async def retry_one(
        self,
        download_id: IdParam,
        ops: NamedDependency[Operations],
        dispatch_loop: NamedDependency[DispatchLoop],
    ) -> ActionOut:
        """A new attempt for a failed, cancelled, parked or unreachable download."""
        (result,) = await retry_downloads([download_id], ops.downloads, ops.clock)
        if result.reason == NO_SUCH_DOWNLOAD:
            raise NotFound("download", download_id)
        if result.done:
            dispatch_loop.wake()
        return ActionOut.of(result)

    @post("/retry", status_code=200)
    async def retry_many(
        self,
        data: JSONBody[RetryBody],
        ops: NamedDependency[Operations],
        dispatch_loop: NamedDependency[DispatchLoop],
    ) -> ActionsOut:
        """Retry the given downloads, or every download in the given status."""
        if (data.download_ids is None) == (data.status is None):
            raise InvalidInput("give either download_ids or status")
        if data.download_ids is not None:
            ids = data.download_ids
        else:
            assert data.status is not None
            ids = await ops.downloads.ids_with_status([data.status])
        results = await retry_downloads(ids, ops.downloads, ops.clock)
        if any(r.done for r in results):
            dispatch_loop.wake()
        return ActionsOut.of(results)

    @post("/{download_id:int}/pause", status_code=200)
    async def pause(self, download_id: IdParam, ops: NamedDependency[Operations]) -> DownloadOut:
        """Pause a download at its downloader; it stays downloading, shown as paused."""
        args = (ops.downloads, ops.services, ops.gateway, ops.clock)
        return DownloadOut.of(await set_paused(download_id, True, *args))

    @post("/{download_id:int}/resume", status_code=200)
    async def resume(self, download_id: IdParam, ops: NamedDependency[Operations]) -> DownloadOut:
        """Resume a paused download at its downloader."""
        args = (ops.downloads, ops.services, ops.gateway, ops.clock)
        return DownloadOut.of(await set_paused(download_id, False, *args))
