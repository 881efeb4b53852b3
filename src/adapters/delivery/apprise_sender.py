"""Notifications to people through Apprise (Telegram, Discord, ntfy, e-mail, ...)."""

from __future__ import annotations

import asyncio
import logging

import apprise
import attrs

from dispatch_domain.delivery import Delivered, NotDelivered, Outcome, Subscriber
from dispatch_domain.errors import InvalidInput
from dispatch_domain.events import Event, headline

TITLE = "bangumi-dispatch"


class _NoUrls(logging.Filter):
    """Apprise's log lines can quote a service's URL with its token ("Unparseable Telegram URL
    tgram://<token>/"): lines below WARNING, and any line quoting a URL, stay out of logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING and "://" not in record.getMessage()


_FILTER = _NoUrls()


def quiet_apprise_logs() -> None:
    """Install the filter on Apprise's logger (once; called before Apprise is used)."""
    logger = logging.getLogger("apprise")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def masked_apprise_url(url: str) -> str:
    """The Apprise URL with its secrets masked, as Apprise itself shows it; InvalidInput if
    Apprise does not know the URL."""
    quiet_apprise_logs()
    plugin = apprise.Apprise.instantiate(url.strip())
    if not plugin:
        raise InvalidInput("apprise_url is not a URL Apprise can send to")
    return str(plugin.url(privacy=True))


@attrs.define
class AppriseSender:
    """Sends one short line per event; Apprise's blocking notify runs in a worker thread."""

    def __attrs_post_init__(self) -> None:
        quiet_apprise_logs()

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome:
        sent = await asyncio.to_thread(_notify, subscriber.target, headline(event))
        if sent:
            return Delivered()
        return NotDelivered(f"apprise could not notify {_masked(subscriber.target)}")


def _notify(url: str, message: str) -> bool:
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return False
    return bool(notifier.notify(body=message, title=TITLE))


def _masked(url: str) -> str:
    try:
        return masked_apprise_url(url)
    except InvalidInput:
        return "an unusable Apprise URL"
