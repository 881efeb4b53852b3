"""Batch adds: one add call per kind and save path, one confirmation, every result by URL."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.qbittorrent import Credentials, QBittorrentBackend, QBittorrentClient, TorrentFetcher
from dispatch_domain import Accepted, AddRequest, Rejected
from tests.support.qbittorrent import PASSWORD, USERNAME, ScriptedWebUI
from tests.support.torrents import magnet, make_torrent, random_hash, random_payload


@contextlib.asynccontextmanager
async def _backend(
    webui: ScriptedWebUI, *, root: str | None = "/data", files: dict[str, bytes] | None = None
) -> AsyncIterator[QBittorrentBackend]:
    served = files or {}

    def serve(request: httpx.Request) -> httpx.Response:
        body = served.get(str(request.url))
        return httpx.Response(200, content=body) if body else httpx.Response(404)

    async with (
        httpx.AsyncClient(transport=webui.transport()) as http,
        httpx.AsyncClient(transport=httpx.MockTransport(serve)) as web,
    ):
        client = QBittorrentClient(http, "http://qbt.test", Credentials(USERNAME, PASSWORD))
        yield QBittorrentBackend(
            client, TorrentFetcher(web), download_root=root, confirm_waits=(0.0,)
        )


async def test_a_batch_of_magnets_costs_one_add_and_one_confirmation() -> None:
    webui = ScriptedWebUI()
    hashes = [random_hash() for _ in range(50)]
    async with _backend(webui) as backend:
        results = await backend.add([AddRequest(magnet(h), "show") for h in hashes])
    assert list(results.values()) == [Accepted(h) for h in hashes]
    assert webui.calls == ["auth/login", "torrents/add", "torrents/info"]
    assert webui.save_paths == ["/data/show"]


async def test_fails_from_qbittorrent_is_checked_by_hash_not_believed() -> None:
    present = random_hash()
    webui = ScriptedWebUI(add_answer=(200, "Fails."), states={present: "stalledUP"})
    async with _backend(webui) as backend:
        results = await backend.add([AddRequest(magnet(present))])
    assert results[magnet(present)] == Accepted(present)


async def test_a_409_for_a_torrent_already_there_counts_as_accepted() -> None:
    present = random_hash()
    webui = ScriptedWebUI(add_answer=(409, "Conflict"), states={present: "downloading"})
    async with _backend(webui) as backend:
        results = await backend.add([AddRequest(magnet(present))])
    assert results[magnet(present)] == Accepted(present)


async def test_an_item_qbittorrent_did_not_add_is_rejected_with_its_answer() -> None:
    kept, dropped = random_hash(), random_hash()
    webui = ScriptedWebUI(ignored={dropped})
    async with _backend(webui) as backend:
        results = await backend.add([AddRequest(magnet(kept)), AddRequest(magnet(dropped))])
    assert results[magnet(kept)] == Accepted(kept)
    refusal = results[magnet(dropped)]
    assert isinstance(refusal, Rejected)
    assert "did not add it" in refusal.reason
    assert "'Ok.'" in refusal.reason


async def test_base32_and_hex_magnets_of_one_torrent_give_the_same_hash() -> None:
    torrent = random_hash()
    async with _backend(ScriptedWebUI()) as backend:
        results = await backend.add(
            [AddRequest(magnet(torrent)), AddRequest(magnet(torrent, base32=True))]
        )
    assert set(results.values()) == {Accepted(torrent)}


async def test_a_v2_magnet_is_matched_by_the_truncated_hash_qbittorrent_shows() -> None:
    digest = random_hash() + random_hash()[:24]
    uri = f"magnet:?xt=urn:btmh:1220{digest}"
    async with _backend(ScriptedWebUI()) as backend:
        results = await backend.add([AddRequest(uri)])
        [status] = await backend.statuses([digest])
    assert results[uri] == Accepted(digest)
    assert status.remote_id == digest
    assert status.state.value == "downloading"


async def test_each_save_path_gets_its_own_add_call() -> None:
    webui = ScriptedWebUI()
    async with _backend(webui) as backend:
        await backend.add(
            [
                AddRequest(magnet(random_hash()), "a"),
                AddRequest(magnet(random_hash()), "b"),
                AddRequest(magnet(random_hash()), "a"),
                AddRequest(magnet(random_hash())),
            ]
        )
    assert webui.calls.count("torrents/add") == 3
    assert sorted(webui.save_paths, key=str) == ["/data", "/data/a", "/data/b"]


async def test_without_a_configured_root_save_paths_go_under_qbittorrents_default() -> None:
    webui = ScriptedWebUI(default_save_path="/srv/downloads")
    async with _backend(webui, root=None) as backend:
        await backend.add([AddRequest(magnet(random_hash()), "show")])
        await backend.add(
            [AddRequest(magnet(random_hash()), "film"), AddRequest(magnet(random_hash()))]
        )
    assert webui.calls.count("app/defaultSavePath") == 1
    assert webui.save_paths == ["/srv/downloads/show", "/srv/downloads/film", None]


@pytest.mark.parametrize("save_path", ["/etc", "../../root", "show/../../x"])
async def test_a_save_path_escaping_the_root_is_rejected_before_qbittorrent_hears_of_it(
    save_path: str,
) -> None:
    webui = ScriptedWebUI()
    async with _backend(webui) as backend:
        results = await backend.add([AddRequest(magnet(random_hash()), save_path)])
    [result] = results.values()
    assert isinstance(result, Rejected)
    assert "download root" in result.reason
    assert "torrents/add" not in webui.calls


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://files.test/a.torrent", "neither a magnet"),
        ("magnet:?dn=no-topic", "not a usable magnet"),
        ("magnet:?xt=urn:btih:tooshort", "not a usable magnet"),
        ("https://files.test/missing.torrent", "HTTP 404"),
    ],
)
async def test_unusable_links_are_rejected_with_a_reason(url: str, why: str) -> None:
    async with _backend(ScriptedWebUI()) as backend:
        result = (await backend.add([AddRequest(url)]))[url]
    assert isinstance(result, Rejected)
    assert why in result.reason


async def test_torrent_files_go_up_in_one_upload(tmp_path: Path) -> None:
    made = [make_torrent(random_payload(tmp_path, f"{i}.bin", 5000)) for i in range(3)]
    files = {f"https://files.test/{i}.torrent": m.content for i, m in enumerate(made)}
    webui = ScriptedWebUI()
    async with _backend(webui, files=files) as backend:
        results = await backend.add([AddRequest(url) for url in files])
    assert list(results.values()) == [Accepted(m.info_hash) for m in made]
    assert webui.calls == ["auth/login", "torrents/add", "torrents/info"]


async def test_one_file_qbittorrent_refuses_does_not_sink_the_others(tmp_path: Path) -> None:
    good, bad = (make_torrent(random_payload(tmp_path, f"{n}.bin", 5000)) for n in "gb")
    files = {
        "https://files.test/good.torrent": good.content,
        "https://files.test/bad.torrent": bad.content,
    }
    webui = ScriptedWebUI(bad_files={bad.info_hash})
    async with _backend(webui, files=files) as backend:
        results = await backend.add([AddRequest(url) for url in files])
    assert results["https://files.test/good.torrent"] == Accepted(good.info_hash)
    refusal = results["https://files.test/bad.torrent"]
    assert isinstance(refusal, Rejected)
    assert "HTTP 415" in refusal.reason


async def test_a_repeated_url_gets_one_result_and_results_keep_request_order() -> None:
    first, second = random_hash(), random_hash()
    async with _backend(ScriptedWebUI()) as backend:
        urls = [magnet(first), magnet(second), magnet(first)]
        results = await backend.add([AddRequest(url) for url in urls])
    assert list(results) == [magnet(first), magnet(second)]


def test_base32_helper_really_encodes_the_same_digest() -> None:
    torrent = random_hash()
    topic = magnet(torrent, base32=True).rpartition(":")[2]
    assert base64.b32decode(topic).hex() == torrent
