"""Webhook and notification routes: add, list (with delivery state), and remove subscribers."""

from __future__ import annotations

from datetime import datetime

import attrs
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from adapters.delivery import check_webhook_url, masked_apprise_url, shown_webhook_url
from dispatch_domain.delivery import NewSubscriber, Subscriber, SubscriberKind
from dispatch_domain.errors import InvalidInput
from dispatch_domain.events import EventType
from dispatch_domain.ports import Clock, SubscriberRepository

MAX_SECRET = 500
K = SubscriberKind


@attrs.frozen
class WebhookBody:
    url: str
    secret: str | None = None
    events: list[EventType] | None = None  # None or empty: every type

    def to_domain(self) -> NewSubscriber:
        if self.secret is not None and not 1 <= len(self.secret) <= MAX_SECRET:
            raise InvalidInput(f"secret must be 1 to {MAX_SECRET} characters")
        types = frozenset(self.events or ())
        return NewSubscriber(K.WEBHOOK, check_webhook_url(self.url), self.secret, types)


@attrs.frozen
class NotificationBody:
    apprise_url: str
    events: list[EventType] | None = None

    def to_domain(self) -> NewSubscriber:
        masked_apprise_url(self.apprise_url)  # refuses a URL Apprise cannot send to
        return NewSubscriber(
            K.APPRISE, self.apprise_url.strip(), None, frozenset(self.events or ())
        )


@attrs.frozen
class DeliveryOut:
    """Where deliveries stand: `attempts`, the failed tries of the waiting event so far; the
    last error; when it is tried again."""

    delivered: int
    last_event_id: int
    attempts: int
    last_error: str | None
    next_try_at: datetime | None
    failing_since: datetime | None

    @classmethod
    def of(cls, subscriber: Subscriber) -> DeliveryOut:
        state = subscriber.state
        return cls(
            state.delivered,
            state.cursor,
            state.failures,
            state.last_error,
            state.next_try_at,
            state.failing_since,
        )


@attrs.frozen
class WebhookOut:
    id: int
    url: str  # redacted: a token in the URL (query or path) never leaves Core
    events: list[EventType]
    signed: bool  # whether it has a secret (never shown)
    created_at: datetime
    delivery: DeliveryOut

    @classmethod
    def of(cls, subscriber: Subscriber) -> WebhookOut:
        return cls(
            subscriber.subscriber_id,
            shown_webhook_url(subscriber.target),
            sorted(subscriber.event_types),
            bool(subscriber.secret),
            subscriber.created_at,
            DeliveryOut.of(subscriber),
        )


@attrs.frozen
class NotificationOut:
    id: int
    apprise_url: str  # masked as Apprise masks it
    events: list[EventType]
    created_at: datetime
    delivery: DeliveryOut

    @classmethod
    def of(cls, subscriber: Subscriber) -> NotificationOut:
        return cls(
            subscriber.subscriber_id,
            masked_apprise_url(subscriber.target),
            sorted(subscriber.event_types),
            subscriber.created_at,
            DeliveryOut.of(subscriber),
        )


class WebhooksController(Controller):
    path = "/webhooks"
    tags = ["events"]

    @post("/", status_code=HTTP_201_CREATED)
    async def add(
        self,
        data: JSONBody[WebhookBody],
        subscribers: NamedDependency[SubscriberRepository],
        clock: NamedDependency[Clock],
    ) -> WebhookOut:
        """A webhook that receives each event (of `events`, or all) recorded from now on."""
        return WebhookOut.of(await subscribers.add(data.to_domain(), clock.now()))

    @get("/")
    async def list_webhooks(
        self, subscribers: NamedDependency[SubscriberRepository]
    ) -> list[WebhookOut]:
        """Every webhook with its delivery state."""
        return [WebhookOut.of(s) for s in await subscribers.of_kind(K.WEBHOOK)]

    @delete("/{webhook_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def remove(
        self, webhook_id: FromPath[int], subscribers: NamedDependency[SubscriberRepository]
    ) -> None:
        """Stop delivering to this webhook; 404 if there is none with that id."""
        await subscribers.remove(K.WEBHOOK, webhook_id)


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["events"]

    @post("/", status_code=HTTP_201_CREATED)
    async def add(
        self,
        data: JSONBody[NotificationBody],
        subscribers: NamedDependency[SubscriberRepository],
        clock: NamedDependency[Clock],
    ) -> NotificationOut:
        """A short message per event (of `events`, or all) through an Apprise URL."""
        return NotificationOut.of(await subscribers.add(data.to_domain(), clock.now()))

    @get("/")
    async def list_notifications(
        self, subscribers: NamedDependency[SubscriberRepository]
    ) -> list[NotificationOut]:
        """Every notification target (its URL masked) with its delivery state."""
        return [NotificationOut.of(s) for s in await subscribers.of_kind(K.APPRISE)]

    @delete("/{notification_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def remove(
        self, notification_id: FromPath[int], subscribers: NamedDependency[SubscriberRepository]
    ) -> None:
        """Stop notifying this target; 404 if there is none with that id."""
        await subscribers.remove(K.APPRISE, notification_id)
