"""Log lines as a command writes them: `configure_logging` applied, the output captured."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from apps.logs import configure_logging

SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def log_lines(log_format: str, act: Callable[[logging.Logger], object]) -> list[str]:
    """The lines `act(logger)` writes under `configure_logging(…, log_format)`; the logging
    setup the test runner had is put back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    servers = {name: logging.getLogger(name) for name in SERVER_LOGGERS}
    saved_servers = {
        name: (list(lg.handlers), lg.propagate, lg.level) for name, lg in servers.items()
    }
    stream = io.StringIO()
    try:
        configure_logging("INFO", log_format)
        (handler,) = root.handlers
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        act(logging.getLogger("bangumi_dispatch.test"))
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, (handlers, propagate, level) in saved_servers.items():
            servers[name].handlers[:] = handlers
            servers[name].propagate = propagate
            servers[name].setLevel(level)
    return stream.getvalue().splitlines()
