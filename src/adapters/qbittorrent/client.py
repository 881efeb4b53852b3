"""qBittorrent's WebUI API v2 over an injected httpx client: shared login, 403 retry, timeouts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from adapters.qbittorrent.session import (
    ClientUnreachable,
    Credentials,
    LoginPolicy,
    LoginRefused,
    SessionGate,
)
from adapters.redact import redact_url
from dispatch_domain import BackendError

log = logging.getLogger(__name__)

FilePart = tuple[str, tuple[str, bytes, str]]

# qBittorrent 5 (WebUI API 2.11) renamed pause/resume to stop/start and paused to stopped.
STOP_START_SINCE = (2, 11)


def parse_version(text: str) -> tuple[int, ...]:
    """'2.8.19' → (2, 8, 19); a malformed part counts as 0."""
    return tuple(int(part) if part.isdigit() else 0 for part in text.strip().split("."))


class QBittorrentClient:
    """The WebUI API calls the backend needs; every call carries a timeout and a live session."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        credentials: Credentials,
        *,
        timeout: float = 10.0,
        login_policy: LoginPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_login: Callable[[str], None] | None = None,
    ) -> None:
        self._http = http
        self._api = url.rstrip("/") + "/api/v2/"
        self._credentials = credentials
        self._timeout = httpx.Timeout(timeout)
        self.gate = SessionGate(self._login, login_policy or LoginPolicy(), clock)
        if on_login is not None:
            self.gate.on_attempt = on_login
        self._api_version: tuple[int, ...] | None = None
        self._default_save_path: str | None = None

    @property
    def where(self) -> str:
        """The WebUI address, fit for logs and error messages."""
        return redact_url(self._api.removesuffix("api/v2/"))

    async def app_version(self) -> str:
        return _ok(await self._call("GET", "app/version"), "app/version").text.strip()

    async def api_version(self) -> tuple[int, ...]:
        """The WebUI API version, read once: it only changes when qBittorrent is upgraded."""
        if self._api_version is None:
            text = _ok(await self._call("GET", "app/webapiVersion"), "app/webapiVersion").text
            self._api_version = parse_version(text)
            log.info("qBittorrent at %s speaks WebUI API %s", self.where, text.strip())
        return self._api_version

    async def default_save_path(self) -> str:
        """qBittorrent's own default save path, read once."""
        if self._default_save_path is None:
            response = _ok(await self._call("GET", "app/defaultSavePath"), "app/defaultSavePath")
            self._default_save_path = response.text.strip()
        return self._default_save_path

    async def torrents(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """`torrents/info` rows for these ids; qBittorrent skips ids it does not know."""
        if not ids:
            return []  # an empty filter would list every torrent
        response = await self._call("POST", "torrents/info", data={"hashes": "|".join(ids)})
        rows = _json(_ok(response, "torrents/info"))
        if not isinstance(rows, list):
            raise BackendError(
                f"qBittorrent at {self.where} sent an unexpected torrents/info answer"
            )
        return [row for row in rows if isinstance(row, dict)]

    async def add(
        self,
        *,
        urls: Sequence[str] = (),
        files: Sequence[FilePart] = (),
        save_path: str | None = None,
        stopped: bool = False,
    ) -> httpx.Response:
        """One `torrents/add` call; its answer never says which item failed, so callers confirm.

        It answers `Ok.`/`Fails.` up to 5.1, and JSON (`added_torrent_ids`...), 202 (pending)
        or 409 (duplicate or bad) from 5.2: whichever, the caller confirms by hash.
        """
        data: dict[str, str] = {}
        if urls:
            data["urls"] = "\n".join(urls)
        if stopped:
            # API 2.11 (qBittorrent 5) renamed `paused` to `stopped`.
            since = await self.api_version() >= STOP_START_SINCE
            data["stopped" if since else "paused"] = "true"
        if save_path is not None:
            # Automatic torrent management would ignore our save path.
            data |= {"savepath": save_path, "autoTMM": "false"}
        return await self._call("POST", "torrents/add", data=data, files=list(files) or None)

    async def delete(self, ids: Sequence[str], *, delete_files: bool) -> None:
        if ids:
            data = {"hashes": "|".join(ids), "deleteFiles": "true" if delete_files else "false"}
            _ok(await self._call("POST", "torrents/delete", data=data), "torrents/delete")

    async def pause(self, ids: Sequence[str]) -> None:
        endpoint = (
            "torrents/stop" if await self.api_version() >= STOP_START_SINCE else "torrents/pause"
        )
        _ok(await self._call("POST", endpoint, data=_ids(ids)), endpoint)

    async def resume(self, ids: Sequence[str]) -> None:
        endpoint = (
            "torrents/start" if await self.api_version() >= STOP_START_SINCE else "torrents/resume"
        )
        _ok(await self._call("POST", endpoint, data=_ids(ids)), endpoint)

    async def _call(
        self,
        method: str,
        endpoint: str,
        *,
        data: Mapping[str, str] | None = None,
        files: list[FilePart] | None = None,
    ) -> httpx.Response:
        generation = await self.gate.current()
        response = await self._send(method, endpoint, data, files)
        if response.status_code == 403:
            log.info("qBittorrent session at %s expired; logging in again", self.where)
            await self.gate.renew(generation)
            response = await self._send(method, endpoint, data, files)
            if response.status_code == 403:
                self.gate.forget()
                raise BackendError(
                    f"qBittorrent at {self.where} answers 403 even after a new login"
                )
        return response

    async def _send(
        self,
        method: str,
        endpoint: str,
        data: Mapping[str, str] | None,
        files: list[FilePart] | None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method, self._api + endpoint, data=data, files=files, timeout=self._timeout
            )
        except httpx.TimeoutException:
            raise ClientUnreachable(f"qBittorrent at {self.where} did not answer in time") from None
        except httpx.HTTPError as error:
            reason = type(error).__name__
            raise ClientUnreachable(
                f"qBittorrent at {self.where} is unreachable ({reason})"
            ) from None
        if response.status_code >= 500:
            raise ClientUnreachable(
                f"qBittorrent at {self.where} failed: HTTP {response.status_code} on {endpoint}"
            )
        return response

    async def _login(self) -> None:
        form = {"username": self._credentials.username, "password": self._credentials.password}
        response = await self._send("POST", "auth/login", form, None)
        user = self._credentials.username
        if response.status_code == 403:
            raise LoginRefused(
                f"qBittorrent at {self.where} has banned this address after too many failed logins",
                banned=True,
            )
        if not _logged_in(response):
            if response.status_code not in (200, 401):
                raise BackendError(
                    f"qBittorrent at {self.where} answered HTTP {response.status_code} to login"
                )
            raise LoginRefused(
                f"qBittorrent at {self.where} refused the password for user {user!r}"
            )
        log.info("logged in to qBittorrent at %s as %r", self.where, user)


def _logged_in(response: httpx.Response) -> bool:
    """Up to 5.1 a login answers 200 `Ok.` (or 200 `Fails.`); from 5.2, 204 (or 401)."""
    if response.status_code == 204:
        return True
    return response.status_code == 200 and response.text.strip() == "Ok."


def _ids(ids: Sequence[str]) -> dict[str, str]:
    return {"hashes": "|".join(ids)}


def _ok(response: httpx.Response, endpoint: str) -> httpx.Response:
    if response.status_code != 200:
        detail = response.text.strip()[:200]
        raise BackendError(
            f"qBittorrent answered HTTP {response.status_code} on {endpoint}: {detail}"
        )
    return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise BackendError("qBittorrent answered with a body that is not JSON") from None
