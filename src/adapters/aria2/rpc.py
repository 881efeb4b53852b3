"""aria2's JSON-RPC over an injected httpx client: the secret token, timeouts, system.multicall."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from typing import Any

import attrs
import httpx

from adapters.redact import redact_url
from dispatch_domain import BackendError

log = logging.getLogger(__name__)


class Aria2Unreachable(BackendError):
    """aria2 could not be asked: transport error, timeout, or a server failure."""


class Aria2Refused(BackendError):
    """aria2 answered but refused the call as a whole (a wrong secret, most often)."""


@attrs.frozen
class Fault:
    """One call of a multicall that aria2 refused, with aria2's own words."""

    code: int
    message: str


@attrs.frozen
class Call:
    """One method call for a multicall; the secret is added when it is sent."""

    method: str
    params: tuple[Any, ...] = ()


Answer = Any  # a call's result, or a Fault

# What aria2 answers, per call, when the secret token is wrong.
UNAUTHORIZED = "Unauthorized"


class Aria2Rpc:
    """The calls aria2 offers at its `/jsonrpc` endpoint; one HTTP request per `call`/`batch`."""

    def __init__(self, http: httpx.AsyncClient, url: str, secret: str, *, timeout: float = 10.0):
        self._http = http
        self._url = url
        self._token = f"token:{secret}"
        self._timeout = httpx.Timeout(timeout)
        self._ids = itertools.count(1)

    @property
    def where(self) -> str:
        """The RPC address, fit for logs and error messages."""
        return redact_url(self._url)

    async def call(self, method: str, *params: Any) -> Any:
        """One call; a refusal raises Aria2Refused with aria2's message."""
        [answer] = await self.batch([Call(method, params)])
        if isinstance(answer, Fault):
            raise Aria2Refused(f"aria2 at {self.where} refused {method}: {answer.message}")
        return answer

    async def batch(self, calls: Sequence[Call]) -> list[Answer]:
        """Every call in one `system.multicall` request; each answer is a result or a Fault."""
        if not calls:
            return []
        methods = [{"methodName": c.method, "params": [self._token, *c.params]} for c in calls]
        result = await self._post("system.multicall", [methods])
        if not isinstance(result, list) or len(result) != len(calls):
            raise BackendError(f"aria2 at {self.where} sent an unexpected multicall answer")
        answers = [_answer(item) for item in result]
        if any(isinstance(a, Fault) and a.message == UNAUTHORIZED for a in answers):
            raise Aria2Refused(f"aria2 at {self.where} refused the RPC secret")
        return answers

    async def _post(self, method: str, params: list[Any]) -> Any:
        body = {"jsonrpc": "2.0", "id": str(next(self._ids)), "method": method, "params": params}
        try:
            response = await self._http.post(self._url, json=body, timeout=self._timeout)
        except httpx.TimeoutException:
            raise Aria2Unreachable(f"aria2 at {self.where} did not answer in time") from None
        except httpx.HTTPError as error:
            reason = type(error).__name__
            raise Aria2Unreachable(f"aria2 at {self.where} is unreachable ({reason})") from None
        if response.status_code >= 500:
            raise Aria2Unreachable(
                f"aria2 at {self.where} failed: HTTP {response.status_code} on {method}"
            )
        try:
            payload = response.json()
        except ValueError:
            raise BackendError(
                f"aria2 at {self.where} answered HTTP {response.status_code} without JSON"
            ) from None
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            if _message(payload) == UNAUTHORIZED:
                raise Aria2Refused(f"aria2 at {self.where} refused the RPC secret")
            raise Aria2Refused(f"aria2 at {self.where} refused {method}: {_message(payload)}")
        if not isinstance(payload, dict) or "result" not in payload:
            raise BackendError(f"aria2 at {self.where} sent an answer without a result")
        return payload["result"]


def _answer(item: Any) -> Answer:
    """A multicall item: `[result]` on success, `{"code", "message"}` on a refusal."""
    if isinstance(item, list) and len(item) == 1:
        return item[0]
    if isinstance(item, dict):
        return Fault(int(item.get("code") or 0), str(item.get("message") or "no reason given"))
    return Fault(0, "aria2 sent an unexpected answer for this call")


def _message(payload: dict[str, Any]) -> str:
    return str(payload["error"].get("message") or "no reason given")
