"""Counting the SQL statements the repositories send, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

import attrs
from psycopg import AsyncCursor
from psycopg.abc import Params, Query
from psycopg.rows import Row


@attrs.define
class StatementCounter:
    """Counts statements executed through cursors made by `cursor_factory`.

    Transaction control (BEGIN / COMMIT issued by `connection.transaction()`) is not counted:
    it is the same two statements for any batch.
    """

    count: int = 0
    cursor_factory: type[AsyncCursor[Any]] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.cursor_factory = _counting_cursor(self)

    def reset(self) -> None:
        self.count = 0


def _counting_cursor(counter: StatementCounter) -> type[AsyncCursor[Any]]:
    class CountingCursor(AsyncCursor[Row]):
        async def execute(self, query: Any, params: Any = None, **options: Any) -> Self:
            counter.count += 1
            return await super().execute(query, params, **options)

        async def executemany(
            self, query: Query, params_seq: Iterable[Params], *, returning: bool = False
        ) -> None:
            # Each parameter set is a statement the server runs, pipelined or not.
            batch = list(params_seq)
            counter.count += len(batch)
            await super().executemany(query, batch, returning=returning)

    return CountingCursor
