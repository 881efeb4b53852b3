"""qBittorrent's WebUI session: one shared login at a time, restraint after a refused password."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import attrs

from dispatch_domain import BackendError

log = logging.getLogger(__name__)


class ClientUnreachable(BackendError):
    """qBittorrent did not answer (connection refused, timeout) or answered with a server error."""


class LoginRefused(BackendError):
    """qBittorrent refused the credentials or banned this address; no retry until a back-off."""

    def __init__(self, message: str, *, banned: bool = False) -> None:
        super().__init__(message)
        self.banned = banned


@attrs.frozen
class Credentials:
    """The WebUI user, held from start-up so every lost session can be renewed."""

    username: str
    password: str = attrs.field(repr=False)


@attrs.frozen
class LoginPolicy:
    """How long to wait after a refused login, and when to stop trying altogether.

    qBittorrent bans an address for an hour at its 5th failed login (by default) and only
    forgets failures after a successful login, so we stop one short of that on our own.
    """

    backoff: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0)
    max_failures: int = 4
    ban_wait: float = 3600.0


def _unobserved(outcome: str) -> None:
    return None


@attrs.define
class SessionGate:
    """Single-flight login: concurrent callers share one attempt and its outcome.

    `generation` counts successful logins; a caller that saw a 403 under generation N asks
    for a renewal of N, and if someone already renewed it, it simply retries.
    """

    _login: Callable[[], Awaitable[None]]
    policy: LoginPolicy = LoginPolicy()
    clock: Callable[[], float] = time.monotonic
    # Told of each login attempt's outcome: "ok", "refused", "banned" or "error" (metrics).
    on_attempt: Callable[[str], None] = _unobserved
    generation: int = 0
    logged_in: bool = False
    last_error: BackendError | None = None
    _refusal: LoginRefused | None = None  # kept until a login succeeds
    _failures: int = 0
    _retry_at: float = 0.0
    _attempts: int = 0
    _lock: asyncio.Lock = attrs.field(factory=asyncio.Lock)

    async def current(self) -> int:
        """The generation of a live session, logging in first if there is none."""
        if self.logged_in:
            return self.generation
        return await self.renew(self.generation)

    async def renew(self, stale: int) -> int:
        """Replace session `stale` by a new login, unless another caller already did."""
        attempts_seen = self._attempts
        async with self._lock:
            if self.generation != stale and self.logged_in:
                return self.generation
            if self._attempts != attempts_seen and self.last_error is not None:
                raise self._fresh_error()  # the attempt we queued behind failed: share its outcome
            if self._holding_back():
                raise self._fresh_error()
            self._attempts += 1
            await self._attempt()
            return self.generation

    def forget(self) -> None:
        """Drop the session (e.g. qBittorrent went away); the next call logs in again."""
        self.logged_in = False

    def reason(self) -> str | None:
        """Why there is no session, for health and errors; None while logged in."""
        if self.logged_in:
            return None
        if self._refusal is not None and self._holding_back():
            if self._gave_up():
                return (
                    f"{self._refusal} ({self._failures} times); no further login attempts, so "
                    "qBittorrent does not ban this address: fix the credentials and restart "
                    "the downloader"
                )
            wait = max(self._retry_at - self.clock(), 0.0)
            return f"{self._refusal}; next login attempt in {wait:.0f} s"
        return None if self.last_error is None else str(self.last_error)

    async def _attempt(self) -> None:
        self.logged_in = False
        try:
            await self._login()
        except LoginRefused as error:
            self.on_attempt("banned" if error.banned else "refused")
            self._note_refusal(error)
            raise self._fresh_error() from None
        except BackendError as error:
            self.on_attempt("error")
            self.last_error = error
            raise
        self.on_attempt("ok")
        self._failures, self._retry_at = 0, 0.0
        self._refusal = self.last_error = None
        self.generation += 1
        self.logged_in = True

    def _note_refusal(self, error: LoginRefused) -> None:
        self._refusal = self.last_error = error
        self._failures += 1
        if error.banned:
            wait = self.policy.ban_wait
        else:
            wait = self.policy.backoff[min(self._failures, len(self.policy.backoff)) - 1]
        self._retry_at = self.clock() + wait
        log.warning("qBittorrent refused the login: %s", self.reason())

    def _gave_up(self) -> bool:
        refused = self._refusal is not None and not self._refusal.banned
        return refused and self._failures >= self.policy.max_failures

    def _holding_back(self) -> bool:
        """Whether a refused login still forbids a new attempt (whatever failed since)."""
        if self._refusal is None:
            return False
        return self._gave_up() or self.clock() < self._retry_at

    def _fresh_error(self) -> BackendError:
        """A fresh exception for the last failure, so waiters do not share one traceback."""
        if self._refusal is not None and self._holding_back():
            return LoginRefused(self.reason() or str(self._refusal), banned=self._refusal.banned)
        error = self.last_error
        assert error is not None
        return type(error)(str(error))
