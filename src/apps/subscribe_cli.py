"""`bangumi-dispatch subscribe` and `subscriptions`: follow feeds through a running Core."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import httpx

from apps.settings_table import CORE_PORT

DEFAULT_CORE = f"http://127.0.0.1:{CORE_PORT}"


def add_commands(commands: Any) -> None:
    subscribe = commands.add_parser(
        "subscribe", help="follow an RSS/Atom feed: its new items become downloads"
    )
    subscribe.add_argument("feed_url", metavar="FEED_URL")
    subscribe.add_argument("--name", required=True, help="a unique name; {name} in --save-path")
    subscribe.add_argument("--include", help="only titles matching this regex (case-insensitive)")
    subscribe.add_argument("--exclude", help="no titles matching this regex (case-insensitive)")
    subscribe.add_argument(
        "--save-path", help="folder under the download root; may use {name} and {title}"
    )
    subscribe.add_argument(
        "--downloader", help="service name of the downloader to offer its links to first"
    )
    subscribe.add_argument(
        "--interval", type=int, help="seconds between fetches (default 900, at least 60)"
    )
    _core_options(subscribe)
    subscribe.set_defaults(run=subscribe_command)

    listing = commands.add_parser("subscriptions", help="list subscriptions and their last fetch")
    listing.add_argument("--json", action="store_true", help="print Core's JSON as it is")
    _core_options(listing)
    listing.set_defaults(run=list_command)


def _core_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--core-url", help=f"Core's base URL (env CORE_URL; default {DEFAULT_CORE})"
    )
    parser.add_argument(
        "--core-token", help="Core's API token (env DISPATCH_API_TOKEN), sent with every request"
    )


def subscribe_command(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"name": args.name, "feed_url": args.feed_url}
    optional = {
        "include": args.include,
        "exclude": args.exclude,
        "save_path": args.save_path,
        "preferred_downloader": args.downloader,
        "interval": args.interval,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    answer = _call(args, "POST", "/subscriptions", body)
    if answer is None:
        return 1
    print(
        f"subscribed #{answer['subscription_id']} {answer['name']}: {answer['feed_url']}, "
        f"every {answer['interval']} s; the first fetch runs now"
    )
    return 0


def list_command(args: argparse.Namespace) -> int:
    answer = _call(args, "GET", "/subscriptions")
    if answer is None:
        return 1
    if args.json:
        print(json.dumps(answer, indent=2, ensure_ascii=False))
        return 0
    if not answer:
        print("no subscriptions yet: bangumi-dispatch subscribe FEED_URL --name NAME")
        return 0
    for line in _table(answer):
        print(line)
    return 0


def _table(subscriptions: list[dict[str, Any]]) -> list[str]:
    header = ("ID", "NAME", "ON", "EVERY", "LINKS", "LAST SUCCESS", "LAST ERROR")
    rows = [
        (
            str(s["subscription_id"]),
            s["name"],
            "yes" if s["enabled"] else "no",
            f"{s['interval']}s",
            str(s["links_created"]),
            (s["last_success_at"] or "never")[:19],
            s["last_error"] or "",
        )
        for s in subscriptions
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in (header, *rows)
    ]


def _call(args: argparse.Namespace, method: str, path: str, body: Any = None) -> Any:
    """Core's JSON answer, or None after saying on stderr why there is none."""
    base = (args.core_url or os.environ.get("CORE_URL") or DEFAULT_CORE).rstrip("/")
    token = args.core_token or os.environ.get("DISPATCH_API_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(method, base + path, json=body, headers=headers, timeout=30)
    except httpx.HTTPError as error:
        print(f"cannot reach Core at {base}: {type(error).__name__}", file=sys.stderr)
        return None
    if response.is_success:
        return response.json()
    print(f"Core answered {response.status_code}: {_detail(response)}", file=sys.stderr)
    return None


def _detail(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return response.text[:200]
    return str(problem.get("detail") or problem.get("title") or problem)
