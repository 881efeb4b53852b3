"""A downloader going down, and coming back, is one log line each, naming it and why."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from apps.core.reachability import ReachabilityLog
from dispatch_domain import Capabilities, Registration
from dispatch_domain.testing import InMemoryStore
from dispatch_domain.vocabulary import DownloadType, ServiceType

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def test_down_then_down_again_then_up_logs_one_warning_and_one_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = InMemoryStore()
    caps = Capabilities(frozenset({DownloadType.MAGNET}), download_endpoint="/downloads")
    registration = Registration(ServiceType.DOWNLOADER, "qbit-attic", "10.0.0.9", 8081, caps)
    module = (await store.services.register(registration, NOW)).module
    services = ReachabilityLog(store.services)
    caplog.set_level(logging.INFO, logger="bangumi_dispatch.downloaders")

    for reason in ("connection refused", "timed out"):  # two failed rounds in a row
        (downloader,) = await services.downloaders()
        await services.save_health({module.module_id: downloader.health.down(NOW, reason)}, NOW)
    (downloader,) = await services.downloaders()
    await services.save_health({module.module_id: downloader.health.up(NOW)}, NOW)
    (downloader,) = await services.downloaders()
    await services.save_health({module.module_id: downloader.health.up(NOW)}, NOW)

    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert lines == [
        ("WARNING", "downloader 'qbit-attic' is unreachable: connection refused"),
        ("INFO", "downloader 'qbit-attic' is reachable again"),
    ]
    assert (await store.services.get(module.module_id)).health.failures == 0
