"""aria2 behind the downloader port: its JSON-RPC and the backend over it."""

from adapters.aria2.backend import Aria2Backend
from adapters.aria2.rpc import Aria2Refused, Aria2Rpc, Aria2Unreachable

__all__ = ["Aria2Backend", "Aria2Refused", "Aria2Rpc", "Aria2Unreachable"]
