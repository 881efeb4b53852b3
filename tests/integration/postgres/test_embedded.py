"""The embedded server: its data survives a restart, and root never keeps it in a home folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from adapters.postgres.embedded import ROOT_DATA_DIR, default_data_dir, start_embedded

pytestmark = pytest.mark.real

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root's data dir is fixed")


@pytest.fixture
def scratch() -> Iterator[Path]:
    # Under /tmp on purpose: as root the server opens up every parent of its data dir.
    folder = Path(tempfile.mkdtemp(prefix="dispatch-embedded-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_data_survives_a_stop_and_a_restart(scratch):
    data_dir = scratch / "nested" / "postgres"
    server = start_embedded(data_dir)
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (value text)")
        conn.execute("INSERT INTO kept VALUES ('still here')")
    server.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url, connect_timeout=2).close()

    again = start_embedded(data_dir, cleanup="delete")
    try:
        with psycopg.connect(again.url) as conn:
            assert conn.execute("SELECT value FROM kept").fetchall() == [("still here",)]
    finally:
        again.stop()
    assert not data_dir.exists()


@as_root
def test_root_keeps_its_data_outside_every_home_folder():
    assert default_data_dir() == ROOT_DATA_DIR == Path("/var/lib/bangumi-dispatch/postgres")


@as_root
def test_root_may_not_put_the_data_in_a_home_folder():
    target = Path.home() / "bangumi-dispatch-must-not-exist" / "postgres"
    mode = Path.home().stat().st_mode

    with pytest.raises(ValueError, match="home folder"):
        start_embedded(target)

    assert not target.parent.exists()
    assert Path.home().stat().st_mode == mode
