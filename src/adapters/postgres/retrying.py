"""Retrying a whole transaction that Postgres aborted to break a deadlock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from psycopg import errors as pg

T = TypeVar("T")

ATTEMPTS = 3


async def on_deadlock(transaction: Callable[[], Awaitable[T]]) -> T:
    """Run `transaction`, again if Postgres picked it as a deadlock victim.

    A bulk UPDATE locks its rows in whatever order the plan visits them, so two of them over
    overlapping rows (a cancel and a poll) can deadlock. The victim was rolled back whole, so
    running it again is safe. Storing posts inserts in a fixed key order and should never
    need this; it is there in case.
    """
    for _ in range(ATTEMPTS - 1):
        try:
            return await transaction()
        except pg.DeadlockDetected:
            continue
    return await transaction()
