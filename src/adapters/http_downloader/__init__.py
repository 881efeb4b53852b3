"""Core's side of the downloader contract: an httpx gateway to downloader services."""

from adapters.http_downloader.gateway import HttpDownloaderGateway

__all__ = ["HttpDownloaderGateway"]
