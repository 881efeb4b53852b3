"""scripts/build-client-chroots: which chroots a host needs, and a cached one costs nothing."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    path = ROOT / "scripts" / "build-client-chroots"
    loader = importlib.machinery.SourceFileLoader("build_client_chroots", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


chroots = _script()


def test_a_debian_12_host_needs_trixie_and_its_backports() -> None:
    assert chroots.needed("bookworm") == ("trixie", "trixie-backports")


def test_a_debian_13_host_needs_bookworm_for_the_old_versions_and_the_backports() -> None:
    assert chroots.needed("trixie") == ("bookworm", "trixie-backports")


def test_any_other_host_needs_all_three() -> None:
    assert chroots.needed("") == ("bookworm", "trixie", "trixie-backports")


@pytest.mark.parametrize(
    ("os_release", "codename"),
    [
        ("ID=debian\nVERSION_CODENAME=trixie\n", "trixie"),
        ('NAME="Debian GNU/Linux"\nID="debian"\nVERSION_CODENAME=bookworm\n', "bookworm"),
        ("ID=ubuntu\nVERSION_CODENAME=noble\n", ""),
    ],
)
def test_the_host_release_is_read_from_os_release(
    tmp_path: Path, os_release: str, codename: str
) -> None:
    (tmp_path / "os-release").write_text(os_release)
    assert chroots.host_codename(str(tmp_path / "os-release")) == codename


def test_a_stamped_chroot_of_the_same_recipe_is_reused_without_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = "http://mirror.invalid/debian"
    stamped = tmp_path / "trixie"
    stamped.mkdir()
    recipe = {
        "suite": "trixie",
        "backports": False,
        "packages": ["qbittorrent-nox", "transmission-daemon"],
        "mirror": mirror,
    }
    (stamped / ".bangumi-chroot.json").write_text(json.dumps({"recipe": recipe}))
    monkeypatch.setattr(chroots, "build", _never_build)
    assert chroots.ensure("trixie", tmp_path, mirror) == stamped


def test_a_chroot_without_its_stamp_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "trixie-backports").mkdir()  # e.g. a build interrupted by hand
    built: list[str] = []

    def build(name: str, target: Path, wanted: dict[str, object]) -> None:
        built.append(name)
        (target / ".bangumi-chroot.json").write_text(json.dumps({"recipe": wanted}))

    monkeypatch.setattr(chroots, "build", build)
    monkeypatch.setattr(chroots.shutil, "which", lambda _: "/usr/sbin/debootstrap")
    root = chroots.ensure("trixie-backports", tmp_path, "http://mirror.invalid/debian")
    assert built == ["trixie-backports"]
    assert chroots.is_current(
        root, chroots.recipe("trixie-backports", "http://mirror.invalid/debian")
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".trixie-backports.lock",
        "trixie-backports",
    ]


def _never_build(name: str, target: Path, wanted: dict[str, object]) -> None:
    raise AssertionError(f"{name} was built again")
