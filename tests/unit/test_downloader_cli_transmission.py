"""`bangumi-dispatch downloader transmission`: flags, their environment variables, the password,
refusals, and the backend its container serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.cli import build_parser
from apps.downloader.cli import run_transmission, service_settings, transmission_settings
from apps.downloader.container import make_container
from apps.downloader.settings import TRANSMISSION_SERVICE, ServiceSettings, TransmissionSettings

VARIABLES = (
    "TRANSMISSION_URL",
    "TRANSMISSION_USERNAME",
    "TRANSMISSION_PASSWORD",
    "TRANSMISSION_PASSWORD_FILE",
    "TRANSMISSION_TIMEOUT",
    "DOWNLOAD_ROOT",
    "DOWNLOADER_NAME",
    "DOWNLOADER_PORT",
    "DOWNLOADER_TOKEN",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_point_at_a_local_transmission_without_credentials() -> None:
    args = build_parser().parse_args(["downloader", "transmission"])
    settings = transmission_settings(args)
    assert (settings.url, settings.username, settings.password) == (
        "http://127.0.0.1:9091/transmission/rpc",
        None,
        "",
    )
    assert (settings.timeout, settings.download_root) == (10.0, None)
    service = service_settings(args, TRANSMISSION_SERVICE)
    assert (service.name, service.port) == ("transmission", 7342)
    assert args.run is run_transmission


def test_flags_and_environment_become_the_transmission_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSMISSION_USERNAME", "rpc-user")
    monkeypatch.setenv("TRANSMISSION_PASSWORD", "p-1")
    monkeypatch.setenv("TRANSMISSION_TIMEOUT", "4")
    flags = ["--transmission-url", "http://nas.lan:9091/transmission/rpc",
             "--download-root", "/srv/media", "--name", "transmission-nas"]  # fmt: skip
    args = build_parser().parse_args(["downloader", "transmission", *flags])
    settings = transmission_settings(args)
    assert (settings.url, settings.username, settings.password) == (
        "http://nas.lan:9091/transmission/rpc",
        "rpc-user",
        "p-1",
    )
    assert (settings.timeout, settings.download_root) == (4.0, "/srv/media")
    assert service_settings(args, TRANSMISSION_SERVICE).name == "transmission-nas"
    assert "p-1" not in repr(settings)


def test_the_password_file_wins_over_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("TRANSMISSION_PASSWORD", "from-the-environment")
    args = build_parser().parse_args(
        ["downloader", "transmission", "--transmission-password-file", str(secret)]
    )
    assert transmission_settings(args).password == "from-the-file"


def test_the_password_is_no_flag() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["downloader", "transmission", "--transmission-password", "x"])


def test_a_missing_password_file_stops_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nowhere")
    args = build_parser().parse_args(
        ["downloader", "transmission", "--transmission-password-file", missing]
    )
    assert run_transmission(args) == 2
    assert "nowhere" in capsys.readouterr().err


def test_refuses_to_listen_beyond_loopback_without_a_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = build_parser().parse_args(["downloader", "transmission", "--host", "0.0.0.0"])
    assert run_transmission(args) == 2
    assert "without --token" in capsys.readouterr().err


def test_the_container_serves_transmission_with_magnets_and_torrents() -> None:
    container = make_container(
        ServiceSettings(name="transmission"), transmission=TransmissionSettings()
    )
    backend = container.backend()
    assert type(backend).__name__ == "TransmissionBackend"
    assert {str(t) for t in backend.supported_types} == {"magnet", "torrent"}
