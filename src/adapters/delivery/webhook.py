"""Webhooks: each event POSTed as JSON, signed with the subscriber's secret when it has one."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit, urlunsplit

import attrs
import httpx

from adapters.event_json import event_body
from adapters.redact import REDACTED, redact_url
from dispatch_domain.delivery import Delivered, NotDelivered, Outcome, Subscriber
from dispatch_domain.errors import InvalidInput
from dispatch_domain.events import Event

MAX_URL = 2000
LONGEST_SHOWN_SEGMENT = 16  # a longer path segment may be a token (Discord, Slack hooks)


def signature(secret: str, body: bytes) -> str:
    """The X-Bangumi-Signature header: `sha256=` and the hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_webhook_url(url: str) -> str:
    """The URL, stripped, if it is an absolute http(s) URL; InvalidInput otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise InvalidInput("url is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise InvalidInput(f"url must be an http or https URL of at most {MAX_URL} characters")
    return url


def shown_webhook_url(url: str) -> str:
    """The URL as Core shows it: redacted as every URL, and any long path segment too, since
    services put a webhook's token in its path (…/api/webhooks/<id>/<token>)."""
    parts = urlsplit(redact_url(url))
    segments = [
        REDACTED if len(segment) > LONGEST_SHOWN_SEGMENT else segment
        for segment in parts.path.split("/")
    ]
    return urlunsplit(parts._replace(path="/".join(segments)))


@attrs.define
class WebhookSender:
    """POSTs with the client it is given; any 2xx answer is a delivery, anything else is not."""

    client: httpx.AsyncClient

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome:
        body = event_body(event)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "bangumi-dispatch",
            "X-Bangumi-Event": event.type.value,
            "X-Bangumi-Delivery": str(event.event_id),
        }
        if subscriber.secret:
            headers["X-Bangumi-Signature"] = signature(subscriber.secret, body)
        where = shown_webhook_url(subscriber.target)
        try:
            response = await self.client.post(subscriber.target, content=body, headers=headers)
        except httpx.HTTPError as error:
            # The message may quote the URL, and the URL may carry a token: redact it.
            message = str(error).replace(subscriber.target, where).strip()
            detail = f": {message}" if message else ""
            return NotDelivered(f"{type(error).__name__} posting to {where}{detail}")
        if response.is_success:
            return Delivered()
        return NotDelivered(f"HTTP {response.status_code} from {where}")
