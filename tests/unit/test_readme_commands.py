"""The README's two commands stay true: CI runs the very test command the README gives."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    blocks = re.findall(r"```(?:sh|bash|shell)\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [block.strip() for block in blocks]


def test_ci_runs_the_readme_test_command() -> None:
    test_command = next(c for c in _readme_commands() if "pytest" in c)
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_the_readme_starts_core_with_one_command() -> None:
    assert any("bangumi-dispatch serve" in command for command in _readme_commands())


def test_the_test_command_installs_debootstrap_and_builds_the_client_chroots_first() -> None:
    test_command = next(c for c in _readme_commands() if "pytest" in c)
    assert "debootstrap" in test_command.split(" && ")[1].split()
    assert test_command.index("scripts/build-client-chroots") < test_command.index("pytest")
