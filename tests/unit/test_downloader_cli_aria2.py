"""`bangumi-dispatch downloader aria2`: flags, their environment variables, the secret, refusals."""

from __future__ import annotations

import pytest

from apps.cli import build_parser
from apps.downloader.cli import aria2_settings, run_aria2, service_settings
from apps.downloader.container import make_container
from apps.downloader.settings import Aria2Settings, ServiceSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ARIA2_URL", "ARIA2_SECRET", "ARIA2_TIMEOUT", "DOWNLOAD_ROOT", "DOWNLOADER_NAME"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_point_at_a_local_aria2() -> None:
    args = build_parser().parse_args(["downloader", "aria2"])
    settings = aria2_settings(args)
    assert (settings.url, settings.timeout, settings.download_root) == (
        "http://127.0.0.1:6800/jsonrpc",
        10.0,
        None,
    )
    assert service_settings(args).name == "aria2"
    assert args.run is run_aria2


def test_flags_and_environment_become_the_aria2_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARIA2_SECRET", "s-1")
    monkeypatch.setenv("ARIA2_TIMEOUT", "4")
    flags = ["--aria2-url", "http://nas.lan:6800/jsonrpc", "--download-root", "/srv/media"]
    args = build_parser().parse_args(["downloader", "aria2", *flags, "--name", "aria2-nas"])
    settings = aria2_settings(args)
    assert (settings.url, settings.secret, settings.timeout, settings.download_root) == (
        "http://nas.lan:6800/jsonrpc",
        "s-1",
        4.0,
        "/srv/media",
    )
    assert service_settings(args).name == "aria2-nas"
    assert "s-1" not in repr(settings)


def test_the_secret_is_no_flag() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["downloader", "aria2", "--aria2-secret", "x"])


def test_refuses_to_start_without_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["downloader", "aria2"])
    assert run_aria2(args) == 2
    assert "ARIA2_SECRET" in capsys.readouterr().err


def test_refuses_to_listen_beyond_loopback_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARIA2_SECRET", "s-1")
    monkeypatch.delenv("DOWNLOADER_TOKEN", raising=False)
    args = build_parser().parse_args(["downloader", "aria2", "--host", "0.0.0.0"])
    assert run_aria2(args) == 2
    assert "without --token" in capsys.readouterr().err


def test_the_container_serves_aria2_with_every_link_type() -> None:
    container = make_container(ServiceSettings(name="aria2"), aria2=Aria2Settings(secret="s"))
    assert {str(t) for t in container.backend().supported_types} == {"http", "magnet", "torrent"}
