"""The web page's and the API docs' files ship in the package and name no outside host."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
ASSET_PACKAGES = {"apps.core.web": SRC / "apps/core/web", "apps.api_docs": SRC / "apps/api_docs"}
OUTSIDE_URL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)


def _assets(folder: Path) -> list[Path]:
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]


def test_every_asset_file_is_listed_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"]["package-data"]
    for package, folder in ASSET_PACKAGES.items():
        globs = package_data[package]
        unlisted = [
            str(path.relative_to(folder))
            for path in _assets(folder)
            if not any(fnmatch(str(path.relative_to(folder)), glob) for glob in globs)
        ]
        assert unlisted == [], f"{package}: not in [tool.setuptools.package-data]"


def test_the_swagger_ui_files_keep_their_licence() -> None:
    names = {path.name for path in _assets(SRC / "apps/api_docs/swagger-ui")}
    assert {"LICENSE", "NOTICE", "swagger-ui-bundle.js", "swagger-ui.css"} <= names


def test_the_web_page_loads_nothing_from_another_host() -> None:
    for path in _assets(SRC / "apps/core/web"):
        found = OUTSIDE_URL.findall(path.read_text(encoding="utf-8"))
        assert found == [], f"{path.name} loads from another host"
