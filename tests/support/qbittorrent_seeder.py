"""A real qBittorrent seeding a torrent on loopback and connecting in to another client.

Transmission ignores `x.pe` peer hints in magnets and drops 127.x peers learnt from
trackers or PeX, but accepts incoming loopback connections: so the seeder dials it.
"""

from __future__ import annotations

import asyncio
import shutil
import time

import attrs
import httpx

from tests.support.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess
from tests.support.torrents import MadeTorrent

SEEDING = {"uploading", "stalledUP", "forcedUP", "queuedUP"}


@attrs.define
class QBittorrentSeeder:
    """Seeds `made` from a qBittorrent: the payload is copied where qBittorrent can read it."""

    qbittorrent: QBittorrentProcess
    made: MadeTorrent
    _http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> QBittorrentSeeder:
        self._http = httpx.AsyncClient(base_url=self.qbittorrent.url + "/api/v2/", timeout=10)
        login = await self._http.post(
            "auth/login", data={"username": USERNAME, "password": PASSWORD}
        )
        assert login.status_code in (200, 204), login.text
        folder = self.qbittorrent.downloads / f"seed-{self.made.info_hash}"
        folder.mkdir()
        shutil.copy(self.made.payload, folder / self.made.payload.name)
        added = await self._http.post(
            "torrents/add",
            data={"savepath": self.qbittorrent.seen(folder), "autoTMM": "false"},
            files={"torrents": ("seed.torrent", self.made.content, "application/x-bittorrent")},
        )
        assert added.status_code == 200, added.text
        await self._until_seeding(timeout=30)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._http is not None
        await self._http.post(
            "torrents/delete", data={"hashes": self.made.info_hash, "deleteFiles": "true"}
        )
        await self._http.aclose()

    async def connect_to(self, peer: str) -> None:
        """Dial `peer` (host:port) for this torrent."""
        assert self._http is not None
        answer = await self._http.post(
            "torrents/addPeers", data={"hashes": self.made.info_hash, "peers": peer}
        )
        assert answer.status_code == 200, answer.text

    async def _until_seeding(self, *, timeout: float) -> None:
        assert self._http is not None
        deadline = time.monotonic() + timeout
        while True:
            rows = (
                await self._http.post("torrents/info", data={"hashes": self.made.info_hash})
            ).json()
            if rows and rows[0]["state"] in SEEDING:
                return
            assert time.monotonic() < deadline, f"qBittorrent never seeded: {rows}"
            await asyncio.sleep(0.2)
