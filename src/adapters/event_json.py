"""An event as JSON, the same for GET /events, the event stream and webhook bodies."""

from __future__ import annotations

import json
from typing import Any

from adapters.redact import redact_url
from dispatch_domain.events import Event


def event_document(event: Event) -> dict[str, Any]:
    """The event's JSON object; a download's or a feed's URL is redacted (passkeys never
    leave Core)."""
    document: dict[str, Any] = {
        "id": event.event_id,
        "type": event.type.value,
        "occurred_at": event.occurred_at.isoformat(),
    }
    if event.download is not None:
        facts = event.download
        document["download"] = {
            "download_id": facts.download_id,
            "link_id": facts.link_id,
            "title": facts.title,
            "url": redact_url(facts.url),
            "status": facts.status.value,
            "downloader": facts.downloader,
            "reason": facts.reason,
            "attempts": facts.attempts,
        }
    if event.downloader is not None:
        document["downloader"] = {
            "module_id": event.downloader.module_id,
            "service_name": event.downloader.service_name,
            "reason": event.downloader.reason,
        }
    if event.subscription is not None:
        document["subscription"] = {
            "subscription_id": event.subscription.subscription_id,
            "name": event.subscription.name,
            "feed_url": redact_url(event.subscription.feed_url),
            "reason": event.subscription.reason,
        }
    return document


def event_body(event: Event) -> bytes:
    """The exact bytes a webhook receives (and its signature covers)."""
    return json.dumps(event_document(event), separators=(",", ":"), ensure_ascii=False).encode()
