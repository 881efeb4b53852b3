"""A batch of links made ready for any BitTorrent client: save paths, fetched .torrent files."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import attrs

from adapters.bittorrent.fetch import Fetched, MagnetRedirect, TorrentFetcher, TorrentFile
from adapters.bittorrent.paths import UnsafeSavePath, join_under
from dispatch_domain import AddRequest, InfoHash, InvalidInfoHash, Rejected


@attrs.frozen
class Planned:
    """One URL ready to hand to a client, as a magnet or as .torrent bytes."""

    url: str
    info_hash: InfoHash
    save_path: str | None
    magnet: str | None = attrs.field(default=None, repr=False)
    torrent: bytes | None = attrs.field(default=None, repr=False)

    @property
    def client_id(self) -> str:
        """The 40-digit id the client lists the torrent by."""
        return self.info_hash.torrent_id


@attrs.frozen
class Prepared:
    """A batch after planning: the unique URLs in order, those refused already, the rest."""

    urls: tuple[str, ...]
    rejected: dict[str, Rejected]
    planned: tuple[Planned, ...]


def is_web_url(url: str) -> bool:
    return url.partition(":")[0].lower() in ("http", "https")


def save_target(
    item: AddRequest, *, root: str | None, default: str | None
) -> str | Rejected | None:
    """Where the client should save an item, or why it may not.

    A relative `save_path` goes under `root`; an item without one goes to `default`
    (None: the client's own choice, which honours e.g. qBittorrent's categories).
    """
    if not item.save_path:
        return default
    if root is None:
        return Rejected("no download root is known to put save_path under")
    try:
        return join_under(root, item.save_path)
    except UnsafeSavePath as error:
        return Rejected(str(error))


def plan(url: str, save_path: str | None, fetched: Fetched | None) -> Planned | Rejected:
    """What to send the client for one URL (fetched first if it is a web URL), or why not."""
    if isinstance(fetched, Rejected):
        return fetched
    if isinstance(fetched, TorrentFile):
        return Planned(url, fetched.meta.info_hash, save_path, torrent=fetched.content)
    magnet = fetched.uri if isinstance(fetched, MagnetRedirect) else url
    if magnet.partition(":")[0].lower() != "magnet":
        return Rejected("neither a magnet link nor an http(s) URL of a .torrent file")
    try:
        info_hash = InfoHash.from_magnet(magnet)
    except InvalidInfoHash as error:
        return Rejected(f"not a usable magnet link: {error}")
    return Planned(url, info_hash, save_path, magnet=magnet)


@attrs.define
class Planner:
    """Turns a batch of AddRequests into Planned items, fetching .torrent URLs concurrently.

    `root` gives the folder relative save paths go under; it is asked only when an item has
    one. Items without a save path go to `default` (None: the client's default folder).
    """

    fetcher: TorrentFetcher
    root: Callable[[], Awaitable[str]]
    default: str | None = None
    fetch_concurrency: int = 8
    _slots: asyncio.Semaphore = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.fetch_concurrency)

    async def prepare(self, items: Sequence[AddRequest]) -> Prepared:
        unique: dict[str, AddRequest] = {}
        for item in items:
            unique.setdefault(item.url, item)
        root = await self.root() if any(i.save_path for i in unique.values()) else None
        targets = {
            url: save_target(item, root=root, default=self.default) for url, item in unique.items()
        }
        rejected = {url: t for url, t in targets.items() if isinstance(t, Rejected)}
        web = [url for url in unique if url not in rejected and is_web_url(url)]
        fetched = await self._fetch_all(web)
        planned: list[Planned] = []
        for url, target in targets.items():
            if isinstance(target, Rejected):
                continue
            outcome = plan(url, target, fetched.get(url))
            if isinstance(outcome, Rejected):
                rejected[url] = outcome
            else:
                planned.append(outcome)
        return Prepared(tuple(unique), rejected, tuple(planned))

    async def _fetch_all(self, urls: Sequence[str]) -> dict[str, Fetched]:
        async def fetch(url: str) -> Fetched:
            async with self._slots:
                return await self.fetcher.fetch(url)

        fetched = await asyncio.gather(*(fetch(url) for url in urls))
        return dict(zip(urls, fetched, strict=True))
