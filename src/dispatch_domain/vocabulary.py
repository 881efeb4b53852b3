"""The domain's words: kinds of download and the statuses a download goes through."""

from __future__ import annotations

from enum import StrEnum


class DownloadType(StrEnum):
    """What kind of link a download starts from; downloaders declare which they take."""

    MAGNET = "magnet"
    TORRENT = "torrent"
    HTTP = "http"

    @property
    def is_bittorrent(self) -> bool:
        """Followed by its info-hash (its remote id is the lowercase hex info-hash)."""
        return self in (DownloadType.MAGNET, DownloadType.TORRENT)


class DownloadStatus(StrEnum):
    """Where one download attempt stands, as Core sees it."""

    PENDING = "pending"
    DOWNLOADING = "downloading"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DOWNLOADER_ERROR = "downloader_error"
    NO_DOWNLOADER = "no_downloader"


class RemoteState(StrEnum):
    """What a downloader service reports for one of its downloads (the wire contract's words)."""

    DOWNLOADING = "downloading"
    PAUSED = "paused"
    COMPLETED = "completed"
    ERROR = "error"
    NOT_FOUND = "not_found"


class ServiceType(StrEnum):
    """The kinds of service that register with Core."""

    DOWNLOADER = "downloader"
    FETCHER = "fetcher"
    VIEWER = "viewer"
