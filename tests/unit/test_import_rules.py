"""The domain imports only the standard library and attrs, as the import-linter contract says."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import dispatch_domain

ALLOWED_THIRD_PARTY = {"attrs", "dispatch_domain"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_imports_only_the_standard_library_and_attrs() -> None:
    package = Path(dispatch_domain.__file__).parent
    for path in package.rglob("*.py"):
        foreign = _imported_roots(path) - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY
        assert not foreign, f"{path.relative_to(package)} imports {sorted(foreign)}"


def test_importing_the_domain_loads_no_adapter_library() -> None:
    code = (
        "import sys, dispatch_domain, dispatch_domain.testing;"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'psycopg', 'httpx', 'litestar', 'dependency_injector', 'cattrs'}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"
