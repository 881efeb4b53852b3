"""The `bangumi-dispatch` command: each app adds its own subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from apps.core.cli import add_commands as add_core_commands
    from apps.downloader.cli import add_commands as add_downloader_commands
    from apps.subscribe_cli import add_commands as add_subscription_commands

    parser = argparse.ArgumentParser(
        prog="bangumi-dispatch",
        description="Dispatch download links to downloader services and follow them to the end.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_core_commands(commands)
    add_downloader_commands(commands)
    add_subscription_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from apps.settings_table import SettingError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except SettingError as error:  # an environment variable only argparse did not check
        print(f"bangumi-dispatch: {error}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
