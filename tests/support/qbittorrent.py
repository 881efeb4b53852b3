"""A real qbittorrent-nox for tests: temporary profile, loopback ports, no DHT/PeX/LSD/UPnP."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import re
import secrets
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl

import attrs
import httpx
import pytest

from adapters.qbittorrent import (
    Credentials,
    LoginPolicy,
    QBittorrentBackend,
    QBittorrentClient,
    TorrentFetcher,
)
from dispatch_domain import InfoHash
from tests.support.clients import (
    QBITTORRENT,
    Release,
    Runtime,
    remove_later,
    runtime_for,
    start_daemon,
    stop_daemon,
)
from tests.support.loopback import LoopbackOnly
from tests.support.real import free_port

USERNAME = "admin"
PASSWORD = "adminadmin"  # qBittorrent 4.5's default; written as a hash too, for newer versions


def password_hash(password: str) -> str:
    """qBittorrent's `WebUI\\Password_PBKDF2` value (PBKDF2-HMAC-SHA512, 100k rounds)."""
    salt = secrets.token_bytes(16)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000, 64)
    return f"@ByteArray({base64.b64encode(salt).decode()}:{base64.b64encode(key).decode()})"


def write_profile(profile: Path, *, webui_port: int, torrent_port: int, downloads: str) -> None:
    """A profile folder qbittorrent-nox starts from headless, on loopback only."""
    config = profile / "qBittorrent" / "config"
    config.mkdir(parents=True, exist_ok=True)
    lines = [
        "[LegalNotice]",
        "Accepted=true",
        "",
        "[BitTorrent]",
        "Session\\DHTEnabled=false",
        "Session\\PeXEnabled=false",
        "Session\\LSDEnabled=false",
        "Session\\QueueingSystemEnabled=false",
        "Session\\MultiConnectionsPerIp=true",
        f"Session\\Port={torrent_port}",
        "Session\\Interface=lo",
        "Session\\InterfaceName=lo",
        "Session\\InterfaceAddress=127.0.0.1",
        f"Session\\DefaultSavePath={downloads}",
        "",
        "[Network]",
        "PortForwardingEnabled=false",
        "",
        "[Preferences]",
        "Connection\\UPnP=false",
        "Connection\\ResolvePeerCountries=false",
        f"WebUI\\Port={webui_port}",
        "WebUI\\Address=127.0.0.1",
        "WebUI\\LocalHostAuth=true",
        f"WebUI\\Username={USERNAME}",
        f'WebUI\\Password_PBKDF2="{password_hash(PASSWORD)}"',
    ]
    (config / "qBittorrent.conf").write_text("\n".join(lines) + "\n")


@attrs.define
class QBittorrentProcess:
    """One qbittorrent-nox (host or chroot) on a temporary profile; can be stopped and restarted.

    `profile` and `downloads` are host paths; `seen()` gives a path as qBittorrent sees it.
    """

    release: Release
    runtime: Runtime
    profile: Path
    webui_port: int
    torrent_port: int
    downloads: Path
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.webui_port}"

    @property
    def peer(self) -> str:
        """Where other BitTorrent clients reach this one."""
        return f"127.0.0.1:{self.torrent_port}"

    def seen(self, path: Path) -> str:
        return self.runtime.seen(path)

    @classmethod
    def create(
        cls, request: pytest.FixtureRequest, version: str, *, session: bool
    ) -> QBittorrentProcess:
        release = QBITTORRENT[version]
        runtime = runtime_for(release)
        profile = runtime.scratch(f"qbittorrent-{version}")
        remove_later(request, profile, session=session)
        downloads = profile / "downloads"
        downloads.mkdir()
        port, torrent_port = free_port(), free_port()
        write_profile(
            profile,
            webui_port=port,
            torrent_port=torrent_port,
            downloads=runtime.seen(downloads),
        )
        return cls(release, runtime, profile, port, torrent_port, downloads)

    def start(self, timeout: float = 30.0) -> None:
        command = self.runtime.command(
            self.release.binary, f"--profile={self.runtime.seen(self.profile)}"
        )
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        self._process = start_daemon(command, self.profile / "qbittorrent-nox.log", env)
        self._wait_until_answering(timeout)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def stop(self, timeout: float = 15.0) -> None:
        process, self._process = self._process, None
        stop_daemon(process, timeout)

    def restart(self) -> None:
        self.stop()
        self.start()

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"qbittorrent-nox exited early; see {self.profile}")
            try:
                httpx.get(f"{self.url}/api/v2/app/webapiVersion", timeout=1.0)
                return  # any answer (403 before login) means the WebUI is up
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"qbittorrent-nox did not answer within {timeout} s")


_shared: dict[str, QBittorrentProcess] = {}


def shared_qbittorrent(request: pytest.FixtureRequest, version: str = "4.5") -> QBittorrentProcess:
    """One qbittorrent-nox per version for the whole test run, however many modules ask."""
    if version not in _shared:
        started = QBittorrentProcess.create(request, version, session=True)
        started.start()
        request.config.add_cleanup(started.stop)
        _shared[version] = started
    return _shared[version]


def fresh_qbittorrent(request: pytest.FixtureRequest, version: str = "4.5") -> QBittorrentProcess:
    """A qbittorrent-nox of one's own, for tests that restart it or feed it bad passwords."""
    process = QBittorrentProcess.create(request, version, session=False)
    process.start()
    request.addfinalizer(process.stop)
    return process


