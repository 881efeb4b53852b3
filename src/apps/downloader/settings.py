"""The downloader service's settings: who it is, where Core is, and how to reach its client."""

from __future__ import annotations

import attrs

MIB = 1024 * 1024


@attrs.frozen
class ServiceSettings:
    """This service as Core sees it, and the token guarding its routes."""

    name: str = "qbittorrent"
    host: str = "127.0.0.1"
    port: int = 8081
    advertise_host: str | None = None
    token: str | None = attrs.field(default=None, repr=False)
    core_url: str | None = None
    core_token: str | None = attrs.field(default=None, repr=False)
    register_interval: float = 300.0
    register_backoff: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
    core_timeout: float = 10.0

    @property
    def advertised_host(self) -> str:
        """The host Core should call back; a wildcard bind address is no use to Core."""
        if self.advertise_host:
            return self.advertise_host
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104


@attrs.frozen
class QBittorrentSettings:
    """Where qBittorrent's WebUI is, who to log in as, and the limits on .torrent fetching."""

    url: str = "http://127.0.0.1:8080"
    username: str = "admin"
    password: str = attrs.field(default="", repr=False)
    timeout: float = 10.0
    download_root: str | None = None
    fetch_timeout: float = 30.0
    max_torrent_bytes: int = 10 * MIB


@attrs.frozen
class Aria2Settings:
    """Where aria2's JSON-RPC is, its secret, and the limits on .torrent fetching."""

    url: str = "http://127.0.0.1:6800/jsonrpc"
    secret: str = attrs.field(default="", repr=False)
    timeout: float = 10.0
    download_root: str | None = None
    fetch_timeout: float = 30.0
    max_torrent_bytes: int = 10 * MIB
