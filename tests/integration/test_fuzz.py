"""Schemathesis against Core (on Postgres) and the downloader service (on the fake backend):
no input gives a 5xx, and every answer is one the OpenAPI document describes."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dependency_injector import providers

from apps.downloader.app import create_app as create_downloader_app
from apps.downloader.container import make_container
from apps.downloader.settings import ServiceSettings
from dispatch_domain.testing.backend import FakeBackend
from tests.support.core import running_core
from tests.support.serving import serving

TOKEN = "fuzz-token"
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
# Bounded so both apps take well under two minutes together; FUZZ_EXAMPLES raises it for a
# longer run by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEED = 20260101
TIMEOUT = max(300, EXAMPLES * 3)  # seconds


async def schemathesis(base_url: str, *extra: str) -> tuple[int, str, float]:
    """Run the schemathesis command line on the app at `base_url`: exit code, output, seconds."""
    scratch = Path(tempfile.mkdtemp(prefix="fuzz-"))  # its crash cache goes there too
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/schema/openapi.json",
        "--checks", CHECKS, "--max-examples", str(EXAMPLES), "--seed", str(SEED),
        "--phases", "examples,coverage,fuzzing", "--workers", "1", "--no-shrink",
        "--generation-database", "none", "--continue-on-failure", "--no-color",
        "--request-timeout", "30", "--header", f"Authorization: Bearer {TOKEN}", *extra,
    ]  # fmt: skip
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        cwd=scratch,
    )
    output, _ = await process.communicate()
    shutil.rmtree(scratch, ignore_errors=True)
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace"), time.monotonic() - started


@pytest.fixture
async def downloader_url() -> AsyncIterator[str]:
    container = make_container(ServiceSettings(name="fuzzed", token=TOKEN))
    container.backend.override(providers.Object(FakeBackend()))
    async with serving(create_downloader_app(container)) as url:
        yield url


@pytest.mark.timeout(TIMEOUT)
async def test_core_gives_no_5xx_and_answers_as_documented(pg_url: str) -> None:
    async with running_core(pg_url, api_token=TOKEN, dispatch_wait=0.5) as core:
        # The event stream stays open by design (tests/integration/core/test_events_http.py).
        code, output, seconds = await schemathesis(core.url, "--exclude-path", "/events/stream")
    assert code == 0, output[-20000:]
    print(f"Core: {seconds:.1f} s\n{output[-600:]}")


@pytest.mark.timeout(TIMEOUT)
async def test_the_downloader_service_gives_no_5xx_and_answers_as_documented(
    downloader_url: str,
) -> None:
    code, output, seconds = await schemathesis(downloader_url)
    assert code == 0, output[-20000:]
    print(f"downloader: {seconds:.1f} s\n{output[-600:]}")
