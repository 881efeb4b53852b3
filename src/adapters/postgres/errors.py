"""Database errors translated into domain errors where they mean something; the rest propagate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import errors as pg

from dispatch_domain.errors import Conflict, NotFound

# Foreign keys whose violation means "the thing you named does not exist".
_MISSING: dict[str, str] = {
    "downloads_module_id_fkey": "service",
    "downloads_link_id_fkey": "link",
    "downloader_capabilities_module_id_fkey": "service",
}

# Unique constraints whose violation is a conflict with the current state.
_CONFLICTS: dict[str, str] = {
    "downloads_one_active_per_link": "the link already has an active download",
    "downloads_link_id_attempt_key": "another attempt of the link was added at the same time",
    "service_modules_service_name_key": "a service with this name already exists",
    "subscriptions_name_key": "a subscription with this name already exists",
}

_KEY = re.compile(r"^Key \([^)]*\)=\((?P<key>[^)]*)\)")


@contextmanager
def domain_errors() -> Iterator[None]:
    """Raise Conflict / NotFound for the constraints above; any other error is left as it is."""
    try:
        yield
    except pg.UniqueViolation as error:
        meaning = _CONFLICTS.get(error.diag.constraint_name or "")
        if meaning is None:
            raise
        raise Conflict(meaning) from error
    except pg.ForeignKeyViolation as error:
        what = _MISSING.get(error.diag.constraint_name or "")
        if what is None:
            raise
        raise NotFound(what, _key_of(error)) from error


def _key_of(error: pg.Error) -> object:
    match = _KEY.match(error.diag.message_detail or "")
    if match is None:
        return None
    key = match["key"]
    return int(key) if key.isdigit() else key
