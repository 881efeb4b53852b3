"""Core as tests run it reaches loopback only: its HTTP clients refuse any other host before
a name is looked up, and notifications go out only to loopback targets. A fuzzer's made-up
downloader host, feed URL or webhook URL then fails inside Core instead of leaving the machine."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import attrs
import httpx
from dependency_injector import providers

from apps.core.container import CoreContainer
from dispatch_domain.delivery import NotDelivered, Outcome, Subscriber
from dispatch_domain.events import Event
from dispatch_domain.ports import EventSender

REFUSED = "tests reach loopback only"


def is_loopback_host(host: str | None) -> bool:
    """`localhost` or a loopback address literal; every other name counts as outside."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LoopbackOnly(httpx.AsyncBaseTransport):
    """A transport that refuses, without a lookup, any request not for a loopback host."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not is_loopback_host(request.url.host):
            raise httpx.ConnectError(f"{REFUSED}, not {request.url.host!r}", request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def loopback_client(timeout: float) -> AsyncIterator[httpx.AsyncClient]:
    timeouts = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    async with httpx.AsyncClient(timeout=timeouts, transport=LoopbackOnly()) as client:
        yield client


@attrs.frozen
class LoopbackNotifications:
    """Apprise notifications only to loopback targets (`json://127.0.0.1:…`); others refused."""

    inner: EventSender

    async def send(self, subscriber: Subscriber, event: Event) -> Outcome:
        try:
            host = urlsplit(subscriber.target).hostname
        except ValueError:
            host = None
        if not is_loopback_host(host):
            return NotDelivered(REFUSED)
        return await self.inner.send(subscriber, event)


def confine(container: CoreContainer, timeout: float) -> None:
    """Swap every outgoing client of Core's for one that reaches loopback only."""
    for client in (container.http_client, container.feed_client, container.webhook_client):
        client.override(providers.Resource(loopback_client, timeout=timeout))
    apprise = container.event_sender.kwargs["apprise"]
    container.event_sender.add_kwargs(
        apprise=providers.Singleton(LoopbackNotifications, inner=apprise)
    )
