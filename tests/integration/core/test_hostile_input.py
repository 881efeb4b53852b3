"""Whatever a client sends, Core answers with a 4xx problem+json, and one bad item costs nothing
else: out-of-range ids, NUL bytes, odd bodies, oversized text, names that could forge a log."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.support.core import RunningCore, running_core

BIG = 2**63  # one past the largest bigint
PROBLEM = "application/problem+json"


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn=episode-{n}"


def registration(**fields: Any) -> dict[str, Any]:
    return {"service_type": "downloader", "service_name": "qb", "host": "127.0.0.1",
            "port": 8081, **fields}  # fmt: skip


async def post_items(core: RunningCore, items: list[Any], **head: Any) -> dict[str, Any]:
    body = {"fetcher_source": "rss", "items": items, **head}
    response = await core.client.post("/raw-fetcher-results", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
async def core(pg_url: str) -> Any:
    async with running_core(pg_url) as running:
        yield running


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/downloads/{BIG}", None),
        ("POST", f"/downloads/{BIG}/retry", None),
        ("POST", f"/downloads/{BIG}/pause", None),
        ("GET", f"/downloads?offset={BIG}", None),
        ("GET", f"/downloads?link_id={BIG}", None),
        ("GET", f"/downloads?module_id={BIG}", None),
        ("GET", f"/downloads?module_id={-BIG - 1}", None),
        ("PATCH", f"/services/{BIG}", {"priority": 1}),
        ("DELETE", f"/services/{BIG}", None),
        ("POST", "/downloads/cancel", {"download_ids": [1, BIG]}),
        ("POST", "/downloads/retry", {"download_ids": [BIG]}),
        ("POST", "/raw-fetcher-results", {"fetcher_source": "rss", "items": [],
                                          "subscription_id": BIG}),
    ],
)  # fmt: skip
async def test_ids_beyond_64_bits_are_a_400_not_a_database_error(
    core: RunningCore, method: str, path: str, body: Any
) -> None:
    response = await core.client.request(method, path, json=body)
    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM)
    assert "NumericValueOutOfRange" not in response.text


async def test_a_nul_byte_costs_only_its_own_item(core: RunningCore) -> None:
    answer = await post_items(core, [
        {"title": "bad\x00title", "download_url": magnet(1)},
        {"title": "t", "description": "bad\x00description", "download_url": magnet(2)},
        {"title": "t", "download_url": magnet(3) + "\x00"},
        {"title": "t", "download_url": magnet(4), "save_path": "show\x00"},
        {"title": "good", "download_url": magnet(5)},
    ])  # fmt: skip
    assert (answer["items_received"], answer["links_created"], answer["invalid"]) == (5, 1, 4)
    reasons = {p["index"]: p["reason"] for p in answer["problems"]}
    assert reasons == {
        0: "title contains a NUL character",
        1: "description contains a NUL character",
        2: "download_url contains a NUL character",
        3: "save_path contains a NUL character",
    }
    assert [d["title"] for d in await core.downloads()] == ["good"]


async def test_oversized_text_costs_only_its_own_item(core: RunningCore) -> None:
    answer = await post_items(core, [
        {"title": "x" * 1001, "download_url": magnet(10)},
        {"title": "t", "description": "x" * 10_001, "download_url": magnet(11)},
        {"title": "t", "download_url": magnet(12) + "&tr=" + "x" * 8192},
        {"title": "x" * 1000, "description": "x" * 10_000, "download_url": magnet(13)},
    ])  # fmt: skip
    reasons = {p["index"]: p["reason"] for p in answer["problems"]}
    assert reasons == {
        0: "title is longer than 1000 characters (1001)",
        1: "description is longer than 10000 characters (10001)",
        2: "download_url is longer than 8192 characters (8270)",
    }
    assert answer["links_created"] == 1, "the item at every limit is stored"


async def test_items_that_are_not_objects_are_reported_in_words(core: RunningCore) -> None:
    answer = await post_items(core, [5, "a string", None, [], {"download_url": 5}])
    reasons = [p["reason"] for p in answer["problems"]]
    assert reasons == ["the item is not a JSON object with a download_url"] * 4 + [
        "expected a string, got an integer @ $.download_url"
    ]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"fetcher_source": "rss", "items": {"a": 1}},
         "items must be a list of objects, one per link"),
        ({"fetcher_source": "rss", "items": 5}, "items must be a list of objects, one per link"),
        ({"fetcher_source": "x" * 201, "items": []},
         "fetcher_source is longer than 200 characters (201)"),
        ({"fetcher_source": "rss\r\nforged", "items": []},
         "fetcher_source contains the control character U+000D"),
        ({"fetcher_source": "rss", "items": [], "error_message": "a\x00"},
         "error_message contains a NUL character"),
    ],
)  # fmt: skip
async def test_a_broken_envelope_is_a_400_saying_what_is_wrong(
    core: RunningCore, body: dict[str, Any], detail: str
) -> None:
    response = await core.client.post("/raw-fetcher-results", json=body)
    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM)
    assert response.json()["detail"] == detail


async def test_bodies_that_cannot_be_read_are_refused(core: RunningCore) -> None:
    deep = '{"fetcher_source": "rss", "items": ' + "[" * 1000 + "]" * 1000 + "}"
    json_type = {"content-type": "application/json"}
    nested = await core.client.post("/raw-fetcher-results", content=deep, headers=json_type)
    assert (nested.status_code, nested.json()["detail"]) == (
        400, "the JSON body is nested too deeply"
    )  # fmt: skip
    latin1 = '{"fetcher_source": "caf\xe9", "items": []}'.encode("latin-1")
    not_utf8 = await core.client.post("/raw-fetcher-results", content=latin1, headers=json_type)
    assert (not_utf8.status_code, not_utf8.json()["detail"]) == (
        400, "the body is not UTF-8 (bad byte at offset 23)"
    )  # fmt: skip
    plain = await core.client.post(
        "/raw-fetcher-results",
        content='{"fetcher_source": "rss", "items": []}',
        headers={"content-type": "text/plain"},
    )
    assert (plain.status_code, plain.headers["content-type"]) == (415, PROBLEM)
    for answer in (nested, not_utf8):
        assert answer.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"service_name": "qb\x00"}, "service_name contains a NUL character"),
        ({"service_name": "qb\nINFO forged"}, "service_name contains the control character U+000A"),
        ({"host": "10.0.0.1\r\nforged"}, "host contains the control character U+000D"),
        ({"host": "not a host"}, "host must be a hostname or an IP address: 'not a host'"),
        ({"host": "http://qb.lan"}, "host must be a hostname or an IP address: 'http://qb.lan'"),
        ({"capabilities": {"download_endpoint": "/d\x00"}},
         "download_endpoint contains a NUL character"),
    ],
)  # fmt: skip
async def test_registration_refuses_names_that_could_forge_a_log_line(
    core: RunningCore, fields: dict[str, Any], detail: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await core.client.post("/services/register", json=registration(**fields))
    assert (response.status_code, response.headers["content-type"]) == (400, PROBLEM)
    assert response.json()["detail"] == detail
    assert not any("forged" in record.getMessage() for record in caplog.records)
    assert (await core.client.get("/services")).json() == []


@pytest.mark.parametrize("host", ["qb.lan", "qbittorrent_1", "10.0.0.2", "::1", "localhost."])
async def test_registration_takes_hostnames_and_ip_literals(core: RunningCore, host: str) -> None:
    response = await core.client.post("/services/register", json=registration(host=host))
    assert response.status_code == 201, response.text


async def test_any_iso_8601_offset_is_stored_and_an_unrepresentable_date_is_the_items_problem(
    core: RunningCore,
) -> None:
    answer = await post_items(core, [
        {"title": "far east", "download_url": magnet(20), "pub_date": "2026-01-01T00:00:00+23:20"},
        {"title": "too early", "download_url": magnet(21), "pub_date": "0001-01-01T00:00:00+01:00"},
    ])  # fmt: skip
    assert answer["links_created"] == 1
    assert answer["problems"] == [
        {"index": 1, "reason": "date-time out of range: 0001-01-01T00:00:00+01:00 @ $.pub_date"}
    ]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/webhooks", {"url": "http://127.0.0.1:9/hook", "events": {}}),
        ("/notifications", {"apprise_url": "json://127.0.0.1:9/", "events": "download.failed"}),
    ],
)
async def test_a_field_of_the_wrong_shape_is_a_400_not_a_500(
    core: RunningCore, path: str, body: dict[str, Any]
) -> None:
    answer = await core.client.post(path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert "events" in answer.json()["detail"]
