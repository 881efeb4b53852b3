"""Subscriptions: a feed Core follows by itself, its rules, and what its fetches did."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit

import attrs

from dispatch_domain.errors import InvalidInput
from dispatch_domain.events import EventType, fetch_event
from dispatch_domain.feeds import Validators
from dispatch_domain.health import backoff_after
from dispatch_domain.links import check_save_path

DEFAULT_INTERVAL = 900
MIN_INTERVAL = 60
MAX_INTERVAL = 7 * 24 * 3600
MAX_NAME = 100
MAX_FEED_URL = 2048
MAX_PATTERN = 500
TEMPLATE_FIELDS = frozenset({"name", "title"})


@attrs.frozen
class SubscriptionSettings:
    """What the user chose; `check()` is the one place its rules live."""

    name: str
    feed_url: str
    include: str | None = None  # case-insensitive regular expressions on the item's title
    exclude: str | None = None
    save_path: str | None = None  # a relative template: {name}, {title}
    preferred_downloader: str | None = None  # a downloader's service name
    interval: int = DEFAULT_INTERVAL  # seconds between fetches
    enabled: bool = True

    def check(self) -> SubscriptionSettings:
        """These settings, trimmed; InvalidInput naming the first rule broken."""
        name = self.name.strip()
        if not 1 <= len(name) <= MAX_NAME:
            raise InvalidInput(f"name must be 1 to {MAX_NAME} characters")
        feed_url = check_feed_url(self.feed_url)
        if not MIN_INTERVAL <= self.interval <= MAX_INTERVAL:
            raise InvalidInput(f"interval must be between {MIN_INTERVAL} and {MAX_INTERVAL} s")
        for field, pattern in (("include", self.include), ("exclude", self.exclude)):
            if pattern is not None and len(pattern) > MAX_PATTERN:
                raise InvalidInput(f"{field} may be at most {MAX_PATTERN} characters")
        downloader = _blank_to_none(self.preferred_downloader)
        if downloader is not None and len(downloader) > MAX_NAME:
            raise InvalidInput(f"preferred_downloader must be at most {MAX_NAME} characters")
        template = check_template(self.save_path)
        return attrs.evolve(
            self,
            name=name,
            feed_url=feed_url,
            include=self.include if self.include and self.include.strip() else None,
            exclude=self.exclude if self.exclude and self.exclude.strip() else None,
            save_path=template,
            preferred_downloader=downloader,
        )


class Keep(Enum):
    """A patch field left out: keep the current value (None would mean "clear it")."""

    KEEP = "keep"


KEEP = Keep.KEEP


@attrs.frozen
class SubscriptionPatch:
    name: str | Keep = KEEP
    feed_url: str | Keep = KEEP
    include: str | Keep | None = KEEP
    exclude: str | Keep | None = KEEP
    save_path: str | Keep | None = KEEP
    preferred_downloader: str | Keep | None = KEEP
    interval: int | Keep = KEEP
    enabled: bool | Keep = KEEP

    def applied_to(self, settings: SubscriptionSettings) -> SubscriptionSettings:
        given = {
            field.name: getattr(self, field.name)
            for field in attrs.fields(SubscriptionPatch)
            if getattr(self, field.name) is not KEEP
        }
        if not given:
            raise InvalidInput("give at least one field to change")
        return attrs.evolve(settings, **given).check()


@attrs.frozen
class FetchState:
    """What the fetches of a subscription did so far."""

    next_fetch_at: datetime
    last_fetched_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    failures: int = 0  # failed fetches in a row, for the back-off
    items_seen: int = 0  # items the feed held at its last successful read
    links_created: int = 0  # new links this subscription brought, in all
    validators: Validators = attrs.field(factory=Validators)


@attrs.frozen
class Subscription:
    subscription_id: int
    settings: SubscriptionSettings
    state: FetchState
    created_at: datetime
    updated_at: datetime

    @property
    def source(self) -> str:
        """The fetcher_source its posts are stored under: stable across renames."""
        return f"subscription/{self.subscription_id}"


@attrs.frozen
class TitleSelection:
    """Which titles a subscription's patterns let through (by index), and any trouble: a
    pattern that took too long is stopped, and its titles are left out."""

    wanted: tuple[int, ...]
    problem: str | None = None


@attrs.frozen
class FetchRecord:
    """What one fetch did, to be added to the subscription's state (and its claim ended)."""

    fetched_at: datetime
    next_fetch_at: datetime
    error: str | None = None  # set on failure, or a warning (a pattern that timed out)
    succeeded: bool = True
    failures: int = 0
    items_seen: int | None = None  # None: the feed was not read (304 or failure)
    links_created: int = 0
    validators: Validators | None = None  # None: keep the stored ones
    event: EventType | None = None  # recorded with the fetch: subscription.failed/recovered


def succeeded(
    subscription: Subscription,
    now: datetime,
    *,
    items_seen: int | None,
    links_created: int = 0,
    validators: Validators | None = None,
    warning: str | None = None,
) -> FetchRecord:
    interval = timedelta(seconds=subscription.settings.interval)
    event = fetch_event(subscription.state.failures, 0)
    return FetchRecord(
        now, now + interval, warning, True, 0, items_seen, links_created, validators, event
    )


def failed(subscription: Subscription, now: datetime, reason: str) -> FetchRecord:
    """A failure waits 1, 5, 15, 30, then 60 minutes before the next try."""
    failures = subscription.state.failures + 1
    event = fetch_event(subscription.state.failures, failures)
    return FetchRecord(now, now + backoff_after(failures), reason, False, failures, event=event)


def check_feed_url(value: str) -> str:
    url = value.strip()
    if len(url) > MAX_FEED_URL:
        raise InvalidInput(f"feed_url may be at most {MAX_FEED_URL} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as error:
        raise InvalidInput(f"feed_url is not a URL: {error}") from error
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidInput("feed_url must be an http(s) URL with a host")
    return url


def check_template(value: str | None) -> str | None:
    """A save-path template naming only {name} and {title}, relative, with no '..'."""
    if value is None or not value.strip():
        return None
    try:
        fields = [
            (f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value) if f is not None
        ]
    except ValueError as error:
        raise InvalidInput(f"save_path is not a valid template: {error}") from error
    for field, spec, conversion in fields:
        if field not in TEMPLATE_FIELDS or spec or conversion:
            raise InvalidInput("save_path may only use the fields {name} and {title}")
    check_save_path(render_save_path(value.strip(), "name", "title"))
    return value.strip()


def render_save_path(template: str | None, name: str, title: str) -> str | None:
    """The template filled in; a value cannot add folders (its slashes become '_')."""
    if template is None:
        return None
    return template.format(name=_path_safe(name), title=_path_safe(title))


def _path_safe(value: str) -> str:
    cleaned = "".join("_" if ch in "/\\\x00" else ch for ch in value).strip()
    return "_" if cleaned in ("", ".", "..") else cleaned


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() if value is not None and value.strip() else None
