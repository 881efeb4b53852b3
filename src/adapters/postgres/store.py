"""The three Postgres repositories over one pool, shaped like the in-memory store."""

from __future__ import annotations

from typing import Any

import attrs
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.downloads import PostgresDownloadRepository
from adapters.postgres.events import PostgresEventLog, PostgresSubscriberRepository
from adapters.postgres.links import PostgresLinkRepository
from adapters.postgres.services import PostgresServiceRepository
from adapters.postgres.subscriptions import PostgresSubscriptionRepository


@attrs.define
class PostgresStore:
    """The repositories by role, as dispatch_domain.testing.InMemoryStore offers them."""

    pool: AsyncConnectionPool[AsyncConnection[Any]]
    links: PostgresLinkRepository = attrs.field(init=False)
    downloads: PostgresDownloadRepository = attrs.field(init=False)
    services: PostgresServiceRepository = attrs.field(init=False)
    subscriptions: PostgresSubscriptionRepository = attrs.field(init=False)
    events: PostgresEventLog = attrs.field(init=False)
    subscribers: PostgresSubscriberRepository = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.links = PostgresLinkRepository(self.pool)
        self.downloads = PostgresDownloadRepository(self.pool)
        self.services = PostgresServiceRepository(self.pool)
        self.subscriptions = PostgresSubscriptionRepository(self.pool)
        self.events = PostgresEventLog(self.pool)
        self.subscribers = PostgresSubscriberRepository(self.pool)
