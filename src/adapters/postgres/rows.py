"""Row factories: database rows mapped explicitly to the domain's attrs classes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dispatch_domain.cascade import LinkToPlace
from dispatch_domain.health import Health
from dispatch_domain.model import Capabilities, DownloadView, ServiceModule, Tracked
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, RemoteState, ServiceType


def link_to_place(  # one argument per column of claim_due
    download_id: int,
    url: str,
    download_type: str,
    save_path: str | None,
    preferred: str | None,
    excluded: Sequence[int] = (),
) -> LinkToPlace:
    return LinkToPlace(
        download_id,
        url,
        DownloadType(download_type),
        save_path,
        preferred,
        excluded=frozenset(excluded),
    )


# A poll reads tens of thousands of these rows: a dict lookup is several times cheaper than
# calling the enum.
_STATUSES = {status.value: status for status in DownloadStatus}


def tracked(  # one argument per column of the tracked query
    download_id: int,
    module_id: int,
    remote_id: str,
    status: str,
    progress: float,
    downloaded: int | None,
    progress_at: datetime | None,
    link_id: int,
    attempt: int,
    download_type: str | None,
    stalled_at: Sequence[int],
) -> Tracked:
    return Tracked(
        download_id,
        module_id,
        remote_id,
        _STATUSES[status],
        progress=progress,
        downloaded=downloaded,
        progress_at=progress_at,
        link_id=link_id,
        attempt=attempt,
        download_type=DownloadType(download_type) if download_type else None,
        stalled_at=frozenset(stalled_at),
    )


def download_view(
    *, download_type: str, status: str, remote_state: str | None, **columns: Any
) -> DownloadView:
    """A row of download_views; its other columns are named as DownloadView's fields."""
    return DownloadView(
        download_type=DownloadType(download_type),
        status=DownloadStatus(status),
        remote_state=RemoteState(remote_state) if remote_state is not None else None,
        **columns,
    )


def service_module(  # one argument per column of service_module_views
    *,
    module_id: int,
    service_type: str,
    service_name: str,
    host: str,
    port: int,
    fetch_endpoint: str | None,
    download_endpoint: str | None,
    sync_endpoint: str | None,
    priority: int,
    is_enabled: bool,
    health_failures: int,
    backoff_until: datetime | None,
    last_seen_at: datetime | None,
    last_error: str | None,
    poll_claimed_until: datetime | None,
    registered_at: datetime,
    updated_at: datetime,
    download_types: Sequence[str],
) -> ServiceModule:
    del poll_claimed_until  # the poller's bookkeeping, not part of what a module is
    return ServiceModule(
        module_id=module_id,
        service_type=ServiceType(service_type),
        service_name=service_name,
        host=host,
        port=port,
        capabilities=Capabilities(
            supported_download_types=frozenset(DownloadType(t) for t in download_types),
            fetch_endpoint=fetch_endpoint,
            download_endpoint=download_endpoint,
            sync_endpoint=sync_endpoint,
        ),
        priority=priority,
        is_enabled=is_enabled,
        health=Health(health_failures, backoff_until, last_seen_at, last_error),
        registered_at=registered_at,
        updated_at=updated_at,
    )
