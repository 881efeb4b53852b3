"""A failing feed is an event over real HTTP: in GET /events, and at a webhook on loopback."""

from __future__ import annotations

from tests.integration.core.test_subscriptions import FAST_FEEDS, make_due, subscribe
from tests.support.core import eventually, running_core
from tests.support.feed_server import Served, feed_server
from tests.support.feeds import fixture
from tests.support.receiver import Receiver, receiving

WANTED = ["subscription.failed", "subscription.recovered"]


async def test_a_feed_answering_500_is_an_event_and_its_recovery_another(pg_url: str) -> None:
    receiver = Receiver()
    async with (
        feed_server() as feeds,
        receiving(receiver) as hook_url,
        running_core(pg_url, delivery_interval=0.2, **FAST_FEEDS) as core,
    ):
        hook = await core.client.post("/webhooks", json={"url": f"{hook_url}/in", "events": WANTED})
        assert hook.status_code == 201, hook.text
        feeds.feeds["frieren"] = Served(status=500)
        feed_url = f"{feeds.url}/frieren?passkey=s3cret"
        made = await subscribe(core, feed_url, name="Frieren")

        async def failure_delivered() -> bool:
            """the webhook received the feed's failure"""
            return len(receiver.received) == 1

        await eventually(failure_delivered)
        feeds.feeds["frieren"] = Served(fixture("nyaa"))
        await make_due(pg_url, made["subscription_id"])

        async def recovery_delivered() -> bool:
            """the webhook received the feed's recovery"""
            return len(receiver.received) == 2

        await eventually(recovery_delivered)
        page = (await core.client.get("/events")).json()

    listed = [e for e in page["items"] if e["type"].startswith("subscription.")]
    failed, recovered = (r.json() for r in receiver.received)
    assert failed["type"] == "subscription.failed"
    assert failed["subscription"] == {
        "subscription_id": made["subscription_id"],
        "name": "Frieren",
        "feed_url": f"{feeds.url}/frieren?passkey=REDACTED",
        "reason": "HTTP 500 Internal Server Error",
    }
    assert recovered["type"] == "subscription.recovered"
    assert recovered["subscription"]["reason"] is None
    assert [r.headers["x-bangumi-event"] for r in receiver.received] == WANTED
    assert listed == [failed, recovered]
    assert "s3cret" not in str(page)
