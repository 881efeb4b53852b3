"""`bangumi-dispatch subscribe` and `subscriptions` against a running Core with a token."""

from __future__ import annotations

import asyncio
import json

import pytest

from apps.cli import main
from tests.support.core import running_core


async def run_cli(*args: str) -> int:
    return await asyncio.to_thread(main, list(args))


async def test_subscribe_then_list_through_core(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_core(pg_url, api_token="s3cret") as core:
        code = await run_cli(
            "subscribe", "http://127.0.0.1:9/rss.xml", "--name", "Frieren",
            "--include", "1080p", "--exclude", "raw", "--save-path", "Anime/{name}",
            "--downloader", "qb-anime", "--interval", "600",
            "--core-url", core.url, "--core-token", "s3cret",
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert out.startswith("subscribed #")
        assert "Frieren: http://127.0.0.1:9/rss.xml, every 600 s" in out

        listing = ("subscriptions", "--core-url", core.url, "--core-token", "s3cret")
        assert await run_cli(*listing, "--json") == 0
        (listed,) = json.loads(capsys.readouterr().out)
        assert {k: listed[k] for k in ("name", "include", "exclude", "save_path")} == {
            "name": "Frieren", "include": "1080p", "exclude": "raw", "save_path": "Anime/{name}",
        }  # fmt: skip
        assert (listed["preferred_downloader"], listed["interval"]) == ("qb-anime", 600)

        assert await run_cli(*listing) == 0
        table = capsys.readouterr().out.splitlines()
        assert table[0].split()[:5] == ["ID", "NAME", "ON", "EVERY", "LINKS"]
        assert table[1].split()[1:5] == ["Frieren", "yes", "600s", "0"]


async def test_core_refusals_and_absence_are_told_on_stderr(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_core(pg_url, api_token="s3cret") as core:
        no_token = await run_cli("subscribe", "http://127.0.0.1:9/x", "--name", "x",
                                 "--core-url", core.url)  # fmt: skip
        assert no_token == 1
        assert capsys.readouterr().err.startswith("Core answered 401: ")

        bad = await run_cli("subscribe", "http://127.0.0.1:9/x", "--name", "x", "--include",
                            "((", "--core-url", core.url, "--core-token", "s3cret")  # fmt: skip
        assert bad == 1
        assert "Core answered 422: not a valid regular expression" in capsys.readouterr().err

    gone = await run_cli("subscriptions", "--core-url", "http://127.0.0.1:9")
    assert gone == 1
    assert capsys.readouterr().err == "cannot reach Core at http://127.0.0.1:9: ConnectError\n"
