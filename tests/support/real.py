"""Real components for tests: find them, or fail in CI and skip on a developer's machine."""

from __future__ import annotations

import os
import shutil
import socket

import pytest


def in_ci() -> bool:
    """CI sets CI=1 (.ci/run does); there a missing real component is a failure, not a skip."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def missing(what: str) -> None:
    """Fail (in CI) or skip (elsewhere) because a real component is not installed."""
    packages = "qbittorrent-nox aria2 transmission-daemon debootstrap chromium"
    message = f"{what} is not installed; .ci/run installs it (apt-get install {packages})"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def require_binary(name: str) -> str:
    """The path of an executable from the system's packages."""
    path = shutil.which(name)
    if path is None:
        missing(name)
    assert path is not None
    return path


def free_port() -> int:
    """A free TCP port on loopback (tests bind 127.0.0.1 only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
