"""Settings are defined once: the options, the environment, the defaults, --help and the
documentation tables all come from the same tables and cannot drift apart."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from apps.cli import build_parser, main
from apps.core.cli import settings_from
from apps.core.settings import CORE, CoreSettings
from apps.downloader.cli import (
    aria2_settings,
    qbittorrent_settings,
    service_settings,
    transmission_settings,
)
from apps.downloader.settings import QBITTORRENT, QBITTORRENT_SERVICE, service_table
from apps.settings_docs import TABLES, blocks, render

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ["README.md", "docs/downloader.md"]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for table in TABLES.values():
        for setting in table.settings:
            monkeypatch.delenv(setting.env, raising=False)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_documented_tables_are_the_settings_tables(document: str) -> None:
    text = (ROOT / document).read_text()
    assert blocks(text), f"{document} marks no settings table"
    assert render(text) == text, f"run: python -m apps.settings_docs {' '.join(DOCUMENTS)}"


def test_the_readme_documents_every_command() -> None:
    assert set(blocks((ROOT / "README.md").read_text())) == {
        "core",
        "downloader-qbittorrent",
        "downloader-transmission",
        "downloader-aria2",
    }


def _help(*command: str) -> str:
    parser = build_parser()
    for word in command:
        parser = next(
            action.choices[word]
            for action in parser._actions
            if isinstance(action, argparse._SubParsersAction)
        )
    return " ".join(parser.format_help().split())


@pytest.mark.parametrize(
    ("command", "table"),
    [
        (("serve",), "core"),
        (("downloader", "qbittorrent"), "downloader-qbittorrent"),
        (("downloader", "transmission"), "downloader-transmission"),
        (("downloader", "aria2"), "downloader-aria2"),
    ],
)
def test_help_names_every_option_with_its_variable_and_default(
    command: tuple[str, ...], table: str
) -> None:
    shown = _help(*command)
    for setting in TABLES[table].settings:
        if setting.flag is not None:
            assert setting.flag in shown
            assert f"[{setting.env}] (default {setting.default_text.replace('`', '')})" in shown


def test_new_defaults_keep_clear_of_the_download_clients_ports() -> None:
    core = settings_from(build_parser().parse_args(["serve"]))
    args = build_parser().parse_args(["downloader", "qbittorrent"])
    service = service_settings(args)
    assert (core.host, core.port) == ("127.0.0.1", 7340)
    assert (service.port, service.core_url) == (7341, "http://127.0.0.1:7340")
    assert qbittorrent_settings(args).url == "http://127.0.0.1:8080"
    aria2 = build_parser().parse_args(["downloader", "aria2"])
    assert service_settings(aria2).port == 7343
    assert aria2_settings(aria2).url == "http://127.0.0.1:6800/jsonrpc"
    transmission = build_parser().parse_args(["downloader", "transmission"])
    assert service_settings(transmission).port == 7342
    assert transmission_settings(transmission).url == "http://127.0.0.1:9091/transmission/rpc"
    assert (core.log_level, core.log_format, core.metrics_loopback_open) == ("INFO", "text", False)


def test_the_old_core_flags_still_work(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "8080", "--database-url", "postgresql://db/x",
         "--data-dir", str(tmp_path), "--poll-interval", "30", "--dispatch-wait", "2"]
    )  # fmt: skip
    settings = settings_from(args)
    assert (settings.host, settings.port, settings.database_url) == (
        "0.0.0.0",
        8080,
        "postgresql://db/x",
    )
    assert (settings.data_dir, settings.poll_interval, settings.dispatch_wait) == (
        tmp_path,
        30.0,
        2.0,
    )


def test_core_reads_every_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = {
        "DISPATCH_PORT": "9999", "DISPATCH_API_TOKEN": "tok", "DOWNLOADER_TOKEN": "dtok",
        "DISPATCH_LEASE": "7", "DISPATCH_SWEEP_INTERVAL": "0.5", "LOG_LEVEL": "debug",
        "LOG_FORMAT": "JSON", "METRICS_LOOPBACK_OPEN": "yes", "DOWNLOADER_TIMEOUT": "3",
    }  # fmt: skip
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    from_env = CoreSettings.from_env()
    from_command = settings_from(build_parser().parse_args(["serve"]))
    for settings in (from_env, from_command):
        assert (settings.port, settings.api_token, settings.downloader_token) == (
            9999,
            "tok",
            "dtok",
        )
        assert (settings.dispatch_lease, settings.sweep_interval) == (7.0, 0.5)
        assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
        assert (settings.metrics_loopback_open, settings.downloader_timeout) == (True, 3.0)


def test_the_flag_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("METRICS_LOOPBACK_OPEN", "on")
    args = build_parser().parse_args(
        ["serve", "--log-format", "text", "--no-metrics-loopback-open"]
    )
    settings = settings_from(args)
    assert (settings.log_format, settings.metrics_loopback_open) == ("text", False)


def test_a_bad_log_format_in_the_environment_is_reported_like_a_bad_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve"])


def test_a_bad_yes_no_variable_stops_the_command_with_its_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("METRICS_LOOPBACK_OPEN", "maybe")
    assert main(["serve"]) == 2
    assert "METRICS_LOOPBACK_OPEN='maybe'" in capsys.readouterr().err


def test_an_empty_core_url_means_no_registration() -> None:
    args = build_parser().parse_args(["downloader", "qbittorrent", "--core-url", ""])
    assert service_settings(args).core_url == ""


def test_a_new_backend_brings_its_own_table_next_to_the_shared_one() -> None:
    transmission = service_table("transmission", 7342)
    assert (transmission.default("name"), transmission.default("port")) == ("transmission", 7342)
    assert transmission["core_url"].default == "http://127.0.0.1:7340"
    names = [s.name for s in (QBITTORRENT_SERVICE + QBITTORRENT).settings]
    assert len(names) == len(set(names)), "one setting, one name"
    assert len({s.env for s in CORE.settings}) == len(CORE.settings)


def test_operating_md_documents_every_metric_the_apps_export() -> None:
    from apps.core.metrics import CoreMetrics
    from apps.downloader.metrics import DownloaderMetrics

    documented = (ROOT / "docs" / "operating.md").read_text()
    exported = {
        family.name + ("_total" if family.type == "counter" else "")
        for registry in (CoreMetrics().registry, DownloaderMetrics().registry)
        for family in registry.collect()
        if not family.name.startswith("process_")
    }
    assert len(exported) == 17
    for name in exported:
        assert f"`{name}`" in documented, name
