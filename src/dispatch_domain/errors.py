"""The domain's error root and the errors every layer may translate into."""

from __future__ import annotations


class DispatchError(Exception):
    """Root of every error the domain raises on purpose."""


class NotFound(DispatchError):
    """A thing asked for by id does not exist."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!r} does not exist")
        self.what = what
        self.key = key


class Conflict(DispatchError):
    """The request contradicts the current state (a name already taken, an open attempt)."""


class InvalidInput(DispatchError, ValueError):
    """A value from outside broke a domain rule; the message says which."""


ACTIVE_AT_SERVICE = (
    "the service still has active downloads (pending, downloading or downloader_error): "
    "cancel them or let them finish first"
)
