"""Webhooks and notifications over real HTTP: signed, in order, state visible, secrets hidden."""

from __future__ import annotations

import json

from tests.support.core import eventually, running_core
from tests.support.downloader_double import DownloaderDouble, served
from tests.support.receiver import Receiver, receiving

SECRET = "webhook-secret"


def magnet(n: int) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}"


async def test_a_webhook_receives_each_event_signed_in_order(pg_url: str):
    receiver, double = Receiver(), DownloaderDouble()
    async with (
        receiving(receiver) as hook_url,
        served(double) as port,
        running_core(pg_url, delivery_interval=0.2) as core,
    ):
        added = await core.client.post(
            "/webhooks", json={"url": f"{hook_url}/in?token=abc", "secret": SECRET}
        )
        await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(n) for n in range(1, 4)])

        async def three_delivered() -> bool:
            """the receiver got the three dispatches"""
            return len(receiver.received) == 3

        await eventually(three_delivered)
        listed = (await core.client.get("/webhooks")).json()
        health = (await core.client.get("/health")).json()

    assert added.status_code == 201
    hook = added.json()
    assert hook["url"] == f"{hook_url}/in?token=REDACTED"
    assert (hook["signed"], hook["events"]) == (True, [])
    assert "secret" not in hook and SECRET not in added.text
    bodies = [r.json() for r in receiver.received]
    assert [b["download"]["title"] for b in bodies] == ["item 0", "item 1", "item 2"]
    assert all(r.signed_with(SECRET) for r in receiver.received)
    assert [r.headers["x-bangumi-event"] for r in receiver.received] == ["download.dispatched"] * 3
    assert [r.headers["x-bangumi-delivery"] for r in receiver.received] == [
        str(b["id"]) for b in bodies
    ]
    ((state,),) = [[w["delivery"] for w in listed]]
    assert (state["delivered"], state["attempts"], state["last_error"]) == (3, 0, None)
    assert state["last_event_id"] == bodies[-1]["id"]
    assert health["delivery"]["rounds"] >= 1 and health["delivery"]["last_error"] is None


async def test_a_failing_webhook_shows_its_attempts_error_and_next_try(pg_url: str):
    receiver, double = Receiver(status=503), DownloaderDouble()
    async with (
        receiving(receiver) as hook_url,
        served(double) as port,
        running_core(pg_url, delivery_interval=0.2) as core,
    ):
        await core.client.post("/webhooks", json={"url": f"{hook_url}/in"})
        await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(7)])

        async def failure_recorded() -> bool:
            """GET /webhooks shows the failed attempt"""
            (hook,) = (await core.client.get("/webhooks")).json()
            return hook["delivery"]["attempts"] == 1

        await eventually(failure_recorded)
        (hook,) = (await core.client.get("/webhooks")).json()

    state = hook["delivery"]
    assert state["last_error"] == f"HTTP 503 from {hook_url}/in"
    assert (state["delivered"], receiver.attempts) == (0, 1)
    assert state["next_try_at"] is not None and state["failing_since"] is not None


async def test_a_webhook_asks_only_for_the_types_it_names(pg_url: str):
    receiver = Receiver()
    double = DownloaderDouble(reject_all="not today")
    async with (
        receiving(receiver) as hook_url,
        served(double) as port,
        running_core(pg_url, delivery_interval=0.2) as core,
    ):
        body = {"url": f"{hook_url}/in", "events": ["download.failed"]}
        assert (await core.client.post("/webhooks", json=body)).status_code == 201
        await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(8)])

        async def failure_delivered() -> bool:
            """the rejection arrived as download.failed"""
            return len(receiver.received) == 1

        await eventually(failure_delivered)

    (only,) = receiver.received
    assert only.json()["type"] == "download.failed"
    assert "not today" in only.json()["download"]["reason"]


async def test_bad_webhooks_are_refused_and_removed_ones_are_gone(pg_url: str):
    async with running_core(pg_url) as core:
        bad_scheme = await core.client.post("/webhooks", json={"url": "ftp://hooks.example/x"})
        bad_type = await core.client.post(
            "/webhooks", json={"url": "http://127.0.0.1:9/", "events": ["download.exploded"]}
        )
        added = (await core.client.post("/webhooks", json={"url": "http://127.0.0.1:9/"})).json()
        removed = await core.client.delete(f"/webhooks/{added['id']}")
        again = await core.client.delete(f"/webhooks/{added['id']}")
        listed = (await core.client.get("/webhooks")).json()

    assert bad_scheme.status_code == 422
    assert bad_type.status_code == 400
    assert all(
        r.headers["content-type"].startswith("application/problem+json")
        for r in (bad_scheme, bad_type, again)
    )
    assert (removed.status_code, again.status_code, listed) == (204, 404, [])


async def test_a_notification_sends_a_short_message_through_apprise(pg_url: str):
    receiver, double = Receiver(), DownloaderDouble()
    async with (
        receiving(receiver) as hook_url,
        served(double) as port,
        running_core(pg_url, delivery_interval=0.2) as core,
    ):
        host_port = hook_url.removeprefix("http://")
        apprise_url = f"json://user:hunter2@{host_port}/notify"
        added = await core.client.post("/notifications", json={"apprise_url": apprise_url})
        await core.register("qbittorrent", port, types=("magnet",))
        await core.post_links([magnet(5)])

        async def notified() -> bool:
            """the Apprise JSON message arrived"""
            return len(receiver.received) == 1

        await eventually(notified)
        listed = (await core.client.get("/notifications")).json()
        bad = await core.client.post("/notifications", json={"apprise_url": "nonsense://x"})

    assert added.status_code == 201
    assert "hunter2" not in added.text and "hunter2" not in json.dumps(listed)
    assert listed[0]["apprise_url"].startswith(f"json://user:****@{host_port}/notify")
    message = receiver.received[0].json()
    assert (message["title"], message["message"]) == (
        "bangumi-dispatch",
        "Dispatched: item 0 at qbittorrent",
    )
    assert listed[0]["delivery"]["delivered"] == 1
    assert bad.status_code == 422
