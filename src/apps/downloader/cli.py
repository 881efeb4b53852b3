"""`bangumi-dispatch downloader qbittorrent|transmission|aria2 …`: a service before a client."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from adapters.redact import redact_url
from apps.downloader.settings import (
    ARIA2,
    ARIA2_SECRET,
    ARIA2_SERVICE,
    QBITTORRENT,
    QBITTORRENT_SERVICE,
    TRANSMISSION,
    TRANSMISSION_SERVICE,
)
from apps.logs import configure_logging, uvicorn_options
from apps.network import is_loopback
from apps.settings_table import SettingError, SettingsTable

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
    transmission = clients.add_parser(
        "transmission",
        help="serve the downloader contract over Transmission's RPC",
        description="Serve the downloader contract over Transmission (magnets and .torrent "
        "URLs) and register with Core. Every option can also come from the environment "
        "variable named in its help (the option wins when both are given); the RPC password "
        "comes only from TRANSMISSION_PASSWORD or --transmission-password-file.",
        allow_abbrev=False,  # else --transmission-password would pass for the file's flag
    )
    (TRANSMISSION_SERVICE + TRANSMISSION).add_options(transmission)
    transmission.set_defaults(run=run_transmission)
    aria2 = clients.add_parser(
        "aria2",
        help="serve the downloader contract over aria2's JSON-RPC",
        description="Serve the downloader contract over aria2 (http(s) links, magnets and "
        ".torrent URLs) and register with Core. Every option can also come from the "
        "environment variable named in its help (the option wins when both are given); the "
        f"RPC secret comes only from {ARIA2_SECRET}.",
    )
    (ARIA2_SERVICE + ARIA2).add_options(aria2)
    aria2.set_defaults(run=run_aria2)


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


def run_aria2(args: argparse.Namespace) -> int:
    """Start the service over aria2 under uvicorn; returns the process exit status."""
    try:
        service = service_settings(args, ARIA2_SERVICE)
        aria2 = aria2_settings(args)
    except SettingError as error:
        print(f"bangumi-dispatch downloader: {error}", file=sys.stderr)
        return 2
    configure_logging(args.log_level, args.log_format)
    problem = _exposed(args) or (
        None
        if aria2.secret
        else f"no aria2 secret: set {ARIA2_SECRET} to the --rpc-secret aria2 runs with"
    )
    if problem:
        print(f"bangumi-dispatch downloader: {problem}", file=sys.stderr)
        return 2
    import uvicorn

    from apps.downloader.app import create_app
    from apps.downloader.container import make_container

    container = make_container(service, aria2=aria2)
    log.info("serving aria2 at %s on %s:%d", redact_url(aria2.url), args.host, args.port)
    uvicorn.run(
        create_app(container), host=args.host, port=args.port, **uvicorn_options(args.log_level)
    )
    return 0


def run_transmission(args: argparse.Namespace) -> int:
    """Start the service over Transmission under uvicorn; returns the process exit status."""
    try:
        service = service_settings(args, TRANSMISSION_SERVICE)
        transmission = transmission_settings(args)
    except (SettingError, OSError) as error:
        print(f"bangumi-dispatch downloader: {error}", file=sys.stderr)
        return 2
    configure_logging(args.log_level, args.log_format)
    problem = _exposed(args)
    if problem:
        print(f"bangumi-dispatch downloader: {problem}", file=sys.stderr)
        return 2
    import uvicorn

    from apps.downloader.app import create_app
    from apps.downloader.container import make_container

    container = make_container(service, transmission=transmission)
    where = redact_url(transmission.url)
    log.info("serving Transmission at %s on %s:%d", where, args.host, args.port)
    uvicorn.run(
        create_app(container), host=args.host, port=args.port, **uvicorn_options(args.log_level)
    )
    return 0


def _exposed(args: argparse.Namespace) -> str | None:
    if not args.token and not is_loopback(args.host):
        return f"refusing to listen on {args.host} without --token (DOWNLOADER_TOKEN)"
    return None


def _refusal(args: argparse.Namespace) -> str | None:
    """Why the service must not start as configured, if it must not."""
    exposed = _exposed(args)
    if exposed:
        return exposed
    if args.qbittorrent_password is None and args.qbittorrent_password_file is None:
        return "no qBittorrent password: set QBITTORRENT_PASSWORD or --qbittorrent-password-file"
    return None


def _password(args: argparse.Namespace) -> str:
    if args.qbittorrent_password_file:
        return Path(args.qbittorrent_password_file).read_text().rstrip("\r\n")
    return str(args.qbittorrent_password)


def service_settings(args: argparse.Namespace, table: SettingsTable = QBITTORRENT_SERVICE) -> Any:
    from apps.downloader.settings import ServiceSettings

    values = table.values(args)
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


def aria2_settings(args: argparse.Namespace) -> Any:
    from apps.downloader.settings import Aria2Settings

    values = ARIA2.values(args)
    return Aria2Settings(
        url=values["aria2_url"],
        secret=values["aria2_secret"] or "",
        timeout=values["aria2_timeout"],
        download_root=values["download_root"],
    )


def transmission_settings(args: argparse.Namespace) -> Any:
    """Transmission's settings; the password file, when named, wins over the variable."""
    from apps.downloader.settings import TransmissionSettings

    values = TRANSMISSION.values(args)
    password = values["transmission_password"] or ""
    if values["transmission_password_file"]:
        password = Path(values["transmission_password_file"]).read_text().rstrip("\r\n")
    return TransmissionSettings(
        url=values["transmission_url"],
        username=values["transmission_username"],
        password=password,
        timeout=values["transmission_timeout"],
        download_root=values["download_root"],
    )
