"""FeedReader over HTTP: conditional GETs, a time and size bound, one request per host a second."""

from __future__ import annotations

import asyncio
from time import monotonic
from urllib.parse import urlsplit

import attrs
import httpx

from adapters.feeds.parsing import parse_feed
from dispatch_domain.feeds import FeedFailed, FeedRead, FeedUnchanged, Validators

USER_AGENT = "bangumi-dispatch/0.1 (feed reader; +https://github.com/bangumi-dispatch)"
MAX_BYTES = 16 * 1024 * 1024  # a 5,000-item feed is a few megabytes


class _TooLarge(Exception):
    pass


@attrs.define
class HttpFeedReader:
    """Reads feeds with the client it is given; every failure comes back as FeedFailed."""

    client: httpx.AsyncClient
    timeout: float = 30.0  # for the whole request, body included
    max_bytes: int = MAX_BYTES
    per_host: float = 1.0  # seconds between two requests to one host
    user_agent: str = USER_AGENT
    _next_slot: dict[str, float] = attrs.field(factory=dict, init=False)

    async def read(self, feed_url: str, validators: Validators) -> FeedRead:
        await self._take_turn(urlsplit(feed_url).netloc.lower())
        try:
            async with asyncio.timeout(self.timeout):
                answer = await self._get(feed_url, validators)
        except TimeoutError:
            return FeedFailed(f"no answer within {self.timeout:g} s")
        except _TooLarge:
            return FeedFailed(f"the feed is larger than {self.max_bytes} bytes")
        except httpx.HTTPError as error:  # the message can hold the URL: not repeated here
            return FeedFailed(f"could not fetch the feed: {type(error).__name__}")
        if isinstance(answer, FeedRead):
            return answer
        body, new_validators = answer
        return await asyncio.to_thread(parse_feed, body, new_validators)

    async def _get(
        self, feed_url: str, validators: Validators
    ) -> FeedUnchanged | FeedFailed | tuple[bytes, Validators]:
        headers = {"User-Agent": self.user_agent, "Accept": _ACCEPT}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        async with self.client.stream(
            "GET", feed_url, headers=headers, follow_redirects=True
        ) as response:
            if response.status_code == 304:
                return FeedUnchanged()
            if response.status_code >= 400:
                return FeedFailed(f"HTTP {response.status_code} {response.reason_phrase}".strip())
            body = await self._body(response)
            found = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
            return body, found

    async def _body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _TooLarge
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _take_turn(self, host: str) -> None:
        """Wait for this host's next free second; callers queue up in the order they came."""
        now = monotonic()
        slot = max(now, self._next_slot.get(host, 0.0))
        self._next_slot[host] = slot + self.per_host
        if slot > now:
            await asyncio.sleep(slot - now)


_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
