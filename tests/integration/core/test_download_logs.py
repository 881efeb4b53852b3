"""A download's endings and troubles are logged naming it, so one download can be followed."""

from __future__ import annotations

import logging

import pytest

from tests.support.core import running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.torrents import magnet, random_hash

pytestmark = pytest.mark.real


class Kept(logging.Handler):
    """Keeps the records of one logger (a served test app may reconfigure the root's)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_refused_link_is_logged_with_its_download_id(pg_url: str) -> None:
    refused = "https://t.example/dl/9.torrent?passkey=SECRET"
    double = DownloaderDouble(rejects={refused: "not a torrent"})
    logger, kept = logging.getLogger("apps.core.downloads"), Kept()
    logger.addHandler(kept)
    logger.setLevel(logging.DEBUG)
    try:
        async with served(double) as port, running_core(pg_url) as core:
            module_id = (await core.register("qb", port))["module_id"]
            await core.post_links([magnet(random_hash()), refused])
            ids = {d["url"]: d["download_id"] for d in await core.downloads()}
    finally:
        logger.removeHandler(kept)
        logger.setLevel(logging.NOTSET)

    lines = {r.download_id: r for r in kept.records}
    failed = lines[ids["https://t.example/dl/9.torrent?passkey=REDACTED"]]
    assert failed.levelno == logging.WARNING
    assert failed.getMessage().startswith(f"download {failed.download_id} rejected -> failed")
    assert "not a torrent" in failed.getMessage()
    accepted = next(r for i, r in lines.items() if i != failed.download_id)
    assert accepted.levelno == logging.DEBUG
    assert accepted.module_id == module_id
    assert not any("SECRET" in r.getMessage() for r in kept.records)
