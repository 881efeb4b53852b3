"""What an operator does to downloads: cancel, retry, pause and resume."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import attrs

from dispatch_domain.answers import Unreachable, remote_key
from dispatch_domain.errors import Conflict, DispatchError
from dispatch_domain.model import DownloadView
from dispatch_domain.ports import Clock, DownloaderGateway, DownloadRepository, ServiceRepository
from dispatch_domain.status import CANCELLABLE, RETRYABLE, DownloadEvent
from dispatch_domain.transition import Transition
from dispatch_domain.vocabulary import DownloadStatus, RemoteState

NO_SUCH_DOWNLOAD = "no such download"


class DownloaderUnavailable(DispatchError):
    """The downloader holding a download did not answer; nothing was changed."""


@attrs.frozen
class ActionResult:
    """One download's outcome of an operator action; `new_download_id` is set by a retry."""

    download_id: int
    done: bool
    status: DownloadStatus | None = None
    reason: str | None = None
    new_download_id: int | None = None


async def cancel_downloads(
    download_ids: Collection[int],
    downloads: DownloadRepository,
    services: ServiceRepository,
    gateway: DownloaderGateway,
    clock: Clock,
) -> list[ActionResult]:
    """Cancel each download: at its downloader first (its answer honoured), else locally.

    The answer is read back after the update, so a download that finished meanwhile is
    reported as it really is.
    """
    views = {view.download_id: view for view in await downloads.views(download_ids)}
    refusals: dict[int, str] = {}
    held: dict[int, list[DownloadView]] = defaultdict(list)
    for view in views.values():
        if view.status not in CANCELLABLE:
            refusals[view.download_id] = f"a {view.status} download cannot be cancelled"
        elif view.at_downloader:
            held[view.module_id or 0].append(view)
    shared = await _shared(held, views.keys(), downloads)
    for module_id, group in held.items():
        alone = [view for view in group if (module_id, view.remote_id) not in shared]
        if alone:
            refusals.update(await _cancel_at(module_id, alone, services, gateway))
    to_cancel = [i for i, view in views.items() if view.status in CANCELLABLE and i not in refusals]
    reason = "cancelled by the operator"
    await downloads.apply(
        [Transition(i, DownloadEvent.CANCEL, reason=reason) for i in to_cancel], clock.now()
    )
    after = {view.download_id: view for view in await downloads.views(download_ids)}
    return [_cancel_result(i, after.get(i), refusals.get(i)) for i in sorted(set(download_ids))]


async def _shared(
    held: dict[int, list[DownloadView]], cancelling: Collection[int], downloads: DownloadRepository
) -> set[tuple[int, str]]:
    """The remote ids another active download still needs: those stay at their downloader
    (a .torrent URL and a magnet of one torrent are one download there)."""
    pairs = {(m, v.remote_id) for m, group in held.items() for v in group if v.remote_id}
    return await downloads.shared_remote_ids(pairs, cancelling) if pairs else set()


async def _cancel_at(
    module_id: int,
    group: list[DownloadView],
    services: ServiceRepository,
    gateway: DownloaderGateway,
) -> dict[int, str]:
    """Ask the downloader to cancel `group`; the downloads it could not be asked about, and why."""
    downloader = (await services.get(module_id)).as_downloader()
    answer = await gateway.cancel(downloader, sorted({v.remote_id or "" for v in group}))
    if isinstance(answer, Unreachable):
        why = f"{downloader.name} did not answer: {answer.reason}; nothing was cancelled"
        return {view.download_id: why for view in group}
    # Cancelled, or no longer there: either way it is gone. One it could not drop stays.
    failed = {remote_key(i): why for i, why in answer.failed.items()}
    return {
        view.download_id: f"{downloader.name} could not cancel it: {failed[key]}"
        for view in group
        if (key := remote_key(view.remote_id or "")) in failed
    }


def _cancel_result(
    download_id: int, view: DownloadView | None, refusal: str | None
) -> ActionResult:
    if view is None:
        return ActionResult(download_id, False, reason=NO_SUCH_DOWNLOAD)
    done = view.status is DownloadStatus.CANCELLED and refusal is None
    return ActionResult(download_id, done, view.status, refusal)


async def retry_downloads(
    download_ids: Collection[int], downloads: DownloadRepository, clock: Clock
) -> list[ActionResult]:
    """A new attempt for each retryable download; the old one stays as history."""
    views = {view.download_id: view for view in await downloads.views(download_ids)}
    retried = await downloads.retry(list(views), clock.now())
    results = []
    for download_id in sorted(set(download_ids)):
        view = views.get(download_id)
        if download_id in retried:
            results.append(
                ActionResult(
                    download_id, True, DownloadStatus.PENDING, new_download_id=retried[download_id]
                )
            )
        elif view is None:
            results.append(ActionResult(download_id, False, reason=NO_SUCH_DOWNLOAD))
        else:
            results.append(ActionResult(download_id, False, view.status, _why_not_retried(view)))
    return results


def _why_not_retried(view: DownloadView) -> str:
    if view.status not in RETRYABLE:
        return f"a {view.status} download cannot be retried"
    return "its link already has a newer or active attempt"


async def set_paused(
    download_id: int,
    paused: bool,
    downloads: DownloadRepository,
    services: ServiceRepository,
    gateway: DownloaderGateway,
    clock: Clock,
) -> DownloadView:
    """Pause or resume a download at its downloader and show it so."""
    view = await downloads.get(download_id)
    if not view.at_downloader or view.status is not DownloadStatus.DOWNLOADING:
        raise Conflict(f"download {download_id} is {view.status}, not downloading at a downloader")
    downloader = (await services.get(view.module_id or 0)).as_downloader()
    toggle = gateway.pause if paused else gateway.resume
    answer = await toggle(downloader, view.remote_id or "")
    if isinstance(answer, Unreachable):
        raise DownloaderUnavailable(f"{downloader.name} did not answer: {answer.reason}")
    if not answer:
        raise Conflict(f"{downloader.name} no longer has download {download_id}")
    state = RemoteState.PAUSED if paused else RemoteState.DOWNLOADING
    change = Transition(download_id, DownloadEvent.REPORTED_DOWNLOADING, remote_state=state)
    await downloads.apply([change], clock.now())
    return await downloads.get(download_id)
