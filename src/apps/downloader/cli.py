"""`bangumi-dispatch downloader qbittorrent|aria2 …`: run the downloader service before a client."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from apps.logs import configure_logging
from apps.network import is_loopback

log = logging.getLogger(__name__)


def add_commands(commands: Any) -> None:
    downloader = commands.add_parser(
        "downloader", help="run a downloader service in front of a download client"
    )
    clients = downloader.add_subparsers(dest="client", required=True, metavar="CLIENT")
    qbittorrent = clients.add_parser(
        "qbittorrent",
        help="serve the downloader contract over a qBittorrent WebUI",
        description="Serve the downloader contract over qBittorrent and register with Core. "
        "Every option can also come from the environment variable named in its help.",
    )
    _add_options(qbittorrent, SERVICE_OPTIONS)
    qbittorrent.add_argument(
        "--name",
        default=os.environ.get("DOWNLOADER_NAME") or "qbittorrent",
        help="service name registered with Core [DOWNLOADER_NAME] (default qbittorrent)",
    )
    _add_options(qbittorrent, QBITTORRENT_OPTIONS)
    qbittorrent.set_defaults(run=run_qbittorrent)
    aria2 = clients.add_parser(
        "aria2",
        help="serve the downloader contract over aria2's JSON-RPC",
        description="Serve the downloader contract over aria2 (http(s) links, magnets and "
        ".torrent URLs) and register with Core. Every option can also come from the "
        f"environment variable named in its help; the RPC secret only from {SECRET_VARIABLE}.",
    )
    _add_options(aria2, SERVICE_OPTIONS)
    aria2.add_argument(
        "--name",
        default=os.environ.get("DOWNLOADER_NAME") or "aria2",
        help="service name registered with Core [DOWNLOADER_NAME] (default aria2)",
    )
    _add_options(aria2, ARIA2_OPTIONS)
    aria2.set_defaults(run=run_aria2)


# (flag, environment variable, default, type, help); defaults shown in --help are never secrets.
Option = tuple[str, str, str | None, type, str]

SERVICE_OPTIONS: tuple[Option, ...] = (
    ("--host", "DOWNLOADER_HOST", "127.0.0.1", str, "bind address"),
    ("--port", "DOWNLOADER_PORT", "8081", int, "port"),
    ("--advertise-host", "DOWNLOADER_ADVERTISE_HOST", None, str,
     "host Core should call back, if not --host"),
    ("--token", "DOWNLOADER_TOKEN", None, str,
     "bearer token callers must send; required unless bound to loopback"),
    ("--core-url", "CORE_URL", None, str, "Core's base URL, to register with"),
    ("--core-token", "DISPATCH_API_TOKEN", None, str, "bearer token for Core's API"),
    ("--register-interval", "DOWNLOADER_REGISTER_INTERVAL", "300", float,
     "seconds between re-registrations with Core"),
    ("--log-level", "LOG_LEVEL", "INFO", str, "logging level"),
)  # fmt: skip

QBITTORRENT_OPTIONS: tuple[Option, ...] = (
    ("--qbittorrent-url", "QBITTORRENT_URL", "http://127.0.0.1:8080", str, "WebUI address"),
    ("--qbittorrent-username", "QBITTORRENT_USERNAME", "admin", str, "WebUI user"),
    ("--qbittorrent-password", "QBITTORRENT_PASSWORD", None, str,
     "WebUI password; prefer the environment or a file"),
    ("--qbittorrent-password-file", "QBITTORRENT_PASSWORD_FILE", None, str,
     "file holding the WebUI password"),
    ("--qbittorrent-timeout", "QBITTORRENT_TIMEOUT", "10", float,
     "seconds to wait for each WebUI call"),
    ("--download-root", "DOWNLOAD_ROOT", None, str,
     "folder, as qBittorrent sees it, that save paths live under; "
     "default: qBittorrent's own default save path"),
)  # fmt: skip


# The secret is never a flag: flags show in the process list.
SECRET_VARIABLE = "ARIA2_SECRET"  # noqa: S105 - the variable's name, not a secret

ARIA2_OPTIONS: tuple[Option, ...] = (
    ("--aria2-url", "ARIA2_URL", "http://127.0.0.1:6800/jsonrpc", str,
     "aria2's JSON-RPC address"),
    ("--aria2-timeout", "ARIA2_TIMEOUT", "10", float, "seconds to wait for each RPC call"),
    ("--download-root", "DOWNLOAD_ROOT", None, str,
     "folder, as aria2 sees it, that save paths live under; default: aria2's own --dir"),
)  # fmt: skip


def _add_options(parser: argparse.ArgumentParser, options: tuple[Option, ...]) -> None:
    for flag, env, default, kind, text in options:
        shown = f" (default {default})" if default is not None else ""
        # argparse converts a string default with `type`, so a bad variable is reported like a flag.
        parser.add_argument(
            flag, type=kind, default=os.environ.get(env) or default, help=f"{text} [{env}]{shown}"
        )


def run_qbittorrent(args: argparse.Namespace) -> int:
    """Start the service under uvicorn; returns the process exit status."""
    configure_logging(args.log_level)
    problem = _refusal(args)
    if problem:
        print(f"bangumi-dispatch downloader: {problem}", file=sys.stderr)
        return 2
    import uvicorn

    from apps.downloader.app import create_app
    from apps.downloader.container import make_container

    container = make_container(service_settings(args), qbittorrent_settings(args))
    log.info("serving qBittorrent at %s on %s:%d", args.qbittorrent_url, args.host, args.port)
    uvicorn.run(create_app(container), host=args.host, port=args.port, log_config=None)
    return 0


def run_aria2(args: argparse.Namespace) -> int:
    """Start the service over aria2 under uvicorn; returns the process exit status."""
    configure_logging(args.log_level)
    problem = _service_refusal(args) or (
        None
        if os.environ.get(SECRET_VARIABLE)
        else f"no aria2 secret: set {SECRET_VARIABLE} to the --rpc-secret aria2 runs with"
    )
    if problem:
        print(f"bangumi-dispatch downloader: {problem}", file=sys.stderr)
        return 2
    import uvicorn

    from apps.downloader.app import create_app
    from apps.downloader.container import make_container

    container = make_container(service_settings(args), aria2=aria2_settings(args))
    log.info("serving aria2 at %s on %s:%d", args.aria2_url, args.host, args.port)
    uvicorn.run(create_app(container), host=args.host, port=args.port, log_config=None)
    return 0


def _service_refusal(args: argparse.Namespace) -> str | None:
    if not args.token and not is_loopback(args.host):
        return f"refusing to listen on {args.host} without --token (DOWNLOADER_TOKEN)"
    return None


def _refusal(args: argparse.Namespace) -> str | None:
    """Why the service must not start as configured, if it must not."""
    service_problem = _service_refusal(args)
    if service_problem:
        return service_problem
    if args.qbittorrent_password is None and args.qbittorrent_password_file is None:
        return "no qBittorrent password: set QBITTORRENT_PASSWORD or --qbittorrent-password-file"
    return None


def _password(args: argparse.Namespace) -> str:
    if args.qbittorrent_password_file:
        return Path(args.qbittorrent_password_file).read_text().rstrip("\r\n")
    return str(args.qbittorrent_password)


def service_settings(args: argparse.Namespace) -> Any:
    from apps.downloader.settings import ServiceSettings

    return ServiceSettings(
        name=args.name,
        host=args.host,
        port=args.port,
        advertise_host=args.advertise_host,
        token=args.token,
        core_url=args.core_url,
        core_token=args.core_token,
        register_interval=args.register_interval,
    )


def qbittorrent_settings(args: argparse.Namespace) -> Any:
    from apps.downloader.settings import QBittorrentSettings

    return QBittorrentSettings(
        url=args.qbittorrent_url,
        username=args.qbittorrent_username,
        password=_password(args),
        timeout=args.qbittorrent_timeout,
        download_root=args.download_root,
    )


def aria2_settings(args: argparse.Namespace) -> Any:
    from apps.downloader.settings import Aria2Settings

    return Aria2Settings(
        url=args.aria2_url,
        secret=os.environ.get(SECRET_VARIABLE, ""),
        timeout=args.aria2_timeout,
        download_root=args.download_root,
    )
