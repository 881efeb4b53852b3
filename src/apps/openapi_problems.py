"""The OpenAPI document says what every route may answer besides success: problem+json."""

from __future__ import annotations

import copy

from litestar import Litestar
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
    SecurityScheme,
)

PROBLEM_JSON = "application/problem+json"
PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["status", "title"],
    properties={
        "status": Schema(type=OpenAPIType.INTEGER),
        "title": Schema(type=OpenAPIType.STRING),
        "detail": Schema(type=OpenAPIType.STRING),
    },
    description="RFC 9457 problem details",
)

EVERY_ROUTE = {
    400: "The request is malformed: a parameter or the body is out of range or unreadable",
    422: "The request is well formed but asks for something the rules do not allow",
}
WITH_PATH_ID = {404: "Nothing has that id"}
WITH_BODY = {
    409: "The request conflicts with the current state",
    413: "The body is too large",
    415: "The body is not JSON",
}
GUARDED = {401: "The route needs 'Authorization: Bearer <token>'"}
METHODS = ("get", "put", "post", "patch", "delete")


def document_problems(
    app: Litestar, *, bearer: bool, public: frozenset[str], extra: dict[int, str]
) -> None:
    """Add the problem+json answers to every operation of `app`'s OpenAPI document; with
    `bearer`, declare the token scheme and require it everywhere but the `public` paths.
    `extra` lists answers every route of this app may give (a 503 when the database is away)."""
    openapi = app.openapi_schema
    if bearer:
        # A copy: the config's components object is shared by every app made from it.
        components = copy.copy(openapi.components) if openapi.components else Components()
        components.security_schemes = {
            "bearer": SecurityScheme(type="http", scheme="bearer", description="the API token")
        }
        openapi.components = components
        openapi.security = [{"bearer": []}]
    for path, item in (openapi.paths or {}).items():
        for method in METHODS:
            operation: Operation | None = getattr(item, method)
            if operation is None:
                continue
            answers = {**EVERY_ROUTE, **extra}
            if "{" in path:
                answers |= WITH_PATH_ID
            if method != "get":
                answers |= WITH_BODY
            if path in public:
                operation.security = []
            elif bearer:
                answers |= GUARDED
            _add(operation, answers)


def _add(operation: Operation, answers: dict[int, str]) -> None:
    responses = operation.responses or {}
    for code, description in answers.items():
        existing = responses.get(str(code))
        if existing is not None and code >= 500 and PROBLEM_JSON not in _types(existing):
            continue  # a route's own 5xx answer (a health report) stays as it is
        responses[str(code)] = OpenAPIResponse(
            description=description,
            content={PROBLEM_JSON: OpenAPIMediaType(schema=PROBLEM)},
        )
    operation.responses = responses


def _types(response: object) -> set[str]:
    content = getattr(response, "content", None) or {}
    return set(content)
