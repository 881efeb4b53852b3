"""Redact URLs before they reach a log: userinfo, passkeys and tokens never leave the process."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

# Query keys private trackers and web services use for per-user secrets.
SECRET_KEYS = frozenset(
    {
        "passkey",
        "pk",
        "key",
        "token",
        "auth",
        "authkey",
        "torrent_pass",
        "apikey",
        "api_key",
        "secret",
        "password",
        "pass",
        "sid",
    }
)


def redact_url(url: str) -> str:
    """`url` with userinfo and secret query values replaced; magnet trackers redacted too."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.scheme.lower() == "magnet":
        return f"{url.partition('?')[0]}?{_redact_query(parts.query, magnet=True)}"
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{REDACTED}@{host}" if "@" in parts.netloc else host
    query = _redact_query(parts.query, magnet=False)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _redact_query(query: str, *, magnet: bool) -> str:
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    cleaned = [(key, _redact_value(key, value, magnet=magnet)) for key, value in pairs]
    return urlencode(cleaned, safe=":/|")


def _redact_value(key: str, value: str, *, magnet: bool) -> str:
    name = key.lower()
    if name in SECRET_KEYS:
        return REDACTED
    if magnet and (name == "tr" or name.startswith("tr.")):
        # A tracker announce URL carries the passkey in its path as often as in its query.
        return REDACTED
    return value
