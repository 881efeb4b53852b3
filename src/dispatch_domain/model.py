"""Domain values: what fetchers report, what services register, and how downloads are shown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from dispatch_domain.cascade import Downloader, LinkToPlace
from dispatch_domain.health import Health
from dispatch_domain.status import TRACKED
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, RemoteState, ServiceType


@attrs.frozen
class FetchedItem:
    """One link a fetcher found; `index` is its position in the fetcher's post."""

    index: int
    title: str
    download_url: str
    description: str | None = None
    pub_date: datetime | None = None
    save_path: str | None = None


@attrs.frozen
class ItemProblem:
    """Why the item at `index` of a post will not be downloaded."""

    index: int
    reason: str


@attrs.frozen
class FetcherReport:
    """One fetcher post: its items, plus the ones that were malformed on arrival."""

    fetcher_source: str
    success: bool = True
    items: tuple[FetchedItem, ...] = ()
    malformed: tuple[ItemProblem, ...] = ()
    subscription_id: int | None = None
    error_message: str | None = None


@attrs.frozen
class NewLink:
    """A fetched item made ready to store; `download_type` None means kept but never dispatched."""

    item: FetchedItem
    url: str
    download_type: DownloadType | None
    info_hash: str | None = None
    save_path: str | None = None
    reason: str | None = None


@attrs.frozen
class Stored:
    """What storing a post did: new links, duplicates, and the new pending downloads."""

    links_created: int
    duplicates: int
    download_ids: tuple[int, ...]
    placeable: tuple[LinkToPlace, ...] = ()  # the new downloads, ready for the cascade


@attrs.frozen
class IngestResult:
    items_received: int
    links_created: int
    duplicates: int
    problems: tuple[ItemProblem, ...]
    download_ids: tuple[int, ...]
    claimed: tuple[LinkToPlace, ...] = ()  # new downloads the caller claimed to dispatch itself

    @property
    def invalid(self) -> int:
        return len(self.problems)


@attrs.frozen
class Capabilities:
    supported_download_types: frozenset[DownloadType] = frozenset()
    fetch_endpoint: str | None = None
    download_endpoint: str | None = None
    sync_endpoint: str | None = None


@attrs.frozen
class Registration:
    """A service announcing itself; `priority` None keeps the current (or default) priority."""

    service_type: ServiceType
    service_name: str
    host: str
    port: int
    capabilities: Capabilities = Capabilities()
    priority: int | None = None


DEFAULT_PRIORITY = 50


@attrs.frozen
class ServiceModule:
    """A registered service, with the operator's settings and its health."""

    module_id: int
    service_type: ServiceType
    service_name: str
    host: str
    port: int
    capabilities: Capabilities
    priority: int = DEFAULT_PRIORITY
    is_enabled: bool = True
    health: Health = attrs.field(factory=Health)
    registered_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def as_downloader(self) -> Downloader:
        return Downloader(
            module_id=self.module_id,
            name=self.service_name,
            base_url=self.base_url,
            download_types=self.capabilities.supported_download_types,
            priority=self.priority,
            health=self.health,
        )


@attrs.frozen
class Registered:
    """The outcome of a registration: the module, and the address it had before, if it moved."""

    module: ServiceModule
    created: bool
    previous_address: str | None = None
    released: int = 0


@attrs.frozen
class ServicePatch:
    priority: int | None = None
    is_enabled: bool | None = None


@attrs.frozen
class DownloadView:
    """One download attempt as users see it."""

    download_id: int
    link_id: int
    url: str
    title: str
    download_type: DownloadType
    status: DownloadStatus
    attempts: int
    created_at: datetime
    updated_at: datetime
    module_id: int | None = None
    downloader: str | None = None
    remote_id: str | None = None  # what its downloader follows it by, once accepted
    progress: float = 0.0
    size: int | None = None
    reason: str | None = None
    remote_state: RemoteState | None = None
    content_path: str | None = None
    downloaded: int | None = None  # bytes, as its client counts them
    download_speed: int | None = None  # bytes per second
    eta: int | None = None  # seconds left, when its client can tell
    peers: int | None = None
    seeds: int | None = None
    client_state: str | None = None  # the client's own word, e.g. metaDL, stalledDL
    has_metadata: bool | None = None
    progress_at: datetime | None = None  # when it last made progress
    next_attempt_at: datetime | None = None

    @property
    def at_downloader(self) -> bool:
        """Followed at a downloader (any type): it can be polled, cancelled, paused there."""
        return self.status in TRACKED and self.module_id is not None and bool(self.remote_id)


@attrs.frozen
class DownloadFilter:
    status: DownloadStatus | None = None
    module_id: int | None = None
    link_id: int | None = None
    limit: int = 100
    offset: int = 0


@attrs.frozen
class Page:
    items: tuple[DownloadView, ...]
    total: int
    limit: int
    offset: int


@attrs.frozen
class Tracked:
    """A download at a downloader, followed by the poller."""

    download_id: int
    module_id: int
    remote_id: str
    status: DownloadStatus
    progress: float = 0.0
    downloaded: int | None = None
    progress_at: datetime | None = None  # when it last made progress; None: not yet polled
    link_id: int = 0
    attempt: int = 1
    download_type: DownloadType | None = None  # its link's type (None: not known here)
    stalled_at: frozenset[int] = frozenset()  # downloaders an attempt of its link stalled at


StatusCounts = Mapping[DownloadStatus, int]
