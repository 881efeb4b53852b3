"""A loopback BitTorrent tracker that answers every announce with the peers it was given.

aria2 takes no peer hint (`x.pe`) from a magnet, so a test points it at this tracker instead."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs
from fastbencode import bencode


@attrs.define
class LoopbackTracker:
    """Answers `GET /announce` with `peers` (host:port on 127.0.0.1) in compact form."""

    peers: list[str] = attrs.field(factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def announce_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/announce"

    def start(self) -> None:
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = bencode({b"interval": 5, b"peers": tracker.compact_peers()})
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def compact_peers(self) -> bytes:
        packed = b""
        for peer in self.peers:
            host, _, port = peer.rpartition(":")
            packed += socket.inet_aton(host) + int(port).to_bytes(2, "big")
        return packed

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
