"""Sending events out: JSON webhooks and Apprise notifications, chosen by subscriber kind."""

from __future__ import annotations

import attrs

from adapters.delivery.apprise_sender import AppriseSender, masked_apprise_url
from adapters.delivery.webhook import (
    WebhookSender,
    check_webhook_url,
    shown_webhook_url,
    signature,
)
from dispatch_domain.delivery import Outcome, Subscriber, SubscriberKind
from dispatch_domain.events import Event
from dispatch_domain.ports import EventSender


@attrs.define
class SenderByKind:
    """The EventSender Core uses: each subscriber's kind picks the way its events go out."""

    webhook: EventSender
    apprise: EventSender

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome:
        if subscriber.kind is SubscriberKind.APPRISE:
            return await self.apprise.send(subscriber, event)
        return await self.webhook.send(subscriber, event)


__all__ = [
    "AppriseSender",
    "SenderByKind",
    "WebhookSender",
    "check_webhook_url",
    "masked_apprise_url",
    "shown_webhook_url",
    "signature",
]
