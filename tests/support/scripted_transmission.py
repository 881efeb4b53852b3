"""A stand-in for Transmission's RPC behind httpx.MockTransport, for unit tests."""

from __future__ import annotations

import json
import secrets
from typing import Any

import attrs
import httpx

from dispatch_domain import InfoHash


@attrs.define
class ScriptedTransmission:
    """Asks for a session id (409) first, knows torrents by hashString, records every call.

    `add_results` gives torrent-add's `result` per magnet hash (default: success);
    `rows` holds torrent-get rows by hashString; `password` turns basic auth on.
    """

    password: str | None = None
    add_results: dict[str, str] = attrs.field(factory=dict)
    rows: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    calls: list[dict[str, Any]] = attrs.field(factory=list)
    session_id: str = attrs.field(factory=lambda: secrets.token_hex(8))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def methods(self) -> list[str]:
        return [call["method"] for call in self.calls]

    def new_session(self) -> None:
        """As after a restart: the old id now gets 409."""
        self.session_id = secrets.token_hex(8)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.password is not None:
            expected = httpx.BasicAuth("dispatch", self.password)
            wanted = next(expected.auth_flow(httpx.Request("POST", "http://x"))).headers
            if request.headers.get("authorization") != wanted["authorization"]:
                return httpx.Response(401, text="Unauthorized")
        if request.headers.get("x-transmission-session-id") != self.session_id:
            return httpx.Response(409, headers={"X-Transmission-Session-Id": self.session_id})
        call = json.loads(request.content)
        self.calls.append(call)
        method, arguments = call["method"], call.get("arguments", {})
        if method == "torrent-add":
            return self._add(arguments)
        if method == "torrent-get":
            ids = arguments.get("ids")
            found = (
                [self.rows[i] for i in ids if i in self.rows] if ids else list(self.rows.values())
            )
            return _answer(torrents=found)
        if method == "torrent-remove":
            for i in arguments.get("ids") or list(self.rows):
                self.rows.pop(i, None)
            return _answer()
        if method == "session-get":
            return _answer(version="4.1.4 (scripted)", **{"download-dir": "/var/lib/transmission"})
        return _answer()

    def _add(self, arguments: dict[str, Any]) -> httpx.Response:
        torrent_id = InfoHash.from_magnet(arguments["filename"]).torrent_id
        result = self.add_results.get(torrent_id, "success")
        if result != "success":
            return httpx.Response(200, json={"arguments": {}, "result": result})
        key = "torrent-duplicate" if torrent_id in self.rows else "torrent-added"
        self.rows.setdefault(
            torrent_id,
            {"hashString": torrent_id, "status": 4, "percentDone": 0, "error": 0, "name": ""},
        )
        added = {"hashString": torrent_id, "id": len(self.rows), "name": torrent_id}
        return _answer(**{key: added})


def _answer(**arguments: Any) -> httpx.Response:
    return httpx.Response(200, json={"arguments": arguments, "result": "success"})
