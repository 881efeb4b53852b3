"""Contract suites run each test twice: on the in-memory fake and on Postgres."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from dispatch_domain import (
    DEFAULT_CHAIN,
    Capabilities,
    DownloadEvent,
    FetchedItem,
    FetcherReport,
    NewLink,
    Registration,
    ServiceModule,
    Stored,
    Transition,
    to_link,
)
from dispatch_domain.testing import InMemoryStore
from dispatch_domain.vocabulary import DownloadType, ServiceType

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
E = DownloadEvent


def magnet(n: int, tracker: str | None = None) -> str:
    """A valid v1 magnet whose info-hash is derived from `n`."""
    url = f"magnet:?xt=urn:btih:{n:040x}&dn=episode{n}"
    return url if tracker is None else f"{url}&tr={tracker}"


def torrent(n: int) -> str:
    return f"https://tracker.example/files/{n}.torrent"


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.real)])
def store(request: pytest.FixtureRequest) -> Any:
    """The repositories under test, behind the same three attributes either way."""
    if request.param == "memory":
        return InMemoryStore()
    return request.getfixturevalue("pg_store")


@attrs.define
class Given:
    """Arranges a scenario through the ports alone, so it means the same for both stores."""

    store: Any
    now: datetime = NOW

    async def post(
        self,
        *urls: str,
        source: str = "rss",
        save_path: str | None = None,
        claimed_until: datetime | None = None,
    ) -> Stored:
        items = [
            FetchedItem(index, f"title of {url}", url, save_path=save_path)
            for index, url in enumerate(urls)
        ]
        links = [to_link(item, DEFAULT_CHAIN) for item in items]
        assert all(isinstance(link, NewLink) for link in links)
        report = FetcherReport(source, items=tuple(items))
        return await self.store.links.store(report, links, self.now, claimed_until)

    async def downloads(self, count: int, start: int = 0) -> list[int]:
        """`count` new pending downloads of magnets, in id order."""
        stored = await self.post(*(magnet(n) for n in range(start, start + count)))
        return list(stored.download_ids)

    async def download(self, *events: DownloadEvent, **fields: Any) -> int:
        """One new download taken through `events` in order; `fields` go with the last."""
        (download_id,) = await self.downloads(1, start=_next_start())
        await self.move(download_id, *events, **fields)
        return download_id

    async def move(self, download_id: int, *events: DownloadEvent, **fields: Any) -> None:
        for position, event in enumerate(events):
            given = fields if position == len(events) - 1 else {}
            applied = await self.store.downloads.apply(
                [Transition(download_id, event, **given)], self.now
            )
            assert applied == [download_id], f"{event} did not apply to download {download_id}"

    async def downloader(
        self,
        name: str = "qbit",
        types: Sequence[DownloadType] = (DownloadType.MAGNET,),
        *,
        priority: int | None = None,
        host: str = "10.0.0.2",
        port: int = 8081,
    ) -> ServiceModule:
        registration = Registration(
            ServiceType.DOWNLOADER,
            name,
            host,
            port,
            Capabilities(frozenset(types), download_endpoint="/downloads"),
            priority,
        )
        registered = await self.store.services.register(registration, self.now)
        return registered.module

    async def at_downloader(self, module: ServiceModule, remote_id: str = "ab" * 20) -> int:
        """A download accepted by `module`."""
        return await self.download(E.ACCEPTED, module_id=module.module_id, remote_id=remote_id)

    def later(self, **delta: float) -> datetime:
        return self.now + timedelta(**delta)


_starts = iter(range(10_000, 10_000_000, 1_000))


def _next_start() -> int:
    return next(_starts)


@pytest.fixture
def given(store: Any) -> Given:
    return Given(store)
