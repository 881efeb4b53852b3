"""Transmission's RPC (the classic protocol, 3.00 to 4.1) over an injected async httpx client.

Spoken directly with httpx rather than through transmission-rpc: that library is synchronous
(it would need a thread per call), while the few calls we make fit in this module, share the
service's timeouts and redaction, and run in tests against httpx.MockTransport.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from adapters.redact import redact_url
from dispatch_domain import BackendError

log = logging.getLogger(__name__)

SESSION_HEADER = "X-Transmission-Session-Id"


class TransmissionUnreachable(BackendError):
    """Transmission did not answer (connection refused, timeout) or failed with a server error."""


class TransmissionRefused(BackendError):
    """Transmission refused us: wrong RPC credentials (401) or an address not whitelisted (403)."""


@attrs.frozen
class RpcCredentials:
    """The RPC user for `rpc-authentication-required`, sent as HTTP basic auth."""

    username: str
    password: str = attrs.field(repr=False)


@attrs.frozen
class RpcAnswer:
    """One RPC answer: Transmission's `result` ('success' or why not) and its arguments."""

    result: str
    arguments: Mapping[str, Any]

    @property
    def ok(self) -> bool:
        return self.result == "success"


class TransmissionRpc:
    """POSTs to Transmission's RPC URL, renewing the session id whenever it answers 409."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        credentials: RpcCredentials | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self._http = http
        self._url = url
        # 4.1.0-beta2 never answers a body it cannot parse: without a timeout we would hang.
        self._timeout = httpx.Timeout(timeout)
        self._auth = (
            httpx.BasicAuth(credentials.username, credentials.password) if credentials else None
        )
        self._session_id = ""
        self._handshake = asyncio.Lock()

    @property
    def where(self) -> str:
        return redact_url(self._url)

    async def call(self, method: str, arguments: Mapping[str, Any] | None = None) -> RpcAnswer:
        body = {"method": method, "arguments": dict(arguments or {})}
        if self._session_id:
            response = await self._exchange(body)
        else:
            async with self._handshake:  # concurrent first calls share one 409 handshake
                response = await self._exchange(body)
        return self._answer(method, response)

    async def _exchange(self, body: Mapping[str, Any]) -> httpx.Response:
        response = await self._post(body)
        if response.status_code == 409:
            # The first call, or Transmission restarted: take the id it offers and repeat once.
            self._session_id = response.headers.get(SESSION_HEADER, "")
            response = await self._post(body)
        return response

    async def require(self, method: str, arguments: Mapping[str, Any] | None = None) -> RpcAnswer:
        """`call`, but an answer other than 'success' is an error."""
        answer = await self.call(method, arguments)
        if not answer.ok:
            raise BackendError(
                f"Transmission at {self.where} answered {answer.result!r} to {method}"
            )
        return answer

    async def _post(self, body: Mapping[str, Any]) -> httpx.Response:
        headers = {SESSION_HEADER: self._session_id} if self._session_id else {}
        request = self._http.build_request(
            "POST", self._url, json=body, headers=headers, timeout=self._timeout
        )
        try:
            if self._auth is None:
                return await self._http.send(request)
            return await self._http.send(request, auth=self._auth)
        except httpx.TimeoutException:
            raise TransmissionUnreachable(
                f"Transmission at {self.where} did not answer in time"
            ) from None
        except httpx.HTTPError as error:
            raise TransmissionUnreachable(
                f"Transmission at {self.where} is unreachable ({type(error).__name__})"
            ) from None

    def _answer(self, method: str, response: httpx.Response) -> RpcAnswer:
        status = response.status_code
        if status == 401:
            raise TransmissionRefused(
                f"Transmission at {self.where} refused the RPC username or password"
            )
        if status == 403:
            raise TransmissionRefused(
                f"Transmission at {self.where} refused this address (see its rpc-whitelist)"
            )
        if status >= 500:
            raise TransmissionUnreachable(
                f"Transmission at {self.where} failed: HTTP {status} on {method}"
            )
        if status != 200:
            raise BackendError(f"Transmission at {self.where} answered HTTP {status} to {method}")
        try:
            decoded = response.json()
        except ValueError:
            raise BackendError(
                f"Transmission at {self.where} answered {method} with a body that is not JSON"
            ) from None
        if not isinstance(decoded, dict) or not isinstance(decoded.get("result"), str):
            raise BackendError(f"Transmission at {self.where} sent an unexpected {method} answer")
        arguments = decoded.get("arguments")
        return RpcAnswer(decoded["result"], arguments if isinstance(arguments, dict) else {})
