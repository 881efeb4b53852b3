"""Subscription routes: follow a feed, change or drop it, and fetch it now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from adapters.redact import redact_url
from apps.core.loops import DispatchLoop
from apps.core.subscription_loop import SubscriptionLoop
from dispatch_domain.errors import InvalidInput
from dispatch_domain.ports import Clock, SubscriptionRepository, TitlePatterns
from dispatch_domain.services.following import (
    Follower,
    create_subscription,
    update_subscription,
)
from dispatch_domain.subscriptions import (
    DEFAULT_INTERVAL,
    KEEP,
    Subscription,
    SubscriptionPatch,
    SubscriptionSettings,
)


@attrs.frozen
class SubscriptionBody:
    name: str
    feed_url: str
    include: str | None = None
    exclude: str | None = None
    save_path: str | None = None
    preferred_downloader: str | None = None
    interval: int = DEFAULT_INTERVAL
    enabled: bool = True

    def to_domain(self) -> SubscriptionSettings:
        return SubscriptionSettings(**attrs.asdict(self))


@attrs.frozen
class SubscriptionPatchBody:
    """Fields left out are kept; a field given as null is cleared (where it may be)."""

    name: str | None = None
    feed_url: str | None = None
    include: str | None = None
    exclude: str | None = None
    save_path: str | None = None
    preferred_downloader: str | None = None
    interval: int | None = None
    enabled: bool | None = None

    def to_domain(self, given: set[str]) -> SubscriptionPatch:
        for required in ("name", "feed_url", "interval", "enabled"):
            if required in given and getattr(self, required) is None:
                raise InvalidInput(f"{required} may not be null")
        return SubscriptionPatch(
            **{
                field.name: getattr(self, field.name) if field.name in given else KEEP
                for field in attrs.fields(SubscriptionPatchBody)
            }
        )


@attrs.frozen
class SubscriptionOut:
    subscription_id: int
    name: str
    feed_url: str  # a passkey in the URL is shown redacted
    include: str | None
    exclude: str | None
    save_path: str | None
    preferred_downloader: str | None
    interval: int
    enabled: bool
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    next_fetch_at: datetime
    failures: int
    items_seen: int
    links_created: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        settings, state = subscription.settings, subscription.state
        return cls(
            subscription_id=subscription.subscription_id,
            **{**attrs.asdict(settings), "feed_url": redact_url(settings.feed_url)},
            last_fetched_at=state.last_fetched_at,
            last_success_at=state.last_success_at,
            last_error=state.last_error,
            next_fetch_at=state.next_fetch_at,
            failures=state.failures,
            items_seen=state.items_seen,
            links_created=state.links_created,
            created_at=subscription.created_at,
            updated_at=subscription.updated_at,
        )


@attrs.frozen
class RefreshOut:
    subscription: SubscriptionOut
    fetched: bool  # False: the feed failed, or had not changed (304)
    links_created: int
    duplicates: int
    invalid: int


class SubscriptionsController(Controller):
    path = "/subscriptions"
    tags = ["subscriptions"]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self,
        data: JSONBody[SubscriptionBody],
        subscriptions: NamedDependency[SubscriptionRepository],
        title_patterns: NamedDependency[TitlePatterns],
        clock: NamedDependency[Clock],
        subscription_loop: NamedDependency[SubscriptionLoop],
    ) -> SubscriptionOut:
        """Follow a feed; it is fetched at once, then every `interval` seconds."""
        made = await create_subscription(data.to_domain(), subscriptions, title_patterns, clock)
        subscription_loop.wake()
        return SubscriptionOut.of(made)

    @get("/")
    async def list_all(
        self, subscriptions: NamedDependency[SubscriptionRepository]
    ) -> list[SubscriptionOut]:
        """Every subscription with how its fetches went."""
        return [SubscriptionOut.of(s) for s in await subscriptions.all()]

    @get("/{subscription_id:int}")
    async def one(
        self,
        subscription_id: FromPath[int],
        subscriptions: NamedDependency[SubscriptionRepository],
    ) -> SubscriptionOut:
        return SubscriptionOut.of(await subscriptions.get(subscription_id))

    @patch("/{subscription_id:int}")
    async def update(
        self,
        subscription_id: FromPath[int],
        data: JSONBody[SubscriptionPatchBody],
        request: Request[Any, Any, Any],
        subscriptions: NamedDependency[SubscriptionRepository],
        title_patterns: NamedDependency[TitlePatterns],
        clock: NamedDependency[Clock],
    ) -> SubscriptionOut:
        """Change some settings; a field given as null is cleared. A new feed_url is fetched
        at once."""
        given = set(await request.json())
        changed = await update_subscription(
            subscription_id, data.to_domain(given), subscriptions, title_patterns, clock
        )
        return SubscriptionOut.of(changed)

    @delete("/{subscription_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def remove(
        self,
        subscription_id: FromPath[int],
        subscriptions: NamedDependency[SubscriptionRepository],
    ) -> None:
        """Stop following the feed; the links and downloads it brought stay."""
        await subscriptions.delete(subscription_id)

    @post("/{subscription_id:int}/refresh", status_code=200)
    async def refresh(
        self,
        subscription_id: FromPath[int],
        follower: NamedDependency[Follower],
        subscriptions: NamedDependency[SubscriptionRepository],
        dispatch_loop: NamedDependency[DispatchLoop],
    ) -> RefreshOut:
        """Fetch the feed now (409 while another fetch of it is under way); its new links go
        to the dispatcher."""
        followed = await follower.refresh(subscription_id)
        ingest = followed.ingest
        if ingest is not None and ingest.links_created:
            dispatch_loop.wake()
        return RefreshOut(
            subscription=SubscriptionOut.of(await subscriptions.get(subscription_id)),
            fetched=ingest is not None,
            links_created=ingest.links_created if ingest else 0,
            duplicates=ingest.duplicates if ingest else 0,
            invalid=ingest.invalid if ingest else 0,
        )
