"""Core's subcommands: `serve` (Core on its database) and `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from apps.core.settings import CORE, CoreSettings
from apps.logs import configure_logging, uvicorn_options
from apps.settings_table import SettingsTable

log = logging.getLogger("bangumi_dispatch.core")

DATABASE = SettingsTable("database", (CORE["database_url"], CORE["data_dir"]))
MIGRATE = DATABASE + SettingsTable("logging", (CORE["log_level"], CORE["log_format"]))


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run Core (embedded Postgres unless DATABASE_URL is set)",
        description="Run Core. Every option can also come from the environment variable named "
        "in its help; the option wins when both are given.",
    )
    CORE.add_options(serve)
    serve.set_defaults(run=serve_command)

    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    MIGRATE.add_options(migrate)
    migrate.set_defaults(run=migrate_command)


def settings_from(args: argparse.Namespace) -> CoreSettings:
    return CoreSettings(**CORE.values(args))


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from apps.core.app import create_app
    from apps.core.container import CoreContainer
    from apps.network import is_loopback

    settings = settings_from(args)
    configure_logging(settings.log_level, settings.log_format)
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
    uvicorn.run(app, host=host, port=settings.port, **uvicorn_options(settings.log_level))
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    from apps.core import resources

    settings = settings_from(args)
    configure_logging(settings.log_level, settings.log_format)

    async def run() -> None:
        database = resources.database(settings.database_url, settings.data_dir)
        await anext(database)
        await database.aclose()

    asyncio.run(run())
    return 0
