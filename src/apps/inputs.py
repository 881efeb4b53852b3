"""What every app accepts at its edge: 64-bit ids, bounded clean text, readable JSON bodies."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Annotated, Any

from litestar import Request
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.params import Parameter
from msgspec import Meta

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

# A database id: Postgres bigint, and never zero or negative. Out of range is a 400, not a
# query that fails with NumericValueOutOfRange.
Id = Annotated[int, Meta(ge=1, le=INT64_MAX, description="a positive 64-bit id")]
# The same for a path or query parameter (Litestar checks those with its own constraints).
IdParam = Annotated[int, Parameter(ge=1, le=INT64_MAX, description="a positive 64-bit id")]
OptionalIdParam = Annotated[
    int | None, Parameter(ge=1, le=INT64_MAX, description="a positive 64-bit id")
]

# Lengths of what a fetcher sends (characters). A title or description is shown in every list
# page, so it is bounded; a URL may carry long query strings (tracker passkeys, signed links).
MAX_TITLE = 1_000
MAX_DESCRIPTION = 10_000
MAX_URL = 8_192
MAX_SAVE_PATH = 1_024
MAX_SOURCE = 200
MAX_ERROR_MESSAGE = 10_000
MAX_HOST = 253  # the longest DNS name
MAX_ENDPOINT = 200

_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
JSON_TYPES = ("application/json",)


class TextProblem(ValueError):
    """A text field that cannot be stored or shown as it is; the message names the field."""


def check_text(field: str, value: str, *, max_len: int, one_line: bool = False) -> str:
    """`value` if it fits: no NUL (Postgres text cannot hold one), at most `max_len`
    characters, and with `one_line`, no control character at all (names end up in log lines,
    and a CR or LF there could forge one)."""
    if len(value) > max_len:
        raise TextProblem(f"{field} is longer than {max_len} characters ({len(value)})")
    if "\x00" in value:
        raise TextProblem(f"{field} contains a NUL character")
    if one_line:
        bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)
        if bad is not None:
            raise TextProblem(f"{field} contains the control character U+{ord(bad):04X}")
    return value


def is_host(host: str) -> bool:
    """A DNS hostname (letters, digits, '-', '_' labels) or an IPv4/IPv6 literal."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    return len(host) <= MAX_HOST and all(_LABEL.fullmatch(label) for label in labels)


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media in JSON_TYPES or media.endswith("+json")


async def readable_json_body(request: Request[Any, Any, Any]) -> None:
    """Before any handler: a body must be JSON (415 otherwise) that decodes (400 otherwise).

    Litestar turns malformed JSON into a 400 itself, but not bytes that are not UTF-8 nor
    nesting deeper than the decoder's recursion limit; decoding here, once (the request keeps
    the result), turns those into a 400 too.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    body = await request.body()
    if not body:
        return
    if not _is_json(request.headers.get("content-type", "")):
        raise HTTPException(
            status_code=415, detail="the body must be JSON (Content-Type: application/json)"
        )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationException(
            detail=f"the body is not UTF-8 (bad byte at offset {error.start})"
        ) from None
    try:
        await request.json()
    except RecursionError:
        raise ValidationException(detail="the JSON body is nested too deeply") from None
    except SerializationException as error:
        raise ValidationException(detail=f"the body is not valid JSON: {error}") from None
