"""Transmission behind the downloader port: its RPC over httpx and the backend over it."""

from adapters.transmission.backend import TransmissionBackend
from adapters.transmission.rpc import (
    RpcCredentials,
    TransmissionRefused,
    TransmissionRpc,
    TransmissionUnreachable,
)

__all__ = [
    "RpcCredentials",
    "TransmissionBackend",
    "TransmissionRefused",
    "TransmissionRpc",
    "TransmissionUnreachable",
]
