"""Database errors at the adapter's edge: translated when they mean something, never swallowed."""

from __future__ import annotations

import psycopg
import pytest

from dispatch_domain import Capabilities, DispatchError, NotFound, Registration, Transition
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import ServiceType
from tests.integration.postgres.posts import NOW, magnet, post_of

pytestmark = pytest.mark.real


async def test_placing_a_download_at_an_unknown_downloader_is_not_found(pg_store):
    stored = await pg_store.links.store(*post_of([magnet(1)]), NOW)
    accepted = Transition(stored.download_ids[0], DownloadEvent.ACCEPTED, module_id=424_242)

    with pytest.raises(NotFound) as raised:
        await pg_store.downloads.apply([accepted], NOW)

    assert (raised.value.what, raised.value.key) == ("service", 424_242)


async def test_any_other_database_error_reaches_the_caller_unchanged(pg_store):
    too_big = Registration(ServiceType.DOWNLOADER, "qbit", "h", 2**40, Capabilities())

    with pytest.raises(psycopg.errors.NumericValueOutOfRange) as raised:
        await pg_store.services.register(too_big, NOW)

    assert not isinstance(raised.value, DispatchError)


async def test_a_failed_batch_leaves_nothing_half_written(pg_store):
    stored = await pg_store.links.store(*post_of([magnet(1), magnet(2)]), NOW)
    first, second = stored.download_ids
    batch = [
        Transition(first, DownloadEvent.ACCEPTED, remote_id="ab" * 20),
        Transition(second, DownloadEvent.ACCEPTED, module_id=424_242),
    ]

    with pytest.raises(NotFound):
        await pg_store.downloads.apply(batch, NOW)

    assert (await pg_store.downloads.get(first)).remote_id is None
