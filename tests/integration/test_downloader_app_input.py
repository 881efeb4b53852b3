"""The downloader service answers any input with a 4xx, and one bad item costs only itself."""

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

TOKEN = "downloader-token-2"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {**AUTH, "content-type": "application/json"}
PROBLEM = "application/problem+json"


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def client(fake: FakeBackend) -> AsyncIterator[AsyncTestClient]:
    container = make_container(ServiceSettings(name="fake-qbt", token=TOKEN))
    container.backend.override(providers.Object(fake))
    async with AsyncTestClient(create_app(container)) as made:
        yield made


async def test_an_item_with_a_nul_or_an_oversized_url_is_only_that_items_rejection(
    client: AsyncTestClient,
) -> None:
    good, odd_path = magnet(random_hash()), magnet(random_hash())
    nul, long = "magnet:?xt=urn:btih:\x00", "http://e.com/" + "x" * 8192
    items = [{"url": nul}, {"url": long}, {"url": odd_path, "save_path": "a\x00"}, {"url": good}]
    response = await client.post("/downloads", json={"items": items}, headers=AUTH)
    assert response.status_code == 200
    results = {r["url"]: r for r in response.json()["results"]}
    assert results[nul]["reason"] == "url contains a NUL character"
    assert results[long]["reason"] == "url is longer than 8192 characters (8205)"
    assert results[odd_path]["reason"] == "save_path contains a NUL character"
    assert results[good]["status"] == "accepted"


async def test_bodies_that_cannot_be_read_are_refused(client: AsyncTestClient) -> None:
    deep = '{"items": ' + "[" * 1000 + "]" * 1000 + "}"
    nested = await client.post("/downloads", content=deep, headers=JSON)
    assert (nested.status_code, nested.json()["detail"]) == (
        400, "the JSON body is nested too deeply"
    )  # fmt: skip
    not_utf8 = await client.post("/downloads", content=b'{"items": "\xff"}', headers=JSON)
    assert (not_utf8.status_code, not_utf8.headers["content-type"]) == (400, PROBLEM)
    plain = await client.post(
        "/downloads", content='{"items": []}', headers={**AUTH, "content-type": "text/plain"}
    )
    assert (plain.status_code, plain.headers["content-type"]) == (415, PROBLEM)


async def test_a_hash_no_download_can_have_is_a_404_without_asking_the_client(
    client: AsyncTestClient, fake: FakeBackend
) -> None:
    for path in ("/downloads/" + "a" * 65 + "/pause", "/downloads/a%01b/resume"):
        answer = await client.post(path, headers=AUTH)
        assert (answer.status_code, answer.headers["content-type"]) == (404, PROBLEM), path
    assert fake.calls == []


async def test_the_api_docs_stay_open_and_declare_the_bearer_scheme(
    client: AsyncTestClient,
) -> None:
    spec = await client.get("/schema/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec.json()["paths"]["/health"]["get"]["security"] == []
