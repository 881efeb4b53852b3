"""The downloader service's settings: who it is, where Core is, and how to reach its client.

Each setting is defined once in a table (option, environment variable, default, help): one
table for what every downloader service shares (`service_table`) and one per backend.
"""

from __future__ import annotations

from typing import Any

import attrs

from apps.settings_table import (
    CORE_PORT,
    DOWNLOADER_PORTS,
    LOGGING,
    METRICS,
    Setting,
    SettingsTable,
)

MIB = 1024 * 1024
LOOPBACK = "127.0.0.1"
CORE_URL = f"http://{LOOPBACK}:{CORE_PORT}"

QBITTORRENT_PORT = DOWNLOADER_PORTS["qbittorrent"]
ARIA2_PORT = DOWNLOADER_PORTS["aria2"]
TRANSMISSION_PORT = DOWNLOADER_PORTS["transmission"]
# aria2's RPC secret is never a flag (flags show in the process list): only this variable.
ARIA2_SECRET = "ARIA2_SECRET"  # noqa: S105 - the variable's name, not a secret


def service_table(backend: str, port: int) -> SettingsTable:
    """What every downloader service shares, with the backend's own name and port."""
    return SettingsTable(
        f"downloader service ({backend})",
        (
            Setting("host", "DOWNLOADER_HOST", LOOPBACK, "address to listen on", flag="--host"),
            Setting("port", "DOWNLOADER_PORT", port, "port to listen on", flag="--port",
                    kind=int),
            Setting("name", "DOWNLOADER_NAME", backend, "the name this service registers under",
                    flag="--name"),
            Setting("advertise_host", "DOWNLOADER_ADVERTISE_HOST", None,
                    "host Core should call back", flag="--advertise-host",
                    shown="`--host` (or `127.0.0.1` for a wildcard)"),
            Setting("token", "DOWNLOADER_TOKEN", None,
                    "bearer token every caller must send; required unless bound to loopback",
                    flag="--token"),
            Setting("core_url", "CORE_URL", CORE_URL,
                    "Core's base URL, to register with (`''`: do not register)",
                    flag="--core-url", shown=f"`{CORE_URL}`"),
            Setting("core_token", "DISPATCH_API_TOKEN", None, "bearer token for Core's API",
                    flag="--core-token"),
            Setting("register_interval", "DOWNLOADER_REGISTER_INTERVAL", 300.0,
                    "seconds between re-registrations with Core", flag="--register-interval",
                    kind=float),
        ),
    ) + LOGGING + METRICS  # fmt: skip


QBITTORRENT_SERVICE = service_table("qbittorrent", QBITTORRENT_PORT)

QBITTORRENT = SettingsTable(
    "qBittorrent",
    (
        Setting("qbittorrent_url", "QBITTORRENT_URL", "http://127.0.0.1:8080",
                "qBittorrent's WebUI address (qBittorrent's own default)",
                flag="--qbittorrent-url", shown="`http://127.0.0.1:8080`"),
        Setting("qbittorrent_username", "QBITTORRENT_USERNAME", "admin", "WebUI user",
                flag="--qbittorrent-username"),
        Setting("qbittorrent_password", "QBITTORRENT_PASSWORD", None,
                "WebUI password; prefer the environment or a file",
                flag="--qbittorrent-password", shown="none (required)"),
        Setting("qbittorrent_password_file", "QBITTORRENT_PASSWORD_FILE", None,
                "file holding the WebUI password (Docker secrets)",
                flag="--qbittorrent-password-file"),
        Setting("qbittorrent_timeout", "QBITTORRENT_TIMEOUT", 10.0,
                "seconds to wait for each WebUI call", flag="--qbittorrent-timeout", kind=float),
        Setting("download_root", "DOWNLOAD_ROOT", None,
                "folder, as qBittorrent sees it, that save paths live under",
                flag="--download-root", shown="qBittorrent's default save path"),
    ),
)  # fmt: skip


ARIA2_SERVICE = service_table("aria2", ARIA2_PORT)

ARIA2 = SettingsTable(
    "aria2",
    (
        Setting("aria2_url", "ARIA2_URL", "http://127.0.0.1:6800/jsonrpc",
                "aria2's JSON-RPC address (aria2's own default)", flag="--aria2-url",
                shown="`http://127.0.0.1:6800/jsonrpc`"),
        Setting("aria2_secret", ARIA2_SECRET, None,
                "aria2's `--rpc-secret`; from the environment only", shown="none (required)"),
        Setting("aria2_timeout", "ARIA2_TIMEOUT", 10.0, "seconds to wait for each RPC call",
                flag="--aria2-timeout", kind=float),
        Setting("download_root", "DOWNLOAD_ROOT", None,
                "folder, as aria2 sees it, that save paths live under", flag="--download-root",
                shown="aria2's own `--dir`"),
    ),
)  # fmt: skip


