"""Every setting defined once: option, environment variable, default and help, for argparse,
the environment and the documentation tables alike."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

# Default ports clear of those download clients and their neighbours use (qBittorrent 8080,
# Transmission 9091, aria2 6800, Deluge 8112, Sonarr 8989, Radarr 7878, Prowlarr 9696,
# Jackett 9117, and the usual 8000/8081/8090/9000/9090): Core 7340, and each downloader
# service its own port next to it so all of them run on one machine unconfigured.
CORE_PORT = 7340
DOWNLOADER_PORTS = {"qbittorrent": 7341, "transmission": 7342, "aria2": 7343}

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def flag_value(text: str) -> bool:
    """'yes', 'on', 'true', '1' → True; 'no', 'off', 'false', '0' → False."""
    word = text.strip().lower()
    if word in TRUE | FALSE:
        return word in TRUE
    raise ValueError(f"not a yes/no value: {text!r}")


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot take."""


@attrs.frozen
class Setting:
    """One setting: `name` is its field in the app's settings and its argparse destination."""

    name: str
    env: str
    default: Any  # the typed default; None: unset (`shown` then says what unset means)
    help: str
    flag: str | None = None  # None: environment only (tokens: a command line is public)
    kind: Callable[[str], Any] = str
    shown: str | None = None  # the default as the docs say it, when `default` does not
    aliases: tuple[str, ...] = ()  # older spellings of the flag, still accepted
    choices: tuple[str, ...] | None = None

    @property
    def default_text(self) -> str:
        if self.shown is not None:
            return self.shown
        if self.default is None:
            return "none"
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        if isinstance(self.default, float) and self.default.is_integer():
            return str(int(self.default))
        return str(self.default)

    def parse(self, text: str) -> Any:
        """`text` as this setting's type; argparse reports the ValueError like a bad flag."""
        value = self.kind(text.strip())
        if self.choices is not None and value not in self.choices:
            raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(self.choices)}")
        return value

    def from_env(self, env: Mapping[str, str]) -> Any:
        """The environment's value, typed; the default when the variable is unset or blank."""
        raw = env.get(self.env, "").strip()
        if not raw:
            return self.default
        try:
            return self.parse(raw)
        except (ValueError, argparse.ArgumentTypeError) as error:
            raise SettingError(f"{self.env}={raw!r}: {error}") from None


@attrs.frozen
class SettingsTable:
    """An app's (or a backend's) settings, in the order the docs list them."""

    title: str
    settings: tuple[Setting, ...]

    def __add__(self, other: SettingsTable) -> SettingsTable:
        return SettingsTable(self.title, self.settings + other.settings)

    def __getitem__(self, name: str) -> Setting:
        for setting in self.settings:
            if setting.name == name:
                return setting
        raise KeyError(name)

    def default(self, name: str) -> Any:
        return self[name].default

    def add_options(
        self, parser: argparse.ArgumentParser, env: Mapping[str, str] = os.environ
    ) -> None:
        """One option per flagged setting; the flag wins over the environment. A variable's
        text is the option's default, so argparse reports a bad one like a bad flag."""
        for s in self.settings:
            if s.flag is None:
                continue
            names = (s.flag, *s.aliases)
            help_text = f"{s.help} [{s.env}] (default {s.default_text})".replace("`", "")
            if s.kind is flag_value:  # --x / --no-x; the environment is read in values()
                action = argparse.BooleanOptionalAction
                parser.add_argument(*names, dest=s.name, default=None, help=help_text,
                                    action=action)  # fmt: skip
                continue
            raw = env.get(s.env, "").strip()
            kind = _named(s.parse, s.kind)
            parser.add_argument(*names, dest=s.name, default=raw or s.default, help=help_text,
                                type=kind, metavar=_metavar(s))  # fmt: skip

    def values(
        self, args: argparse.Namespace | None = None, env: Mapping[str, str] = os.environ
    ) -> dict[str, Any]:
        """Each setting's value: the command line's, else the environment's, else the default."""
        given = vars(args) if args is not None else {}
        return {
            s.name: given[s.name] if given.get(s.name) is not None else s.from_env(env)
            for s in self.settings
        }

    def markdown(self) -> str:
        """The documentation table, generated so the docs cannot drift from the code."""
        lines = ["| option | environment | default | meaning |", "| --- | --- | --- | --- |"]
        for s in self.settings:
            option = ", ".join(f"`{name}`" for name in (s.flag, *s.aliases) if name) or "—"
            plain = s.shown is None and s.default is not None
            default = f"`{s.default_text}`" if plain else s.default_text
            lines.append(f"| {option} | `{s.env}` | {default} | {s.help} |")
        return "\n".join(lines)


LOGGING = SettingsTable(
    "logging",
    (
        Setting("log_level", "LOG_LEVEL", "INFO", "logging level: DEBUG, INFO, WARNING, ERROR",
                flag="--log-level", kind=str.upper,
                choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
        Setting("log_format", "LOG_FORMAT", "text",
                "log line format, for this app and its HTTP server alike: text or json",
                flag="--log-format", kind=str.lower, choices=("text", "json")),
    ),
)  # fmt: skip

METRICS = SettingsTable(
    "metrics",
    (
        Setting("metrics_loopback_open", "METRICS_LOOPBACK_OPEN", False,
                "serve `/metrics` without the token to scrapers on loopback",
                flag="--metrics-loopback-open", kind=flag_value),
    ),
)  # fmt: skip


def _named(parse: Callable[[str], Any], kind: Callable[[str], Any]) -> Callable[[str], Any]:
    """`parse` under its type's name, which argparse quotes in its error message."""

    def typed(text: str) -> Any:
        return parse(text)

    typed.__name__ = getattr(kind, "__name__", "value")
    return typed


def _metavar(setting: Setting) -> str:
    if setting.choices is not None:
        return "{" + ",".join(c.lower() for c in setting.choices) + "}"
    return setting.name.upper()


def sections(tables: Iterable[SettingsTable]) -> str:
    """Several tables as one document section each, for `python -m apps.settings_docs`."""
    return "\n\n".join(f"### {table.title}\n\n{table.markdown()}" for table in tables)
