"""Rules for what fetchers send: URL hygiene, save paths, and turning an item into a link."""

from __future__ import annotations

from pathlib import PurePosixPath

from dispatch_domain.detection import DetectorChain, magnet_topics
from dispatch_domain.errors import InvalidInput
from dispatch_domain.infohash import InfoHash, InvalidInfoHash
from dispatch_domain.model import FetchedItem, ItemProblem, NewLink
from dispatch_domain.vocabulary import DownloadType

MAX_URL_LENGTH = 8192


def check_save_path(value: str | None) -> str | None:
    """A save path relative to the download root, normalised; InvalidInput if it could escape."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if "\x00" in text or "\\" in text:
        raise InvalidInput("save_path may not contain backslashes or NUL characters")
    path = PurePosixPath(text)
    if path.is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise InvalidInput("save_path must be relative to the download root")
    if ".." in path.parts:
        raise InvalidInput("save_path may not contain '..'")
    parts = [part for part in path.parts if part != "."]
    return "/".join(parts) or None


def to_link(item: FetchedItem, chain: DetectorChain) -> NewLink | ItemProblem:
    """A storable link, or why the item cannot be one. Unknown kinds are kept with a reason."""
    url = item.download_url.strip()
    if not url:
        return ItemProblem(item.index, "download_url is empty")
    if len(url) > MAX_URL_LENGTH:
        return ItemProblem(item.index, f"download_url is longer than {MAX_URL_LENGTH} characters")
    try:
        save_path = check_save_path(item.save_path)
    except InvalidInput as error:
        return ItemProblem(item.index, str(error))
    kind = chain.detect(url)
    if kind is None:
        return NewLink(item, url, None, save_path=save_path, reason=_why_unknown(url))
    info_hash = InfoHash.from_magnet(url).hex if kind is DownloadType.MAGNET else None
    return NewLink(item, url, kind, info_hash=info_hash, save_path=save_path)


def _why_unknown(url: str) -> str:
    if magnet_topics(url) or url.lower().startswith("magnet:"):
        try:
            InfoHash.from_magnet(url)
        except InvalidInfoHash as error:
            return f"not a usable magnet: {error}"
    return "not a magnet, .torrent or http(s) link"
