"""aria2's JSON-RPC as the adapter speaks it: the secret in every call, one multicall a batch."""

from __future__ import annotations

import json

import httpx
import pytest

from adapters.aria2.rpc import Aria2Refused, Aria2Rpc, Aria2Unreachable, Call, Fault
from dispatch_domain import BackendError

URL = "http://127.0.0.1:6800/jsonrpc"


def rpc_answering(status: int, body: object, seen: list[object] | None = None) -> Aria2Rpc:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(json.loads(request.content))
        return httpx.Response(status, json=body)

    return Aria2Rpc(httpx.AsyncClient(transport=httpx.MockTransport(handle)), URL, "s3cret")


async def test_a_batch_is_one_multicall_with_the_secret_in_each_call() -> None:
    seen: list[object] = []
    rpc = rpc_answering(
        200, {"result": [["2089b05ecca3d829"], {"code": 1, "message": "bad"}]}, seen
    )
    answers = await rpc.batch(
        [Call("aria2.addUri", (["http://a/x"],)), Call("aria2.remove", ("g",))]
    )
    assert answers == ["2089b05ecca3d829", Fault(1, "bad")]
    [body] = seen
    assert body["method"] == "system.multicall"  # type: ignore[index]
    assert body["params"] == [  # type: ignore[index]
        [
            {"methodName": "aria2.addUri", "params": ["token:s3cret", ["http://a/x"]]},
            {"methodName": "aria2.remove", "params": ["token:s3cret", "g"]},
        ]
    ]


async def test_an_empty_batch_sends_nothing() -> None:
    seen: list[object] = []
    assert await rpc_answering(200, {"result": []}, seen).batch([]) == []
    assert seen == []


async def test_a_wrong_secret_is_a_refusal_of_the_whole_batch() -> None:
    rpc = rpc_answering(200, {"result": [{"code": 1, "message": "Unauthorized"}]})
    with pytest.raises(Aria2Refused, match="refused the RPC secret"):
        await rpc.batch([Call("aria2.getVersion")])


async def test_a_refused_single_call_says_what_aria2_said() -> None:
    rpc = rpc_answering(200, {"result": [{"code": 1, "message": "GID 1 is not found"}]})
    with pytest.raises(Aria2Refused, match="GID 1 is not found"):
        await rpc.call("aria2.tellStatus", "1")


async def test_a_server_failure_is_unreachable() -> None:
    with pytest.raises(Aria2Unreachable, match="HTTP 503"):
        await rpc_answering(503, {}).call("aria2.getVersion")


async def test_a_transport_error_is_unreachable_and_names_no_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    rpc = Aria2Rpc(http, "http://user:pw@127.0.0.1:6800/jsonrpc", "s3cret")
    with pytest.raises(Aria2Unreachable) as raised:
        await rpc.call("aria2.getVersion")
    assert "unreachable (ConnectError)" in str(raised.value)
    assert "pw" not in str(raised.value) and "s3cret" not in str(raised.value)


async def test_an_answer_of_the_wrong_shape_is_a_backend_error() -> None:
    with pytest.raises(BackendError, match="unexpected multicall answer"):
        await rpc_answering(200, {"result": "nonsense"}).batch([Call("aria2.getVersion")])
