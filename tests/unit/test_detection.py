"""Download-type detection: the seed plan's six cases, the brief's edge cases, and an open chain."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_domain import (
    DEFAULT_CHAIN,
    DownloadType,
    HttpDetector,
    MagnetDetector,
    TorrentDetector,
    detect_download_type,
)

HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
BASE32 = "YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK"  # the same hash in base32


# The seed's six tests. Their hash literals were too short to be info-hashes ("abc123"), which
# the brief no longer accepts as a magnet; a real 40-digit hash keeps each test's meaning.
def test_detect_magnet() -> None:
    assert detect_download_type(f"magnet:?xt=urn:btih:{HEX}") == DownloadType.MAGNET


def test_detect_torrent_url() -> None:
    assert detect_download_type("https://example.com/file.torrent") == DownloadType.TORRENT


def test_detect_http() -> None:
    assert detect_download_type("https://example.com/download/123") == DownloadType.HTTP


def test_detect_unknown() -> None:
    assert detect_download_type("ftp://example.com/file") is None


def test_magnet_takes_priority_over_http() -> None:
    assert detect_download_type(f"magnet:?xt=urn:btih:{HEX}&tr=http://t/a") == DownloadType.MAGNET


def test_torrent_takes_priority_over_http() -> None:
    assert detect_download_type("http://example.com/test.torrent") == DownloadType.TORRENT


@pytest.mark.parametrize(
    "url",
    [
        f"MAGNET:?xt=urn:btih:{HEX}",
        f"Magnet:?dn=name&xt=urn:btih:{BASE32}",
        f"magnet:?xt=URN:BTIH:{HEX.upper()}",
        "magnet:?xt=urn:btmh:1220" + "ab" * 32,
        f"magnet:?xt=urn:btmh:1220{'cd' * 32}&xt=urn:btih:{HEX}",
    ],
)
def test_magnets_in_any_case_and_both_versions_are_magnets(url: str) -> None:
    assert detect_download_type(url) == DownloadType.MAGNET


@pytest.mark.parametrize(
    "url",
    [
        "magnet:?xt=urn:btih:abc123",  # too short for an info-hash
        "magnet:?dn=only-a-name",
        f"magnet:?xt=urn:ed2k:{HEX}",
        "magnet:",
    ],
)
def test_a_magnet_without_a_usable_topic_is_not_detected(url: str) -> None:
    assert detect_download_type(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/FILE.TORRENT",
        "https://example.com/get.php?file=show.torrent",
        "https://example.com/dl?id=1&name=Show%20-%2001.torrent",
        "https://example.com/a%2Etorrent",
    ],
)
def test_torrent_urls_by_path_or_query_value(url: str) -> None:
    assert detect_download_type(url) == DownloadType.TORRENT


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/my.torrentfile",
        "https://example.com/torrents/view/123",
        "https://example.com/x.torrent.html",
        "https://example.com/?q=.torrents",
    ],
)
def test_torrent_inside_a_longer_word_is_plain_http(url: str) -> None:
    assert detect_download_type(url) == DownloadType.HTTP


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "javascript:alert(1)",
        "httpx://example.com/file",
        "http://",
        "https:///path/only",
        "http://[::1/broken",
        "file:///etc/passwd",
        "not a url at all",
        "ftp://example.com/file.torrent",
    ],
)
def test_anything_else_has_no_type(url: str) -> None:
    assert detect_download_type(url) is None


@attrs.frozen
class PrivateTrackerDetector:
    """A caller's detector: a tracker's download page that serves .torrent files."""

    def detect(self, url: str) -> DownloadType | None:
        return DownloadType.TORRENT if url.startswith("https://tracker.example/dl/") else None


def test_a_caller_runs_its_own_detector_first_without_editing_ours() -> None:
    chain = DEFAULT_CHAIN.with_first(PrivateTrackerDetector())
    url = "https://tracker.example/dl/12345"
    assert detect_download_type(url, chain) == DownloadType.TORRENT
    assert detect_download_type(url) == DownloadType.HTTP  # the default chain is unchanged
    assert detect_download_type("ftp://x/y", chain) is None


def test_the_default_chain_is_magnet_then_torrent_then_http() -> None:
    assert [type(d) for d in DEFAULT_CHAIN.detectors] == [
        MagnetDetector,
        TorrentDetector,
        HttpDetector,
    ]


@given(st.text())
def test_detection_never_raises_on_any_text(text: str) -> None:
    assert detect_download_type(text) in (None, *DownloadType)


@given(
    host=st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|org|net)", fullmatch=True),
    path=st.from_regex(r"(/[a-zA-Z0-9_-]{1,8}){1,3}", fullmatch=True),
)
def test_a_web_url_is_torrent_exactly_when_its_path_ends_in_dot_torrent(
    host: str, path: str
) -> None:
    plain = f"https://{host}{path}"
    assert detect_download_type(plain) == DownloadType.HTTP
    assert detect_download_type(plain + ".torrent") == DownloadType.TORRENT


def test_a_host_ending_in_dot_torrent_is_not_a_torrent_file() -> None:
    # Found by hypothesis: with an empty path, ".torrent" landed on the host name.
    assert detect_download_type("https://a.com.torrent") == DownloadType.HTTP
