"""POST /raw-fetcher-results: store everything first, then wait a bounded time for dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import attrs
import cattrs
from litestar import post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import JSONBody

from apps.core.loops import DispatchLoop
from apps.core.settings import CoreSettings
from apps.inputs import (
    INT64_MAX,
    INT64_MIN,
    MAX_DESCRIPTION,
    MAX_ERROR_MESSAGE,
    MAX_SAVE_PATH,
    MAX_SOURCE,
    MAX_TITLE,
    MAX_URL,
    TextProblem,
    check_text,
)
from dispatch_domain.detection import DetectorChain
from dispatch_domain.model import FetchedItem, FetcherReport, ItemProblem
from dispatch_domain.ports import Clock, DownloadRepository, LinkRepository
from dispatch_domain.services.ingest import ingest_fetcher_results

MAX_ITEMS = 50_000


@attrs.frozen
class FetcherPostHead:
    fetcher_source: str
    success: bool = True
    subscription_id: int | None = None
    error_message: str | None = None
    items: list[Any] = attrs.field(factory=list)


@attrs.frozen
class ItemBody:
    download_url: str
    title: str = ""
    description: str | None = None
    pub_date: datetime | None = None
    save_path: str | None = None


@attrs.frozen
class ProblemOut:
    index: int
    reason: str


@attrs.frozen
class FetcherResultOut:
    success: bool
    items_received: int
    links_created: int
    duplicates: int
    invalid: int
    dispatch: dict[str, int]
    dispatch_settled: bool
    problems: list[ProblemOut]


def parse_report(data: Any, converter: NamedDependency[cattrs.Converter]) -> FetcherReport:
    """The post's envelope must be right (else 400); each item is judged on its own."""
    raw_items = data.get("items", [])
    wrong = [] if isinstance(raw_items, list) else ["items must be a list of objects, one per link"]
    try:
        head = converter.structure({**data, "items": []}, FetcherPostHead)
        check_text("fetcher_source", head.fetcher_source, max_len=MAX_SOURCE, one_line=True)
        if head.error_message is not None:
            check_text("error_message", head.error_message, max_len=MAX_ERROR_MESSAGE)
    except (cattrs.BaseValidationError, TypeError, ValueError) as error:
        raise ValidationException(detail="; ".join(_messages(error) + wrong)) from error
    if wrong:
        raise ValidationException(detail=wrong[0])
    head = attrs.evolve(head, items=raw_items)
    if len(head.items) > MAX_ITEMS:
        raise ValidationException(detail=f"at most {MAX_ITEMS} items per post")
    items, malformed = [], []
    for index, raw in enumerate(head.items):
        try:
            body = _item(raw, converter)
        except (cattrs.BaseValidationError, TypeError, ValueError) as error:
            malformed.append(ItemProblem(index, "; ".join(_messages(error))))
            continue
        items.append(FetchedItem(index, body.title, body.download_url, body.description,
                                 body.pub_date, body.save_path))  # fmt: skip
    return FetcherReport(head.fetcher_source, head.success, tuple(items), tuple(malformed),
                         head.subscription_id, head.error_message)  # fmt: skip


def _item(raw: Any, converter: cattrs.Converter) -> ItemBody:
    """One item, or a TextProblem / validation error saying what is wrong with it."""
    if not isinstance(raw, dict):
        raise TextProblem("the item is not a JSON object with a download_url")
    body = converter.structure(raw, ItemBody)
    check_text("download_url", body.download_url, max_len=MAX_URL)
    check_text("title", body.title, max_len=MAX_TITLE)
    if body.description is not None:
        check_text("description", body.description, max_len=MAX_DESCRIPTION)
    if body.save_path is not None:
        check_text("save_path", body.save_path, max_len=MAX_SAVE_PATH, one_line=True)
    return body


def _messages(error: Exception) -> list[str]:
    if isinstance(error, cattrs.BaseValidationError):
        return cattrs.transform_error(error, format_exception=_say)
    return [str(error)]