@attrs.define
class RequestLog:
    """Every request an httpx client sends, recorded by an event hook."""

    requests: list[httpx.Request] = attrs.field(factory=list)

    async def record(self, request: httpx.Request) -> None:
        self.requests.append(request)

    def endpoints(self) -> list[str]:
        """The API endpoints called, in order, e.g. ['auth/login', 'torrents/add']."""
        return [request.url.path.removeprefix("/api/v2/") for request in self.requests]

    def clear(self) -> None:
        self.requests.clear()


@contextlib.asynccontextmanager
async def connected_backend(
    qbittorrent: QBittorrentProcess,
    *,
    password: str = PASSWORD,
    download_root: str | None = None,
    login_policy: LoginPolicy | None = None,
) -> AsyncIterator[tuple[QBittorrentBackend, RequestLog]]:
    """Our qBittorrent backend on fresh httpx clients, with the requests to qBittorrent counted."""
    log = RequestLog()
    async with (
        httpx.AsyncClient(event_hooks={"request": [log.record]}) as http,
        httpx.AsyncClient(transport=LoopbackOnly()) as fetch_http,  # no outside lookups
    ):
        client = QBittorrentClient(
            http, qbittorrent.url, Credentials(USERNAME, password), login_policy=login_policy
        )
        fetcher = TorrentFetcher(fetch_http, timeout=10.0)
        yield QBittorrentBackend(client, fetcher, download_root=download_root), log


@attrs.define
class ScriptedWebUI:
    """A stand-in for qBittorrent's WebUI behind httpx.MockTransport, for unit tests.

    It checks the SID cookie (403 without it), knows torrents by id, and answers
    `torrents/add` with `add_answer` (status, body) to mimic 4.x and 5.x replies.
    Ids in `ignored` are never added; an upload holding a file in `bad_files` is refused
    whole with 415, as qBittorrent does.
    """

    password: str = PASSWORD
    api_version: str = "2.8.19"
    login_answers: str = "text"  # "text": 200 Ok./Fails. (up to 5.1); "status": 204/401 (5.2+)
    add_answer: tuple[int, str] | None = None
    login_delay: float = 0.0
    banned: bool = False
    default_save_path: str = "/srv/downloads"
    ignored: set[str] = attrs.field(factory=set)
    bad_files: set[str] = attrs.field(factory=set)
    save_paths: list[str | None] = attrs.field(factory=list)
    add_flags: list[dict[str, str]] = attrs.field(factory=list)
    states: dict[str, str] = attrs.field(factory=dict)
    calls: list[str] = attrs.field(factory=list)
    _sid: str | None = None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def expire_session(self) -> None:
        self._sid = None

    def logins(self) -> int:
        return self.calls.count("auth/login")

    async def handle(self, request: httpx.Request) -> httpx.Response:
        endpoint = request.url.path.removeprefix("/api/v2/")
        self.calls.append(endpoint)
        if endpoint == "auth/login":
            return await self._login(request)
        if self._sid is None or request.headers.get("cookie") != f"SID={self._sid}":
            return httpx.Response(403, text="Forbidden")
        if endpoint == "app/webapiVersion":
            return httpx.Response(200, text=self.api_version)
        if endpoint == "app/defaultSavePath":
            return httpx.Response(200, text=self.default_save_path)
        if endpoint == "torrents/add":
            return self._add(request)
        if endpoint == "torrents/info":
            return httpx.Response(200, json=self._info(request))
        return httpx.Response(200, text="")

    async def _login(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.login_delay)
        if self.banned:
            return httpx.Response(403, text="Your IP address has been banned")
        form = dict(parse_qsl(request.content.decode()))
        by_status = self.login_answers == "status"
        if form.get("password") != self.password:
            return httpx.Response(401, text="") if by_status else httpx.Response(200, text="Fails.")
        self._sid = secrets.token_hex(8)
        cookie = {"set-cookie": f"SID={self._sid}; path=/"}
        if by_status:
            return httpx.Response(204, headers=cookie)
        return httpx.Response(200, text="Ok.", headers=cookie)

    def _add(self, request: httpx.Request) -> httpx.Response:
        body = request.content.decode("latin-1")
        files = re.findall(r'filename="([0-9a-f]{40})\.torrent"', body)
        if files:
            self.save_paths.append(_multipart_field(body, "savepath"))
            if self.bad_files.intersection(files):
                return httpx.Response(415, text="Error: a file is not a valid torrent file.")
            ids = files
        else:
            form = dict(parse_qsl(body))
            self.save_paths.append(form.get("savepath"))
            self.add_flags.append({k: v for k, v in form.items() if k in ("paused", "stopped")})
            urls = form.get("urls", "").split("\n")
            ids = [InfoHash.from_magnet(url).torrent_id for url in urls if url]
        for torrent_id in ids:
            if torrent_id not in self.ignored:
                self.states.setdefault(torrent_id, "metaDL")
        status, text = self.add_answer or (200, "Ok.")
        return httpx.Response(status, text=text)

    def _info(self, request: httpx.Request) -> list[dict[str, object]]:
        wanted = dict(parse_qsl(request.content.decode())).get("hashes", "").split("|")
        return [
            {"hash": h, "state": self.states[h], "progress": 0.0, "size": 0, "name": h}
            for h in wanted
            if h in self.states
        ]


def _multipart_field(body: str, name: str) -> str | None:
    found = re.search(rf'name="{name}"\r\n\r\n([^\r]*)\r\n', body)
    return found.group(1) if found else None
