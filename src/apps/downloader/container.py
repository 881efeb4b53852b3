"""The downloader service's wiring: settings in, one download backend and Core registrar out."""

from __future__ import annotations

import httpx
from dependency_injector import containers, providers

from adapters.aria2 import Aria2Backend, Aria2Rpc
from adapters.qbittorrent import (
    Credentials,
    QBittorrentBackend,
    QBittorrentClient,
    TorrentFetcher,
)
from adapters.transmission import RpcCredentials, TransmissionBackend, TransmissionRpc
from apps.downloader.metrics import DownloaderMetrics, MeteredBackend
from apps.downloader.registration import Registrar, Registration
from apps.downloader.settings import (
    Aria2Settings,
    QBittorrentSettings,
    ServiceSettings,
    TransmissionSettings,
)
from dispatch_domain import DownloadBackend


def make_qbittorrent_backend(
    settings: QBittorrentSettings,
    http: httpx.AsyncClient,
    fetch_http: httpx.AsyncClient,
    metrics: DownloaderMetrics | None = None,
) -> QBittorrentBackend:
    client = QBittorrentClient(
        http,
        settings.url,
        Credentials(settings.username, settings.password),
        timeout=settings.timeout,
        on_login=metrics.login if metrics is not None else None,
    )
    fetcher = TorrentFetcher(
        fetch_http, max_bytes=settings.max_torrent_bytes, timeout=settings.fetch_timeout
    )
    return QBittorrentBackend(client, fetcher, download_root=settings.download_root)


def make_aria2_backend(
    settings: Aria2Settings, http: httpx.AsyncClient, fetch_http: httpx.AsyncClient
) -> Aria2Backend:
    rpc = Aria2Rpc(http, settings.url, settings.secret, timeout=settings.timeout)
    fetcher = TorrentFetcher(
        fetch_http, max_bytes=settings.max_torrent_bytes, timeout=settings.fetch_timeout
    )
    return Aria2Backend(rpc, fetcher, download_root=settings.download_root)


def make_transmission_backend(
    settings: TransmissionSettings, http: httpx.AsyncClient, fetch_http: httpx.AsyncClient
) -> TransmissionBackend:
    credentials = (
        RpcCredentials(settings.username, settings.password) if settings.username else None
    )
    rpc = TransmissionRpc(http, settings.url, credentials, timeout=settings.timeout)
    fetcher = TorrentFetcher(
        fetch_http, max_bytes=settings.max_torrent_bytes, timeout=settings.fetch_timeout
    )
    return TransmissionBackend(rpc, fetcher, download_root=settings.download_root)


def make_registrar(
    settings: ServiceSettings, backend: DownloadBackend, http: httpx.AsyncClient
) -> Registrar | None:
    """The Core registrar, or None when no Core URL is configured."""
    if not settings.core_url:
        return None
    registration = Registration.of(
        settings.name, settings.advertised_host, settings.port, backend.supported_types
    )
    return Registrar(
        http,
        settings.core_url,
        registration,
        core_token=settings.core_token,
        interval=settings.register_interval,
        backoff=settings.register_backoff,
        timeout=settings.core_timeout,
    )


class DownloaderContainer(containers.DeclarativeContainer):
    """Override `backend` to serve another download client (or a fake) behind the same routes."""

    service = providers.Object(ServiceSettings())
    qbittorrent = providers.Object(QBittorrentSettings())
    aria2 = providers.Object(Aria2Settings())
    transmission = providers.Object(TransmissionSettings())

    qbittorrent_http = providers.Singleton(httpx.AsyncClient)
    # A separate client for .torrent URLs, so qBittorrent's session cookie never leaves.
    fetch_http = providers.Singleton(httpx.AsyncClient)
    core_http = providers.Singleton(httpx.AsyncClient)
    aria2_http = providers.Singleton(httpx.AsyncClient)
    transmission_http = providers.Singleton(httpx.AsyncClient)

    metrics = providers.Singleton(DownloaderMetrics)  # one registry per container, so per app
    backend = providers.Singleton(
        make_qbittorrent_backend,
        settings=qbittorrent,
        http=qbittorrent_http,
        fetch_http=fetch_http,
        metrics=metrics,
    )
    # What the routes call: whichever backend is provided, its calls counted and timed.
    metered_backend = providers.Singleton(MeteredBackend, inner=backend, metrics=metrics)
    registrar = providers.Singleton(
        make_registrar, settings=service, backend=backend, http=core_http
    )


def make_container(
    service: ServiceSettings,
    qbittorrent: QBittorrentSettings | None = None,
    *,
    aria2: Aria2Settings | None = None,
    transmission: TransmissionSettings | None = None,
) -> DownloaderContainer:
    """A container serving qBittorrent, or aria2 or Transmission when its settings are given."""
    container = DownloaderContainer()
    container.service.override(providers.Object(service))
    if qbittorrent is not None:
        container.qbittorrent.override(providers.Object(qbittorrent))
    if aria2 is not None:
        container.aria2.override(providers.Object(aria2))
        container.backend.override(
            providers.Singleton(
                make_aria2_backend,
                settings=container.aria2,
                http=container.aria2_http,
                fetch_http=container.fetch_http,
            )
        )
    if transmission is not None:
        container.transmission.override(providers.Object(transmission))
        container.backend.override(
            providers.Singleton(
                make_transmission_backend,
                settings=container.transmission,
                http=container.transmission_http,
                fetch_http=container.fetch_http,
            )
        )
    return container


async def close_clients(container: DownloaderContainer) -> None:
    """Close the container's HTTP clients (making one just to close it costs no I/O)."""
    clients = (
        container.qbittorrent_http,
        container.aria2_http,
        container.transmission_http,
        container.fetch_http,
        container.core_http,
    )
    for provider in clients:
        await provider().aclose()
        provider.reset()