def _say(error: BaseException, kind: type | None) -> str:
    """Our own hooks' messages as they are ("expected a string, got null"); cattrs' otherwise."""
    if isinstance(error, KeyError):
        return "required field missing"
    if isinstance(error, TypeError | ValueError) and str(error):
        return str(error)
    return cattrs.v.format_exception(error, kind)


def _item_schema() -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["download_url"],
        properties={
            "title": Schema(type=OpenAPIType.STRING, max_length=MAX_TITLE),
            "download_url": Schema(type=OpenAPIType.STRING, max_length=MAX_URL,
                                   description="a magnet or http(s) URL"),
            "description": Schema(type=[OpenAPIType.STRING, OpenAPIType.NULL],
                                  max_length=MAX_DESCRIPTION),
            "pub_date": Schema(type=[OpenAPIType.STRING, OpenAPIType.NULL], format="date-time"),  # type: ignore[arg-type]
            "save_path": Schema(type=[OpenAPIType.STRING, OpenAPIType.NULL],
                                max_length=MAX_SAVE_PATH,
                                description="relative to the download root; no '..'"),
        },
        description="An item that breaks these rules, or holds a NUL character, is reported "
        "in `problems` by its index; the post's other items are stored.",
    )  # fmt: skip


@dataclass
class FetcherPostOperation(Operation):
    """Documents the post's item schema; items are parsed one by one so one bad item is only
    reported, never fatal to the others."""

    def __post_init__(self) -> None:
        body = Schema(
            type=OpenAPIType.OBJECT,
            required=["fetcher_source", "items"],
            properties={
                "fetcher_source": Schema(type=OpenAPIType.STRING, max_length=MAX_SOURCE),
                "success": Schema(type=OpenAPIType.BOOLEAN),
                "subscription_id": Schema(
                    type=[OpenAPIType.INTEGER, OpenAPIType.NULL],
                    minimum=INT64_MIN,
                    maximum=INT64_MAX,
                ),
                "error_message": Schema(
                    type=[OpenAPIType.STRING, OpenAPIType.NULL], max_length=MAX_ERROR_MESSAGE
                ),
                "items": Schema(type=OpenAPIType.ARRAY, items=_item_schema(), max_items=MAX_ITEMS),
            },
        )
        self.request_body = RequestBody(
            content={"application/json": OpenAPIMediaType(schema=body)}, required=True
        )


@post(
    "/raw-fetcher-results", tags=["fetchers"], status_code=200, operation_class=FetcherPostOperation
)
async def receive_fetcher_results(
    data: JSONBody[dict[str, Any]],
    links: NamedDependency[LinkRepository],
    downloads: NamedDependency[DownloadRepository],
    clock: NamedDependency[Clock],
    detectors: NamedDependency[DetectorChain],
    dispatch_loop: NamedDependency[DispatchLoop],
    settings: NamedDependency[CoreSettings],
    converter: NamedDependency[cattrs.Converter],
) -> FetcherResultOut:
    """Store a fetcher's links (committed before any downloader is called), then dispatch
    them and report how it went, waiting at most `dispatch_wait` seconds; the rest finishes in
    the background. The new downloads are claimed as they are stored, so a Core that dies
    before dispatching them leaves them to another Core's sweep once the claim ends."""
    report = parse_report(data, converter)
    result = await ingest_fetcher_results(report, links, clock, detectors, settings.lease)
    settled = True
    if result.claimed:
        settled = await dispatch_loop.dispatch_claimed(result.claimed, settings.dispatch_wait)
    counts = await downloads.count_by_status(result.download_ids)
    return FetcherResultOut(
        success=True,
        items_received=result.items_received,
        links_created=result.links_created,
        duplicates=result.duplicates,
        invalid=result.invalid,
        dispatch={status.value: count for status, count in sorted(counts.items())},
        dispatch_settled=settled,
        problems=[ProblemOut(p.index, p.reason) for p in result.problems],
    )
