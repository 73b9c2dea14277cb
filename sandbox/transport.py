"""The in-process transport: the sandbox ledger behind `httpx.MockTransport`, no sockets."""

from __future__ import annotations

from urllib.parse import unquote

import httpx

from sandbox.api.base import LedgerRequest, LedgerResponse
from sandbox.gateway import handle


def ledger_request(request: httpx.Request, *, prefix: str = "") -> LedgerRequest:
    raw_path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
    if prefix and raw_path.startswith(prefix):
        raw_path = raw_path[len(prefix) :]
    path = "/".join(unquote(segment) for segment in raw_path.split("/"))
    return LedgerRequest(
        method=request.method,
        path=path or "/",
        # The last value of a repeated parameter, as LedgerRequest promises and Django's QueryDict
        # gives the HTTP view (`params.items()` would keep the first).
        query=dict(request.url.params.multi_items()),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.read(),
    )


def _httpx_response(request: httpx.Request, response: LedgerResponse) -> httpx.Response:
    if response.fault is not None:
        # "timeout": nothing happened; "lost_response": it happened, the answer was lost. Either
        # way the caller sees what a real network shows it: no answer in time.
        raise httpx.ReadTimeout(f"sandbox fault injected: {response.fault}", request=request)
    return httpx.Response(
        response.status, headers=response.headers, content=response.body, request=request
    )


def sandbox_transport(*, prefix: str = "") -> httpx.MockTransport:
    """An httpx transport that answers every request from the sandbox ledger in this process."""

    def handler(request: httpx.Request) -> httpx.Response:
        return _httpx_response(request, handle(ledger_request(request, prefix=prefix)))

    return httpx.MockTransport(handler)
