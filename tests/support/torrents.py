"""Torrents for tests: payloads, .torrent files built with fastbencode, magnets, a file server."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import attrs
from fastbencode import bencode

PIECE_LENGTH = 64 * 1024


@attrs.frozen
class MadeTorrent:
    """A payload on disk and its .torrent file, with the v1 info-hash clients know it by."""

    payload: Path
    content: bytes = attrs.field(repr=False)
    info_hash: str

    @property
    def size(self) -> int:
        return self.payload.stat().st_size


def random_payload(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def make_torrent(payload: Path, *, piece_length: int = PIECE_LENGTH) -> MadeTorrent:
    """A single-file v1 .torrent for `payload`, trackerless (peers come from the magnet hint)."""
    data = payload.read_bytes()
    pieces = b"".join(
        hashlib.sha1(data[i : i + piece_length], usedforsecurity=False).digest()
        for i in range(0, len(data), piece_length)
    )
    info = {
        b"name": payload.name.encode(),
        b"piece length": piece_length,
        b"length": len(data),
        b"pieces": pieces,
    }
    content = bencode({b"info": info, b"created by": b"bangumi-dispatch tests"})
    info_hash = hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()
    return MadeTorrent(payload, content, info_hash)


def random_hash() -> str:
    return os.urandom(20).hex()


def magnet(info_hash: str, *, base32: bool = False, peer: str | None = None, name: str = "") -> str:
    """A magnet link for a v1 hash, in hex or base32, optionally with an `x.pe` peer hint."""
    topic = base64.b32encode(bytes.fromhex(info_hash)).decode() if base32 else info_hash
    uri = f"magnet:?xt=urn:btih:{topic}"
    if name:
        uri += f"&dn={quote(name)}"
    if peer:
        uri += f"&x.pe={peer}"
    return uri


@attrs.define
class TorrentServer:
    """A loopback HTTP server answering each path with a fixed (status, headers, body)."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = attrs.field(factory=dict)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def serve(self, path: str, body: bytes, *, status: int = 200, **headers: str) -> str:
        """Answer `path` from now on; returns its full URL."""
        self.routes[path] = (status, headers, body)
        return self.base_url + path

    def redirect(self, path: str, location: str) -> str:
        return self.serve(path, b"", status=302, Location=location)

    def start(self) -> None:
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = routes.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
