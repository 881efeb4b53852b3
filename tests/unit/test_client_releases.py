"""Which client versions run from the host and which from a chroot, on Debian 12 and 13 hosts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import clients
from tests.support.clients import QBITTORRENT, TRANSMISSION, Runtime, runtime_for

CHROOTS = Path("/var/cache/chroots")


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pretend to be a given Debian release, with every chroot built and every version right."""
    codename: list[str] = []
    monkeypatch.setattr(clients, "host_codename", lambda: codename[0])
    monkeypatch.setattr(clients, "_chroot", lambda name: CHROOTS / name)
    monkeypatch.setattr(clients, "require_binary", lambda name: f"/usr/bin/{name}")
    versions = {
        r.debian + r.package: r.version + "-1"
        for r in (*QBITTORRENT.values(), *TRANSMISSION.values())
    }

    def version(runtime: Runtime, package: str) -> str:
        release = codename[0] if runtime.root is None else runtime.root.name
        return versions[release + package]

    monkeypatch.setattr(Runtime, "package_version", version)
    return codename


@pytest.mark.parametrize(
    ("codename", "expected"),
    [
        ("bookworm", [None, CHROOTS / "trixie", CHROOTS / "trixie-backports"]),
        ("trixie", [CHROOTS / "bookworm", None, CHROOTS / "trixie-backports"]),
    ],
)
def test_the_hosts_own_version_runs_on_the_host_and_the_others_in_chroots(
    host: list[str], codename: str, expected: list[Path | None]
) -> None:
    host.append(codename)
    assert [runtime_for(QBITTORRENT[v]).root for v in ("4.5", "5.1", "5.3")] == expected
    assert [runtime_for(TRANSMISSION[v]).root for v in ("3.00", "4.1.0", "4.1.4")] == expected


def test_a_chroot_path_is_handed_to_the_daemon_without_its_prefix() -> None:
    runtime = Runtime(CHROOTS / "trixie")
    assert runtime.seen(CHROOTS / "trixie" / "tmp" / "profile") == "/tmp/profile"
    assert runtime.command("qbittorrent-nox", "--profile=/tmp/p") == [
        "chroot",
        str(CHROOTS / "trixie"),
        "/usr/bin/qbittorrent-nox",
        "--profile=/tmp/p",
    ]


def test_a_test_claiming_a_version_never_runs_on_another(
    host: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    host.append("bookworm")
    monkeypatch.setattr(Runtime, "package_version", lambda runtime, package: "5.1.0-2")
    with pytest.raises(
        pytest.fail.Exception, match=re.escape("qbittorrent-nox 5.3 wanted, but 5.1.0-2")
    ):
        runtime_for(QBITTORRENT["5.3"])
