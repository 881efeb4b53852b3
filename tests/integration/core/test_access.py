"""With a token set, every route but /health (and the API's own docs) needs it; operators can
delete a service that has no active downloads."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support.core import RunningCore, eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

TOKEN = "core-token-7"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


@pytest.fixture
async def core(pg_url: str) -> Any:
    async with running_core(pg_url, api_token=TOKEN) as running:
        running.client.headers.update(AUTH)
        yield running


async def test_every_documented_route_but_health_needs_the_token(core: RunningCore) -> None:
    spec = (await core.client.get("/schema/openapi.json")).json()
    operations = [(method.upper(), re.sub(r"\{[a-z_]+_id\}", "1", path)
                   .replace("{service_type}", "downloader"))
                  for path, item in spec["paths"].items() for method in item]  # fmt: skip
    assert len(operations) >= 12
    async with httpx.AsyncClient(base_url=core.url) as stranger:
        for method, path in operations:
            answer = await stranger.request(method, path, json={} if method != "GET" else None)
            expected = 200 if path == "/health" else 401
            assert answer.status_code == expected, (method, path, answer.text)


async def test_the_api_docs_stay_open_and_declare_the_bearer_scheme(core: RunningCore) -> None:
    async with httpx.AsyncClient(base_url=core.url) as stranger:
        for page in ("/schema", "/schema/swagger", "/schema/openapi.json"):
            assert (await stranger.get(page)).status_code == 200, page
        spec = (await stranger.get("/schema/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["bearer"]["type"] == "http"
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearer": []}]
    assert spec["paths"]["/health"]["get"]["security"] == []
    listing = spec["paths"]["/downloads"]["get"]["responses"]
    assert set(listing) >= {"200", "400", "401", "503"}
    assert "application/problem+json" in listing["401"]["content"]


async def test_a_service_with_active_downloads_is_not_deleted(core: RunningCore) -> None:
    double = DownloaderDouble()
    async with served(double) as port:
        module_id = (await core.register("qb", port))["module_id"]
        await core.post_links([magnet(1)])
        refused = await core.client.delete(f"/services/{module_id}")
        assert (refused.status_code, refused.headers["content-type"]) == (
            409, "application/problem+json"
        )  # fmt: skip
        assert "active downloads" in refused.json()["detail"]
        assert [s["module_id"] for s in (await core.client.get("/services")).json()] == [module_id]


async def test_an_idle_service_is_deleted_and_its_history_stays(core: RunningCore) -> None:
    double = DownloaderDouble()
    async with served(double) as port:
        module_id = (await core.register("qb", port))["module_id"]
        await core.post_links([magnet(2)])
        (download,) = await core.downloads()
        cancelled = await core.client.post(
            "/downloads/cancel", json={"download_ids": [download["download_id"]]}
        )
        assert cancelled.json()["done"] == 1

        async def deleted() -> bool:
            """the service is gone once its download is no longer active"""
            return (await core.client.delete(f"/services/{module_id}")).status_code == 204

        await eventually(deleted)
    assert (await core.client.get("/services")).json() == []
    (kept,) = await core.downloads()
    assert (kept["status"], kept["module_id"]) == ("cancelled", None)
    assert (await core.client.delete(f"/services/{module_id}")).status_code == 404