TRANSMISSION_SERVICE = service_table("transmission", TRANSMISSION_PORT)

# The RPC password is never a flag (flags show in the process list): the environment or a file.
TRANSMISSION = SettingsTable(
    "Transmission",
    (
        Setting("transmission_url", "TRANSMISSION_URL", "http://127.0.0.1:9091/transmission/rpc",
                "Transmission's RPC address (Transmission's own default)",
                flag="--transmission-url", shown="`http://127.0.0.1:9091/transmission/rpc`"),
        Setting("transmission_username", "TRANSMISSION_USERNAME", None,
                "RPC user, when Transmission has `rpc-authentication-required`",
                flag="--transmission-username", shown="none (no authentication)"),
        Setting("transmission_password", "TRANSMISSION_PASSWORD", None,
                "RPC password; from the environment only", shown="none"),
        Setting("transmission_password_file", "TRANSMISSION_PASSWORD_FILE", None,
                "file holding the RPC password (Docker secrets)",
                flag="--transmission-password-file"),
        Setting("transmission_timeout", "TRANSMISSION_TIMEOUT", 10.0,
                "seconds to wait for each RPC call", flag="--transmission-timeout", kind=float),
        Setting("download_root", "DOWNLOAD_ROOT", None,
                "folder, as Transmission sees it, that save paths live under",
                flag="--download-root", shown="Transmission's `download-dir`"),
    ),
)  # fmt: skip


def _default(table: SettingsTable, name: str) -> Any:
    return attrs.field(default=table.default(name))


@attrs.frozen
class ServiceSettings:
    """This service as Core sees it, and the token guarding its routes. Built in code (tests,
    embedding) it registers nowhere unless given a `core_url`; the command line's default
    registers with a Core on this machine."""

    name: str = _default(QBITTORRENT_SERVICE, "name")
    host: str = _default(QBITTORRENT_SERVICE, "host")
    port: int = _default(QBITTORRENT_SERVICE, "port")
    advertise_host: str | None = None
    token: str | None = attrs.field(default=None, repr=False)
    core_url: str | None = None
    core_token: str | None = attrs.field(default=None, repr=False)
    register_interval: float = _default(QBITTORRENT_SERVICE, "register_interval")
    register_backoff: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
    core_timeout: float = 10.0
    metrics_loopback_open: bool = _default(QBITTORRENT_SERVICE, "metrics_loopback_open")

    @property
    def advertised_host(self) -> str:
        """The host Core should call back; a wildcard bind address is no use to Core."""
        if self.advertise_host:
            return self.advertise_host
        return LOOPBACK if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104


@attrs.frozen
class QBittorrentSettings:
    """Where qBittorrent's WebUI is, who to log in as, and the limits on .torrent fetching."""

    url: str = _default(QBITTORRENT, "qbittorrent_url")
    username: str = _default(QBITTORRENT, "qbittorrent_username")
    password: str = attrs.field(default="", repr=False)
    timeout: float = _default(QBITTORRENT, "qbittorrent_timeout")
    download_root: str | None = None
    fetch_timeout: float = 30.0
    max_torrent_bytes: int = 10 * MIB


@attrs.frozen
class Aria2Settings:
    """Where aria2's JSON-RPC is, its secret, and the limits on .torrent fetching."""

    url: str = _default(ARIA2, "aria2_url")
    secret: str = attrs.field(default="", repr=False)
    timeout: float = _default(ARIA2, "aria2_timeout")
    download_root: str | None = None
    fetch_timeout: float = 30.0
    max_torrent_bytes: int = 10 * MIB


@attrs.frozen
class TransmissionSettings:
    """Where Transmission's RPC is, its optional user, and the limits on .torrent fetching."""

    url: str = _default(TRANSMISSION, "transmission_url")
    username: str | None = None
    password: str = attrs.field(default="", repr=False)
    timeout: float = _default(TRANSMISSION, "transmission_timeout")
    download_root: str | None = None
    fetch_timeout: float = 30.0
    max_torrent_bytes: int = 10 * MIB
