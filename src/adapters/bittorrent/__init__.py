"""What every BitTorrent client adapter needs: .torrent fetching and parsing, save paths, plans."""

from adapters.bittorrent.fetch import Fetched, MagnetRedirect, TorrentFetcher, TorrentFile
from adapters.bittorrent.paths import UnsafeSavePath, join_under
from adapters.bittorrent.planning import Planned, Planner, Prepared, is_web_url, plan, save_target
from adapters.bittorrent.torrentfile import NotATorrent, TorrentMeta, parse_torrent

__all__ = [
    "Fetched",
    "MagnetRedirect",
    "NotATorrent",
    "Planned",
    "Planner",
    "Prepared",
    "TorrentFetcher",
    "TorrentFile",
    "TorrentMeta",
    "UnsafeSavePath",
    "is_web_url",
    "join_under",
    "parse_torrent",
    "plan",
    "save_target",
]
