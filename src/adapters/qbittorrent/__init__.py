"""qBittorrent behind the downloader port: an async WebUI API v2 client and the backend over it."""

from adapters.bittorrent import TorrentFetcher
from adapters.qbittorrent.backend import QBittorrentBackend
from adapters.qbittorrent.client import QBittorrentClient
from adapters.qbittorrent.session import ClientUnreachable, Credentials, LoginPolicy, LoginRefused

__all__ = [
    "ClientUnreachable",
    "Credentials",
    "LoginPolicy",
    "LoginRefused",
    "QBittorrentBackend",
    "QBittorrentClient",
    "TorrentFetcher",
]
