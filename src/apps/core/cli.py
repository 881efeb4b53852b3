"""Core's subcommands: `serve` (Core on its database) and `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
from typing import Any

import attrs

from apps.logs import configure_logging

log = logging.getLogger("bangumi_dispatch.core")


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="run Core (embedded Postgres unless DATABASE_URL is set)"
    )
    _database_options(serve)
    serve.add_argument("--host", help="address to listen on (env DISPATCH_HOST; default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, help="port to listen on (env DISPATCH_PORT; default 8080)"
    )
    serve.add_argument(
        "--poll-interval",
        type=float,
        help="seconds between status polls (env DOWNLOAD_POLL_INTERVAL; default 60)",
    )
    serve.add_argument(
        "--dispatch-wait",
        type=float,
        help="seconds a fetcher post waits for dispatch (env DISPATCH_WAIT; default 10)",
    )
    serve.set_defaults(run=serve_command)

    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    _database_options(migrate)
    migrate.set_defaults(run=migrate_command)


def _database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", help="Postgres URL (env DATABASE_URL); none: embedded Postgres"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="embedded Postgres data folder (env DISPATCH_DATA_DIR)"
    )


def settings_from(args: argparse.Namespace) -> Any:
    from apps.core.settings import CoreSettings

    settings = CoreSettings.from_env()
    given = {
        "database_url": args.database_url,
        "data_dir": args.data_dir,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "poll_interval": getattr(args, "poll_interval", None),
        "dispatch_wait": getattr(args, "dispatch_wait", None),
    }
    return attrs.evolve(settings, **{k: v for k, v in given.items() if v is not None})


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from apps.core.app import create_app
    from apps.core.container import CoreContainer
    from apps.network import is_loopback

    settings = settings_from(args)
    configure_logging(settings.log_level)
    host = settings.bind_host()
    if not settings.api_token:
        if not is_loopback(settings.host):
            log.warning(
                "no DISPATCH_API_TOKEN: refusing to listen on %s, listening on %s only",
                settings.host,
                host,
            )
        else:
            log.warning(
                "no DISPATCH_API_TOKEN: Core listens on loopback (%s) only; set a token to open it",
                host,
            )
    app = create_app(CoreContainer(settings=settings))
    log.info("Core on http://%s:%d (API docs at /schema)", host, settings.port)
    uvicorn.run(app, host=host, port=settings.port, log_level=settings.log_level.lower())
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    from apps.core import resources

    settings = settings_from(args)
    configure_logging(settings.log_level)

    async def run() -> None:
        database = resources.database(settings.database_url, settings.data_dir)
        await anext(database)
        await database.aclose()

    asyncio.run(run())
    return 0
