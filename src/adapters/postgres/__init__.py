"""The Postgres adapter: migrations, an embedded server, and the domain's repository ports."""

from adapters.postgres.counting import StatementCounter
from adapters.postgres.downloads import PostgresDownloadRepository
from adapters.postgres.embedded import (
    EmbeddedPostgres,
    default_data_dir,
    start_embedded,
    start_embedded_async,
)
from adapters.postgres.links import PostgresLinkRepository
from adapters.postgres.migrate import migrate, rollback
from adapters.postgres.pool import UNAVAILABLE, open_pool
from adapters.postgres.services import PostgresServiceRepository
from adapters.postgres.store import PostgresStore

__all__ = [
    "UNAVAILABLE",
    "EmbeddedPostgres",
    "PostgresDownloadRepository",
    "PostgresLinkRepository",
    "PostgresServiceRepository",
    "PostgresStore",
    "StatementCounter",
    "default_data_dir",
    "migrate",
    "open_pool",
    "rollback",
    "start_embedded",
    "start_embedded_async",
]
