"""The feed adapter: RSS/Atom over HTTP (httpx, feedparser) and bounded title patterns (regex)."""

from adapters.feeds.parsing import parse_feed
from adapters.feeds.patterns import RegexTitlePatterns
from adapters.feeds.reader import USER_AGENT, HttpFeedReader

__all__ = ["USER_AGENT", "HttpFeedReader", "RegexTitlePatterns", "parse_feed"]
