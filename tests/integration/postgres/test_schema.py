"""The schema agrees with the domain: one set of statuses, one active download per link."""

from __future__ import annotations

import re

import pytest
from psycopg import errors

from adapters.postgres.errors import domain_errors
from dispatch_domain import Conflict
from dispatch_domain.delivery import SubscriberKind
from dispatch_domain.events import EventType
from dispatch_domain.status import ACTIVE
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, RemoteState, ServiceType
from tests.integration.postgres.posts import NOW, magnet, post_of, scalar

pytestmark = pytest.mark.real

CONSTRAINT = "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %(name)s"


async def _constraint_values(pg_pool, name: str) -> set[str]:
    async with pg_pool.connection() as conn:
        cursor = await conn.execute(CONSTRAINT, {"name": name})
        (definition,) = await cursor.fetchone()
    return set(re.findall(r"'([^']+)'", definition))


@pytest.mark.parametrize(
    ("constraint", "enum"),
    [
        ("downloads_status_check", DownloadStatus),
        ("downloads_remote_state_check", RemoteState),
        ("anime_links_download_type_check", DownloadType),
        ("downloader_capabilities_download_type_check", DownloadType),
        ("service_modules_service_type_check", ServiceType),
        ("events_event_type_check", EventType),
        ("event_subscribers_kind_check", SubscriberKind),
    ],
)
async def test_each_check_constraint_allows_exactly_the_domains_values(pg_pool, constraint, enum):
    assert await _constraint_values(pg_pool, constraint) == {member.value for member in enum}


async def test_the_one_active_download_index_covers_exactly_the_active_statuses(pg_pool):
    predicate = await scalar(
        pg_pool,
        "SELECT pg_get_expr(indpred, indrelid) FROM pg_index"
        " WHERE indexrelid = 'downloads_one_active_per_link'::regclass",
    )

    assert set(re.findall(r"'([^']+)'", predicate)) == {status.value for status in ACTIVE}


SECOND_ATTEMPT = """
INSERT INTO downloads (link_id, attempt, status, next_attempt_at, created_at, updated_at)
SELECT link_id, 2, %(status)s, now(), now(), now() FROM downloads WHERE download_id = %(id)s
"""


async def test_a_second_active_download_for_a_link_is_rejected_by_the_database(pg_store, pg_pool):
    stored = await pg_store.links.store(*post_of([magnet(1)]), NOW)

    async with pg_pool.connection() as conn:
        with pytest.raises(errors.UniqueViolation):
            params = {"status": "downloading", "id": stored.download_ids[0]}
            await conn.execute(SECOND_ATTEMPT, params)


async def test_earlier_attempts_stay_as_history_beside_the_active_one(pg_store, pg_pool):
    stored = await pg_store.links.store(*post_of([magnet(1)]), NOW)

    async with pg_pool.connection() as conn:
        await conn.execute(SECOND_ATTEMPT, {"status": "failed", "id": stored.download_ids[0]})

    assert await scalar(pg_pool, "SELECT count(*) FROM downloads") == 2


async def test_the_active_download_violation_is_a_domain_conflict(pg_store, pg_pool):
    stored = await pg_store.links.store(*post_of([magnet(1)]), NOW)

    async with pg_pool.connection() as conn:
        with pytest.raises(Conflict, match="already has an active download"), domain_errors():
            await conn.execute(SECOND_ATTEMPT, {"status": "pending", "id": stored.download_ids[0]})


async def test_a_status_outside_the_domain_is_refused_not_stored(pg_store, pg_pool):
    stored = await pg_store.links.store(*post_of([magnet(1)]), NOW)

    async with pg_pool.connection() as conn:
        with pytest.raises(errors.CheckViolation):
            await conn.execute(
                "UPDATE downloads SET status = 'stalled' WHERE download_id = %(id)s",
                {"id": stored.download_ids[0]},
            )


async def test_a_url_longer_than_a_btree_entry_is_stored_and_deduplicated(pg_store, pg_pool):
    long_url = "https://files.example/" + "x" * 7000 + "/episode.torrent"

    first = await pg_store.links.store(*post_of([long_url]), NOW)
    again = await pg_store.links.store(*post_of([long_url]), NOW)

    assert (first.links_created, again.duplicates) == (1, 1)
    assert await scalar(pg_pool, "SELECT count(*) FROM raw_fetcher_items") == 1
