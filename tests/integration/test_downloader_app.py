"""The downloader service's HTTP contract (brief §4) over the in-memory FakeBackend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import ServiceSettings
from dispatch_domain.testing.backend import FakeBackend
from tests.support.torrents import magnet, random_hash

TOKEN = "downloader-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


async def _client(fake: FakeBackend, token: str | None) -> AsyncIterator[AsyncTestClient]:
    container = make_container(ServiceSettings(name="fake-qbt", token=token))
    container.backend.override(providers.Object(fake))
    async with AsyncTestClient(create_app(container)) as client:
        yield client


@pytest.fixture
async def client(fake: FakeBackend) -> AsyncIterator[AsyncTestClient]:
    async for made in _client(fake, TOKEN):
        yield made


@pytest.fixture
async def open_client(fake: FakeBackend) -> AsyncIterator[AsyncTestClient]:
    async for made in _client(fake, None):
        yield made


async def test_adds_a_batch_and_answers_each_url(client: AsyncTestClient) -> None:
    torrent = random_hash()
    items = [{"url": magnet(torrent), "save_path": "show"}, {"url": "ftp://x.invalid/a"}]
    response = await client.post("/downloads", json={"items": items}, headers=AUTH)
    assert response.status_code == 200
    results = {r["url"]: r for r in response.json()["results"]}
    assert results[magnet(torrent)]["status"] == "accepted"
    assert results[magnet(torrent)]["hash"] == torrent
    assert results["ftp://x.invalid/a"]["status"] == "rejected"
    assert results["ftp://x.invalid/a"]["reason"]


async def test_statuses_take_comma_separated_hashes(
    client: AsyncTestClient, fake: FakeBackend
) -> None:
    done, unknown = random_hash(), random_hash()
    await client.post("/downloads", json={"items": [{"url": magnet(done)}]}, headers=AUTH)
    fake.set_progress(done, 1.0, size=4096)
    response = await client.get(
        "/downloads", params={"hashes": f"{done.upper()},{unknown}"}, headers=AUTH
    )
    assert response.status_code == 200
    statuses = {s["hash"]: s for s in response.json()["statuses"]}
    assert statuses[done]["status"] == "completed"
    assert (statuses[done]["progress"], statuses[done]["size"]) == (1.0, 4096)
    assert statuses[unknown]["status"] == "not_found"


async def test_statuses_without_hashes_ask_the_backend_nothing(
    client: AsyncTestClient, fake: FakeBackend
) -> None:
    response = await client.get("/downloads", headers=AUTH)
    assert response.json() == {"statuses": []}
    assert "statuses" not in fake.calls


async def test_cancel_reports_cancelled_and_not_found(client: AsyncTestClient) -> None:
    known, unknown = random_hash(), random_hash()
    await client.post("/downloads", json={"items": [{"url": magnet(known)}]}, headers=AUTH)
    response = await client.post(
        "/downloads/cancel", json={"hashes": [known, unknown]}, headers=AUTH
    )
    assert response.status_code == 200
    assert {r["hash"]: r["status"] for r in response.json()["results"]} == {
        known: "cancelled",
        unknown: "not_found",
    }


async def test_pause_resume_and_delete_one_download(
    client: AsyncTestClient, fake: FakeBackend
) -> None:
    torrent = random_hash()
    await client.post("/downloads", json={"items": [{"url": magnet(torrent)}]}, headers=AUTH)
    paused = await client.post(f"/downloads/{torrent}/pause", headers=AUTH)
    assert paused.json() == {"hash": torrent, "status": "paused"}
    assert fake.downloads[torrent].state.value == "paused"
    resumed = await client.post(f"/downloads/{torrent}/resume", headers=AUTH)
    assert resumed.json() == {"hash": torrent, "status": "resumed"}
    deleted = await client.delete(
        f"/downloads/{torrent}", params={"delete_files": "true"}, headers=AUTH
    )
    assert deleted.json() == {"hash": torrent, "status": "deleted"}
    assert torrent not in fake.downloads


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/pause"), ("POST", "/resume"), ("DELETE", "")],
)
async def test_acting_on_an_unknown_download_is_a_404_problem(
    client: AsyncTestClient, method: str, path: str
) -> None:
    response = await client.request(method, f"/downloads/{random_hash()}{path}", headers=AUTH)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "no download" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/downloads"),
        ("GET", "/downloads?hashes=abc"),
        ("POST", "/downloads/cancel"),
        ("POST", "/downloads/abc/pause"),
        ("DELETE", "/downloads/abc"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}"])
async def test_every_route_but_health_needs_the_token(
    client: AsyncTestClient, fake: FakeBackend, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert fake.calls == []


async def test_health_is_public_and_says_the_client_is_logged_in(client: AsyncTestClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() | {"version": None} == {
        "status": "ok",
        "service": "fake-qbt",
        "reachable": True,
        "logged_in": True,
        "version": None,
        "reason": None,
        "registered_with_core": None,
    }


async def test_health_is_503_with_the_reason_when_the_client_is_down(
    client: AsyncTestClient, fake: FakeBackend
) -> None:
    fake.go_down("qBittorrent at http://127.0.0.1:8080/ is unreachable (ConnectError)")
    response = await client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["reachable"]) == ("unavailable", False)
    assert "unreachable" in body["reason"]


async def test_a_failing_client_is_a_502_problem_with_the_reason(
    client: AsyncTestClient, fake: FakeBackend
) -> None:
    fake.go_down("qBittorrent refused the password for user 'admin'")
    response = await client.post(
        "/downloads", json={"items": [{"url": magnet(random_hash())}]}, headers=AUTH
    )
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "qBittorrent refused the password for user 'admin'"


async def test_a_malformed_batch_is_a_400_problem(client: AsyncTestClient) -> None:
    response = await client.post("/downloads", json={"links": []}, headers=AUTH)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_without_a_token_the_routes_are_open(open_client: AsyncTestClient) -> None:
    response = await open_client.get("/downloads", params={"hashes": random_hash()})
    assert response.status_code == 200


async def test_serves_its_openapi_description(client: AsyncTestClient) -> None:
    response = await client.get("/schema/openapi.json", headers=AUTH)
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/downloads", "/downloads/cancel", "/health"} <= set(paths)
    assert "/downloads/{remote_id}/pause" in paths
