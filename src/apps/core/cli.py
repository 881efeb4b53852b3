"""Core's subcommands (placeholder until the Core app lands)."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    del commands
