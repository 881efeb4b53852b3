"""`bangumi-dispatch downloader qbittorrent`: flags, their environment variables, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.cli import build_parser
from apps.downloader.cli import qbittorrent_settings, run_qbittorrent, service_settings
from apps.downloader.container import make_container
from apps.downloader.settings import QBittorrentSettings, ServiceSettings

FLAGS = [
    "downloader", "qbittorrent",
    "--qbittorrent-url", "http://qbt.lan:8080", "--qbittorrent-username", "bob",
    "--qbittorrent-password", "pw-1", "--core-url", "http://core.lan:8000",
    "--host", "127.0.0.1", "--port", "8082", "--name", "qbt-lan",
    "--token", "t-1", "--core-token", "ct-1", "--download-root", "/srv/media",
]  # fmt: skip


def test_flags_become_the_service_andqbittorrent_settings() -> None:
    args = build_parser().parse_args(FLAGS)
    service, qbittorrent = service_settings(args), qbittorrent_settings(args)
    assert (service.name, service.host, service.port) == ("qbt-lan", "127.0.0.1", 8082)
    assert (service.token, service.core_url, service.core_token) == (
        "t-1",
        "http://core.lan:8000",
        "ct-1",
    )
    assert (qbittorrent.url, qbittorrent.username, qbittorrent.password) == (
        "http://qbt.lan:8080",
        "bob",
        "pw-1",
    )
    assert qbittorrent.download_root == "/srv/media"
    assert args.run is run_qbittorrent


def test_every_option_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = {
        "QBITTORRENT_URL": "http://qbt.env:9090",
        "QBITTORRENT_USERNAME": "env-user",
        "QBITTORRENT_PASSWORD": "env-pw",
        "CORE_URL": "http://core.env",
        "DOWNLOADER_TOKEN": "env-token",
        "DISPATCH_API_TOKEN": "env-core-token",
        "DOWNLOADER_PORT": "9001",
        "DOWNLOADER_NAME": "env-name",
        "DOWNLOAD_ROOT": "/env/root",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    args = build_parser().parse_args(["downloader", "qbittorrent"])
    service, qbittorrent = service_settings(args), qbittorrent_settings(args)
    assert (qbittorrent.url, qbittorrent.username, qbittorrent.password) == (
        "http://qbt.env:9090",
        "env-user",
        "env-pw",
    )
    assert (service.port, service.name, service.token) == (9001, "env-name", "env-token")
    assert (service.core_url, service.core_token) == ("http://core.env", "env-core-token")
    assert qbittorrent.download_root == "/env/root"


def test_the_password_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-a-file\n")
    args = build_parser().parse_args(
        ["downloader", "qbittorrent", "--qbittorrent-password-file", str(secret)]
    )
    assert qbittorrent_settings(args).password == "from-a-file"


def test_secrets_do_not_show_in_settings_reprs() -> None:
    args = build_parser().parse_args(FLAGS)
    shown = repr(service_settings(args)) + repr(qbittorrent_settings(args))
    assert "pw-1" not in shown
    assert "t-1" not in shown
    assert "ct-1" not in shown


def test_refuses_to_listen_beyond_loopback_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOWNLOADER_TOKEN", raising=False)
    args = build_parser().parse_args(
        ["downloader", "qbittorrent", "--host", "0.0.0.0", "--qbittorrent-password", "x"]
    )
    assert run_qbittorrent(args) == 2
    assert "without --token" in capsys.readouterr().err


def test_refuses_to_start_without_a_qbittorrent_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("QBITTORRENT_PASSWORD", raising=False)
    monkeypatch.delenv("QBITTORRENT_PASSWORD_FILE", raising=False)
    args = build_parser().parse_args(["downloader", "qbittorrent"])
    assert run_qbittorrent(args) == 2
    assert "QBITTORRENT_PASSWORD" in capsys.readouterr().err


def test_a_bad_number_in_the_environment_is_reported_like_a_bad_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOWNLOADER_PORT", "eighty")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["downloader", "qbittorrent"])


def test_the_container_serves_qbittorrent_with_magnets_and_torrents_only() -> None:
    container = make_container(ServiceSettings(), QBittorrentSettings(password="p"))
    backend = container.backend()
    assert type(backend).__name__ == "QBittorrentBackend"
    assert {str(t) for t in backend.supported_types} == {"magnet", "torrent"}
