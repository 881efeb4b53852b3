"""Named SQL queries read from the package's `.sql` files, each headed by `-- name: <name>`."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from importlib import resources
from typing import LiteralString, cast

_HEADER = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


@functools.cache
def load_queries(file: str) -> Mapping[str, LiteralString]:
    """The queries of `sql/<file>.sql` by name, read on first use and then kept."""
    text = resources.files("adapters.postgres.sql").joinpath(f"{file}.sql").read_text("utf-8")
    parts = _HEADER.split(text)
    # split() gives [preamble, name1, body1, name2, body2, ...]
    queries = {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    if len(queries) != len(parts) // 2:
        raise RuntimeError(f"sql/{file}.sql names a query twice")
    # The text ships inside the package, written by us: it is as literal as a constant.
    return cast(Mapping[str, LiteralString], queries)
