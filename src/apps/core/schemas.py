"""Core's JSON shapes (product brief §3) and their conversion to and from domain values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs
from litestar.exceptions import ValidationException

from apps.inputs import (
    INT64_MAX,
    INT64_MIN,
    MAX_ENDPOINT,
    MAX_HOST,
    Id,
    TextProblem,
    check_text,
    is_host,
)
from dispatch_domain.errors import InvalidInput
from dispatch_domain.health import Health
from dispatch_domain.model import Capabilities, Registration, ServiceModule, ServicePatch
from dispatch_domain.vocabulary import DownloadStatus, DownloadType, ServiceType

MAX_NAME = 100


@attrs.frozen
class CapabilitiesBody:
    supported_download_types: list[DownloadType] = attrs.field(factory=list)
    fetch_endpoint: str | None = None
    download_endpoint: str | None = None
    sync_endpoint: str | None = None


@attrs.frozen
class RegisterBody:
    service_type: ServiceType
    service_name: str
    host: str
    port: int
    capabilities: CapabilitiesBody = attrs.field(factory=CapabilitiesBody)
    priority: int | None = None

    def to_domain(self) -> Registration:
        name, host = self.service_name.strip(), self.host.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(f"service_name must be 1 to {MAX_NAME} characters")
        if not host:
            raise InvalidInput("host must not be empty")
        _check_names(name, host, self.capabilities)
        if not 1 <= self.port <= 65535:
            raise InvalidInput("port must be between 1 and 65535")
        _check_priority(self.priority)
        caps = self.capabilities
        capabilities = Capabilities(
            frozenset(caps.supported_download_types),
            caps.fetch_endpoint,
            caps.download_endpoint,
            caps.sync_endpoint,
        )
        return Registration(self.service_type, name, host, self.port, capabilities, self.priority)


def _check_names(name: str, host: str, caps: CapabilitiesBody) -> None:
    """Names end up in log lines and URLs: one line each, and the host a real host."""
    try:
        check_text("service_name", name, max_len=MAX_NAME, one_line=True)
        check_text("host", host, max_len=MAX_HOST, one_line=True)
        for field in ("fetch_endpoint", "download_endpoint", "sync_endpoint"):
            endpoint = getattr(caps, field)
            if endpoint is not None:
                check_text(field, endpoint, max_len=MAX_ENDPOINT, one_line=True)
    except TextProblem as problem:
        raise ValidationException(detail=str(problem)) from None
    if not is_host(host):
        raise ValidationException(detail=f"host must be a hostname or an IP address: {host!r}")


def _check_priority(priority: int | None) -> None:
    if priority is not None and not 0 <= priority <= 1000:
        raise InvalidInput("priority must be between 0 and 1000")


@attrs.frozen
class ServicePatchBody:
    priority: int | None = None
    is_enabled: bool | None = None

    def to_domain(self) -> ServicePatch:
        _check_priority(self.priority)
        if self.priority is None and self.is_enabled is None:
            raise InvalidInput("give priority, is_enabled or both")
        return ServicePatch(self.priority, self.is_enabled)


@attrs.frozen
class HealthOut:
    failures: int
    backoff_until: datetime | None
    last_seen: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, health: Health) -> HealthOut:
        return cls(health.failures, health.backoff_until, health.last_seen, health.last_error)


@attrs.frozen
class ServiceOut:
    service_id: int
    module_id: int
    service_type: ServiceType
    service_name: str
    host: str
    port: int
    priority: int
    is_enabled: bool
    capabilities: CapabilitiesBody
    health: HealthOut
    registered_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, module: ServiceModule) -> ServiceOut:
        caps = module.capabilities
        return cls(
            service_id=module.module_id,
            module_id=module.module_id,
            service_type=module.service_type,
            service_name=module.service_name,
            host=module.host,
            port=module.port,
            priority=module.priority,
            is_enabled=module.is_enabled,
            capabilities=CapabilitiesBody(
                sorted(caps.supported_download_types),
                caps.fetch_endpoint,
                caps.download_endpoint,
                caps.sync_endpoint,
            ),
            health=HealthOut.of(module.health),
            registered_at=module.registered_at,
            updated_at=module.updated_at,
        )


@attrs.frozen
class RegisteredOut(ServiceOut):
    created: bool = False
    previous_address: str | None = None
    released: int = 0


@attrs.frozen
class CancelBody:
    download_ids: list[Id]


@attrs.frozen
class RetryBody:
    download_ids: list[Id] | None = None
    status: DownloadStatus | None = None


def make_converter() -> cattrs.Converter:
    """Core's edge converter: strict scalars (no "5" for 5, no "false" for True), ISO datetimes."""
    converter = cattrs.Converter(forbid_extra_keys=False)
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _strict(kind))
    converter.register_structure_hook(float, _number)
    converter.register_structure_hook(datetime, lambda value, _: _parse_datetime(value))
    converter.register_unstructure_hook(datetime, lambda value: value.isoformat())
    return converter


def _strict(kind: type) -> Any:
    def structure(value: Any, _: type) -> Any:
        if type(value) is not kind:  # bool is an int subclass; neither may stand for the other
            raise TypeError(f"expected {_NAMES[kind]}, got {_NAMES.get(type(value), 'JSON')}")
        if kind is int and not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("expected a 64-bit integer, got a larger one")
        return value

    return structure


_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    float: "a number",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _number(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 date-time string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed
    # In UTC: Postgres takes offsets only up to 15:59, ISO 8601 allows any below 24 hours.
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"date-time out of range: {value}") from None
