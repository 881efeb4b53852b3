"""`bangumi-dispatch migrate`, on a given database and on the embedded default."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

from adapters.postgres import start_embedded


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "apps.cli", *args]
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | (env or {})
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {name for (name,) in rows}


async def test_migrate_applies_the_schema_to_the_given_database(pg_empty_url: str) -> None:
    first = _run("migrate", "--database-url", pg_empty_url)
    assert first.returncode == 0, first.stderr
    assert {"downloads", "anime_links", "service_modules", "schema_migrations"} <= _tables(
        pg_empty_url
    )
    again = _run("migrate", env={"DATABASE_URL": pg_empty_url})
    assert again.returncode == 0, again.stderr


def test_with_no_database_url_the_embedded_postgres_keeps_its_data_folder() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cli-embedded-", dir="/tmp")) / "pg"
    done = _run("migrate", "--data-dir", str(folder))
    assert done.returncode == 0, done.stderr
    assert (folder / "PG_VERSION").exists(), "the cluster stays for the next start"
    server = start_embedded(folder, cleanup="delete")
    try:
        assert "downloads" in _tables(server.url)
    finally:
        server.stop()
