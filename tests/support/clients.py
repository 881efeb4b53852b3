"""Every client version the project supports, run from the host's packages or a Debian chroot.

A Debian release ships one version of each client; the others come from the chroots that
`scripts/build-client-chroots` builds once and caches outside the clone. The fixtures call
the script, so a fresh machine builds what it lacks (root and the Debian mirror only).
"""

from __future__ import annotations

import functools
import ipaddress
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import pytest

from tests.support.real import in_ci, missing, require_binary

REPO = Path(__file__).resolve().parents[2]
CHROOT_SCRIPT = REPO / "scripts" / "build-client-chroots"


@attrs.frozen
class Release:
    """One client version we claim, and the Debian chroot (or host release) that ships it."""

    package: str
    version: str  # the package version starts with this
    debian: str  # bookworm, trixie or trixie-backports

    @property
    def binary(self) -> str:
        return self.package  # both packages name their daemon after themselves

    @property
    def label(self) -> str:
        return f"{self.package} {self.version}"


QBITTORRENT = {
    "4.5": Release("qbittorrent-nox", "4.5", "bookworm"),
    "5.1": Release("qbittorrent-nox", "5.1", "trixie"),
    "5.3": Release("qbittorrent-nox", "5.3", "trixie-backports"),
}
TRANSMISSION = {
    "3.00": Release("transmission-daemon", "3.00", "bookworm"),
    "4.1.0": Release("transmission-daemon", "4.1.0", "trixie"),
    "4.1.4": Release("transmission-daemon", "4.1.4", "trixie-backports"),
}


@attrs.frozen
class Runtime:
    """Where a daemon runs: on the host (root None) or inside a chroot."""

    root: Path | None

    def command(self, binary: str, *args: str) -> list[str]:
        if self.root is None:
            return [require_binary(binary), *args]
        # chroot execs the daemon: the pid Popen returns is the daemon's own.
        return ["chroot", str(self.root), f"/usr/bin/{binary}", *args]

    def scratch(self, prefix: str) -> Path:
        """A new empty folder the daemon can see, on the host's side."""
        base = Path(tempfile.gettempdir()) if self.root is None else self.root / "tmp"
        return Path(tempfile.mkdtemp(prefix=f"bangumi-{prefix}-", dir=base))

    def seen(self, path: Path) -> str:
        """`path` as the daemon sees it (without the chroot's prefix)."""
        if self.root is None:
            return str(path)
        return "/" + str(path.relative_to(self.root))

    def package_version(self, package: str) -> str:
        query = ["dpkg-query", "-W", "-f=${Version}", package]
        if self.root is not None:
            query = ["chroot", str(self.root), *query]
        done = subprocess.run(query, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""


def host_codename() -> str:
    try:
        lines = Path("/etc/os-release").read_text().splitlines()
        fields = dict(line.split("=", 1) for line in lines if "=" in line)
    except OSError:
        return ""
    if fields.get("ID", "").strip('"') != "debian":
        return ""
    return fields.get("VERSION_CODENAME", "").strip('"')


@functools.cache
def _chroot(name: str) -> Path | str:
    """The chroot's root, built on first use; or why it could not be had."""
    done = subprocess.run(
        [sys.executable, str(CHROOT_SCRIPT), "--print-root", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return done.stderr.strip()[-600:] or f"exit status {done.returncode}"
    return Path(done.stdout.strip().splitlines()[-1])


def runtime_for(release: Release) -> Runtime:
    """The host when its Debian release ships `release`, else that release's chroot.

    Fails in CI (skips elsewhere) when the client cannot be had; fails everywhere when what
    runs is not the version claimed, so a test named 5.3 never passes on something else.
    """
    if host_codename() == release.debian:
        runtime = Runtime(None)
        require_binary(release.binary)
    else:
        root = _chroot(release.debian)
        if not isinstance(root, Path):
            where = f"the {release.debian} chroot (scripts/build-client-chroots {release.debian})"
            missing(f"{release.label} from {where}: {root}")
            raise AssertionError("unreachable")
        runtime = Runtime(root)
    installed = runtime.package_version(release.package)
    if not installed.startswith(release.version):
        message = f"{release.label} wanted, but {installed or 'nothing'} is installed"
        if in_ci() or installed:
            pytest.fail(message)
        pytest.skip(message)
    return runtime


def start_daemon(
    command: Sequence[str], log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a daemon in its own session, its output going to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(env) if env is not None else None,
        )


def stop_daemon(process: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    """SIGTERM by pid, wait, then SIGKILL."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def remove_later(request: pytest.FixtureRequest, folder: Path, *, session: bool) -> None:
    """Remove `folder` when the test (or the whole run) ends."""
    cleanup = functools.partial(shutil.rmtree, folder, ignore_errors=True)
    if session:
        request.config.add_cleanup(cleanup)
    else:
        request.addfinalizer(cleanup)


def bound_addresses(pid: int) -> set[str]:
    """The local IP addresses of every TCP/UDP socket process `pid` holds (from /proc)."""
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target.removeprefix("socket:[").removesuffix("]"))
    addresses: set[str] = set()
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                addresses.add(_ip(fields[1].split(":")[0]))
    return addresses


def _ip(hex_address: str) -> str:
    """/proc/net's little-endian hex address as text ('0100007F' → '127.0.0.1')."""
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return ".".join(str(b) for b in reversed(raw))
    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
    return str(ipaddress.IPv6Address(b"".join(words)))
