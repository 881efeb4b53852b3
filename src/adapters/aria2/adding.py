"""Adding a batch: what to ask aria2 for each URL, and what its answers mean."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

import attrs

from adapters.bittorrent.fetch import Fetched, MagnetRedirect, TorrentFile
from adapters.bittorrent.paths import UnsafeSavePath, join_under
from dispatch_domain import (
    Accepted,
    AddRequest,
    AddResult,
    DownloadType,
    InfoHash,
    InvalidInfoHash,
    Rejected,
    detect_download_type,
)
from dispatch_domain.answers import NO_ID

# Per-download options. A torrent is kept in aria2's session even once finished, so it is
# found again after a restart: its pieces are checked on disk, not fetched again (a magnet
# first asks the swarm for its metadata again). An http link is a plain file: never followed
# as a .torrent or metalink, which would change what the download is.
TORRENT_OPTIONS: Mapping[str, str] = {"force-save": "true", "check-integrity": "true"}
HTTP_OPTIONS: Mapping[str, str] = {"follow-torrent": "false", "follow-metalink": "false"}


@attrs.frozen
class Planned:
    """One URL ready for aria2: the method, its arguments, and the id it will be known by."""

    url: str
    method: str
    arguments: tuple[object, ...] = attrs.field(repr=False)
    info_hash: InfoHash | None = None

    @property
    def key(self) -> str:
        """What makes two links one download: a torrent's info-hash, an http link's gid."""
        return self.info_hash.hex if self.info_hash is not None else http_gid(self.url)

    @property
    def retries(self) -> bool:
        """Whether this download may replace a failed or removed one of the same key."""
        return self.info_hash is None

    def accepted(self, gid: object) -> AddResult:
        """What aria2's answer (a gid) means for this URL."""
        if not isinstance(gid, str) or not gid:
            return Rejected(NO_ID)
        return Accepted(self.info_hash.hex if self.info_hash else gid)


def http_gid(url: str) -> str:
    """The gid an http link is added under: derived from the URL, so adding it again finds the
    download aria2 already has instead of fetching the file twice (even after a restart, as
    aria2's session keeps gids)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def save_dir(item: AddRequest, *, root: str | None, default: str | None) -> str | Rejected | None:
    """The folder aria2 should save an item in (None: aria2's own --dir), or why it may not."""
    if not item.save_path:
        return default
    if root is None:
        return Rejected("no download root is known to put save_path under")
    try:
        return join_under(root, item.save_path)
    except UnsafeSavePath as error:
        return Rejected(str(error))


def kind_of(url: str) -> DownloadType | Rejected:
    kind = detect_download_type(url)
    if kind is None:
        return Rejected("neither a magnet link nor an http(s) URL")
    return kind


def plan(
    url: str, kind: DownloadType, folder: str | Rejected | None, fetched: Fetched | None
) -> Planned | Rejected:
    """What to ask aria2 for one URL (its .torrent fetched first, for a torrent), or why not."""
    if isinstance(folder, Rejected):
        return folder
    if kind is DownloadType.HTTP:
        options = {**_options(HTTP_OPTIONS, folder), "gid": http_gid(url)}
        return Planned(url, "aria2.addUri", ([url], options))
    if isinstance(fetched, Rejected):
        return fetched
    options = _options(TORRENT_OPTIONS, folder)
    if isinstance(fetched, TorrentFile):
        content = base64.b64encode(fetched.content).decode("ascii")
        return _bittorrent(
            Planned(url, "aria2.addTorrent", (content, [], options), fetched.meta.info_hash)
        )
    magnet = fetched.uri if isinstance(fetched, MagnetRedirect) else url
    try:
        info_hash = InfoHash.from_magnet(magnet)
    except InvalidInfoHash as error:
        return Rejected(f"not a usable magnet link: {error}")
    return _bittorrent(Planned(url, "aria2.addUri", ([magnet], options), info_hash))


def _bittorrent(planned: Planned) -> Planned | Rejected:
    if planned.info_hash is not None and planned.info_hash.version != 1:
        return Rejected("aria2 does not support BitTorrent v2-only torrents")
    return planned


def _options(base: Mapping[str, str], folder: str | None) -> dict[str, str]:
    return {**base, "dir": folder} if folder is not None else dict(base)
