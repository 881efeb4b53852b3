"""Retrying a whole transaction that Postgres aborted to break a deadlock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from psycopg import errors as pg

T = TypeVar("T")

ATTEMPTS = 3


async def on_deadlock(transaction: Callable[[], Awaitable[T]]) -> T:
    """Run `transaction`, again if Postgres picked it as a deadlock victim.

    Concurrent posts insert in URL order, which rules out deadlocks on URLs; two posts can
    still cross on info-hashes (same torrent, different URLs in opposite order). The victim
    was rolled back whole, so running it again is safe.
    """
    for _ in range(ATTEMPTS - 1):
        try:
            return await transaction()
        except pg.DeadlockDetected:
            continue
    return await transaction()
