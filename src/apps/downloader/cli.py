"""`bangumi-dispatch downloader qbittorrent …`: run the downloader service in front of a client."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from adapters.redact import redact_url
from apps.downloader.settings import QBITTORRENT, QBITTORRENT_SERVICE
from apps.logs import configure_logging, uvicorn_options
from apps.network import is_loopback
from apps.settings_table import SettingError

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
        "Every option can also come from the environment variable named in its help; the "
        "option wins when both are given.",
    )
    (QBITTORRENT_SERVICE + QBITTORRENT).add_options(qbittorrent)
    qbittorrent.set_defaults(run=run_qbittorrent)


def run_qbittorrent(args: argparse.Namespace) -> int:
    """Start the service under uvicorn; returns the process exit status."""
    try:
        service = service_settings(args)
    except SettingError as error:
        print(f"bangumi-dispatch downloader: {error}", file=sys.stderr)
        return 2
    configure_logging(args.log_level, args.log_format)
    problem = _refusal(args)
    if problem:
        print(f"bangumi-dispatch downloader: {problem}", file=sys.stderr)
        return 2
    import uvicorn

    from apps.downloader.app import create_app
    from apps.downloader.container import make_container

    container = make_container(service, qbittorrent_settings(args))
    where = redact_url(args.qbittorrent_url)
    log.info("serving qBittorrent at %s on %s:%d", where, args.host, args.port)
    uvicorn.run(
        create_app(container), host=args.host, port=args.port, **uvicorn_options(args.log_level)
    )
    return 0


def _refusal(args: argparse.Namespace) -> str | None:
    """Why the service must not start as configured, if it must not."""
    if not args.token and not is_loopback(args.host):
        return f"refusing to listen on {args.host} without --token (DOWNLOADER_TOKEN)"
    if args.qbittorrent_password is None and args.qbittorrent_password_file is None:
        return "no qBittorrent password: set QBITTORRENT_PASSWORD or --qbittorrent-password-file"
    return None


def _password(args: argparse.Namespace) -> str:
    if args.qbittorrent_password_file:
        return Path(args.qbittorrent_password_file).read_text().rstrip("\r\n")
    return str(args.qbittorrent_password)


def service_settings(args: argparse.Namespace) -> Any:
    from apps.downloader.settings import ServiceSettings

    values = QBITTORRENT_SERVICE.values(args)
    del values["log_level"], values["log_format"]  # the command line configures logging
    return ServiceSettings(**values)


def qbittorrent_settings(args: argparse.Namespace) -> Any:
    from apps.downloader.settings import QBittorrentSettings

    return QBittorrentSettings(
        url=args.qbittorrent_url,
        username=args.qbittorrent_username,
        password=_password(args),
        timeout=args.qbittorrent_timeout,
        download_root=args.download_root,
    )
