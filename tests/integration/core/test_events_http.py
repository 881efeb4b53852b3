"""Events over real HTTP: GET /events pages through them, /events/stream pushes new ones."""

from __future__ import annotations

import json

from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served

PASSKEY = "0123456789abcdef"


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&tr=http://tracker.example/{PASSKEY}/announce"


async def test_get_events_pages_through_dispatches_in_order_with_urls_redacted(pg_url: str):
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(n) for n in range(1, 6)])

        first = (await core.client.get("/events", params={"limit": 2})).json()
        rest = (await core.client.get("/events", params={"after": first["next_after"]})).json()
        after_all = (await core.client.get("/events", params={"after": rest["next_after"]})).json()

    events = first["items"] + rest["items"]
    assert [e["type"] for e in events] == ["download.dispatched"] * 5
    assert [e["download"]["title"] for e in events] == [f"item {i}" for i in range(5)]
    assert {e["download"]["downloader"] for e in events} == {"qbittorrent"}
    assert {e["download"]["status"] for e in events} == {"downloading"}
    assert all(PASSKEY not in json.dumps(e) for e in events)
    assert events[0]["download"]["url"] == (f"magnet:?xt=urn:btih:{1:040x}&tr=REDACTED")
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert after_all == {"items": [], "next_after": rest["next_after"]}


async def test_get_events_refuses_a_bad_limit_as_a_problem(pg_url: str):
    async with running_core(pg_url) as core:
        response = await core.client.get("/events", params={"limit": 0})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_event_stream_yields_an_event_recorded_after_it_opened(pg_url: str):
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qbittorrent", port, types=("magnet",))
        received: list[dict[str, str]] = []
        async with core.client.stream("GET", "/events/stream") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            await core.post_links([magnet(9)])
            message: dict[str, str] = {}
            async for line in stream.aiter_lines():
                if line.startswith(("id:", "event:", "data:")):
                    key, _, value = line.partition(": ")
                    message[key.rstrip(":")] = value
                elif not line and "data" in message:
                    received.append(message)
                    break

    (only,) = received
    assert only["event"] == "download.dispatched"
    body = json.loads(only["data"])
    assert (body["type"], body["download"]["title"], str(body["id"])) == (
        "download.dispatched",
        "item 0",
        only["id"],
    )


async def test_a_downloader_that_stops_answering_is_a_downloader_down_event(pg_url: str):
    broken = DownloaderDouble(status_code=503)
    async with served(broken) as port, running_core(pg_url) as core:
        module = await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(3)])

        async def down_recorded() -> bool:
            """GET /events lists downloader.down"""
            items = (await core.client.get("/events")).json()["items"]
            return any(e["type"] == "downloader.down" for e in items)

        await eventually(down_recorded)
        items = (await core.client.get("/events")).json()["items"]

    (down,) = [e for e in items if e["type"] == "downloader.down"]
    assert down["downloader"]["module_id"] == module["module_id"]
    assert down["downloader"]["service_name"] == "qbittorrent"
    assert "503" in down["downloader"]["reason"]
    assert "download" not in down


async def test_the_event_stream_resumes_after_the_last_event_id_it_is_given(pg_url: str):
    double = DownloaderDouble()
    async with served(double) as port, running_core(pg_url) as core:
        await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(n) for n in range(1, 4)])
        (first, *rest) = (await core.client.get("/events")).json()["items"]
        ids: list[str] = []
        headers = {"Last-Event-ID": str(first["id"])}
        async with core.client.stream("GET", "/events/stream", headers=headers) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("id: "):
                    ids.append(line.removeprefix("id: "))
                if len(ids) == len(rest):
                    break
        bad = await core.client.get("/events/stream", headers={"Last-Event-ID": "soon"})

    assert ids == [str(e["id"]) for e in rest]
    assert bad.status_code == 422
