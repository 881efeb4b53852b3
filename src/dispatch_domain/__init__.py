"""bangumi-dispatch's pure domain: link detection, info-hashes, statuses, the cascade and its ports."""

from dispatch_domain.answers import (
    Accepted,
    AddRequest,
    AddResult,
    Answered,
    CancelReport,
    Rejected,
    RemoteStatus,
    StatusReport,
    Unreachable,
)
from dispatch_domain.backend import BackendError, BackendHealth, DownloadBackend
from dispatch_domain.detection import (
    DEFAULT_CHAIN,
    Detector,
    DetectorChain,
    HttpDetector,
    MagnetDetector,
    TorrentDetector,
    detect_download_type,
)
from dispatch_domain.errors import Conflict, DispatchError, InvalidInput, NotFound
from dispatch_domain.infohash import InfoHash, InvalidInfoHash, InvalidMagnet
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, RemoteState, ServiceType

__all__ = [
    "DEFAULT_CHAIN",
    "Accepted",
    "AddRequest",
    "AddResult",
    "Answered",
    "BackendError",
    "BackendHealth",
    "CancelReport",
    "Conflict",
    "Detector",
    "DetectorChain",
    "DispatchError",
    "DownloadBackend",
    "DownloadStatus",
    "DownloadType",
    "HttpDetector",
    "InfoHash",
    "InvalidInfoHash",
    "InvalidInput",
    "InvalidMagnet",
    "MagnetDetector",
    "NotFound",
    "Rejected",
    "RemoteState",
    "RemoteStatus",
    "ServiceType",
    "StatusReport",
    "TorrentDetector",
    "Unreachable",
    "detect_download_type",
]
