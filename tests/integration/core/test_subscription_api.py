"""The subscriptions API's contract: defaults, validation as problem+json, patches, tokens."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.core import running_core

FEED = "http://127.0.0.1:9/feed.xml"  # never fetched: these subscriptions are disabled


def body(**fields: Any) -> dict[str, Any]:
    return {"name": "frieren", "feed_url": FEED, "enabled": False, **fields}


async def test_a_subscription_is_created_with_defaults_and_an_empty_history(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        response = await core.client.post("/subscriptions", json=body())

        assert response.status_code == 201, response.text
        made = response.json()
        expected = {
            "name": "frieren",
            "feed_url": FEED,
            "include": None,
            "exclude": None,
            "save_path": None,
            "preferred_downloader": None,
            "interval": 900,
            "enabled": False,
            "last_fetched_at": None,
            "last_success_at": None,
            "last_error": None,
            "failures": 0,
            "items_seen": 0,
            "links_created": 0,
        }
        assert {key: made[key] for key in expected} == expected
        assert made["next_fetch_at"] == made["created_at"]
        listed = (await core.client.get("/subscriptions")).json()
        assert [s["subscription_id"] for s in listed] == [made["subscription_id"]]


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"include": "(unclosed"}, "not a valid regular expression"),
        ({"exclude": "*oops"}, "not a valid regular expression"),
        ({"interval": 30}, "interval must be between 60 and 604800 s"),
        ({"save_path": "/srv/{title}"}, "save_path must be relative to the download root"),
        ({"save_path": "{name}/{season}"}, "save_path may only use the fields {name} and {title}"),
        ({"feed_url": "file:///etc/passwd"}, "feed_url must be an http(s) URL with a host"),
        ({"name": ""}, "name must be 1 to 100 characters"),
    ],
)
async def test_a_bad_setting_is_a_422_naming_the_rule(
    pg_url: str, fields: dict[str, Any], detail: str
) -> None:
    async with running_core(pg_url) as core:
        response = await core.client.post("/subscriptions", json=body(**fields))

        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert detail in response.json()["detail"]


async def test_a_body_of_the_wrong_shape_is_a_400(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        response = await core.client.post("/subscriptions", json={"name": "x", "interval": "9"})

        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_taken_name_is_a_409_and_an_unknown_id_a_404(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        assert (await core.client.post("/subscriptions", json=body())).status_code == 201
        taken = await core.client.post("/subscriptions", json=body())
        assert taken.status_code == 409
        assert taken.json()["detail"] == "a subscription with this name already exists"
        for method, path in [
            ("GET", "/subscriptions/999"),
            ("PATCH", "/subscriptions/999"),
            ("DELETE", "/subscriptions/999"),
            ("POST", "/subscriptions/999/refresh"),
        ]:
            json = {"interval": 120} if method == "PATCH" else None
            response = await core.client.request(method, path, json=json)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["detail"] == "subscription 999 does not exist"


async def test_a_patch_changes_what_it_names_and_null_clears(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        made = (
            await core.client.post(
                "/subscriptions", json=body(include="1080p", preferred_downloader="qb")
            )
        ).json()
        path = f"/subscriptions/{made['subscription_id']}"

        response = await core.client.patch(path, json={"include": None, "interval": 120})

        assert response.status_code == 200, response.text
        changed = response.json()
        assert (changed["include"], changed["interval"]) == (None, 120)
        assert changed["preferred_downloader"] == "qb"
        assert (await core.client.patch(path, json={})).status_code == 422
        assert (await core.client.patch(path, json={"include": "(("})).status_code == 422
        cleared = await core.client.patch(path, json={"enabled": None})
        assert cleared.status_code == 422
        assert cleared.json()["detail"] == "enabled may not be null"


async def test_a_passkey_in_the_feed_url_is_never_shown(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        secret = "http://127.0.0.1:9/rss?passkey=0123456789abcdef&cat=anime"
        made = (await core.client.post("/subscriptions", json=body(feed_url=secret))).json()

        assert "0123456789abcdef" not in made["feed_url"]
        listed = (await core.client.get("/subscriptions")).text
        assert "0123456789abcdef" not in listed


async def test_with_a_token_every_subscription_route_needs_it(pg_url: str) -> None:
    async with running_core(pg_url, api_token="s3cret") as core:
        refused = await core.client.post("/subscriptions", json=body())
        assert refused.status_code == 401
        headers = {"Authorization": "Bearer s3cret"}
        made = await core.client.post("/subscriptions", json=body(), headers=headers)
        assert made.status_code == 201
        path = f"/subscriptions/{made.json()['subscription_id']}"
        assert (await core.client.patch(path, json={"interval": 60})).status_code == 401
        assert (await core.client.post(f"{path}/refresh")).status_code == 401
        assert (await core.client.delete(path)).status_code == 401
        assert (await core.client.get(path)).status_code == 401
        assert (await core.client.get(path, headers=headers)).status_code == 200


async def test_the_routes_are_in_the_openapi_document(pg_url: str) -> None:
    async with running_core(pg_url) as core:
        paths = (await core.client.get("/schema/openapi.json")).json()["paths"]

        assert {"post", "get"} <= set(paths["/subscriptions"])
        assert {"get", "patch", "delete"} <= set(paths["/subscriptions/{subscription_id}"])
        assert "post" in paths["/subscriptions/{subscription_id}/refresh"]
