"""The kernel every operation is written against: the request and response a transport hands over,
Codat's ErrorMessage answers, Decimal-exact JSON, and the route table.

An operation is a function of a `Call` that returns a `LedgerResponse` or raises `ApiError`, and
registers itself with `@route(method, spec path, operationId)`. The gateway (`sandbox.gateway`)
imports every operation module, so the table is complete wherever requests are answered; this
module imports nothing of the sandbox, so the operations never depend on the gateway.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from codat import exact_json


@dataclass(frozen=True, slots=True)
class LedgerRequest:
    """One API call as the ledger sees it, whichever transport brought it.

    `path` is relative to the API base (e.g. "/companies/{id}/connections"), already URL-decoded
    per segment; `query` holds the last value of each parameter; header names are lower-case.
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    body: bytes = b""


@dataclass(slots=True)
class LedgerResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Set by fault injection: "timeout" (nothing was done, no answer) or "lost_response" (the
    # call took effect but its answer never arrives). Transports turn these into read timeouts.
    fault: str | None = None


# --- JSON ---------------------------------------------------------------------------------------


def dumps(value: Any) -> bytes:
    """JSON with every Decimal written as the exact number it holds (never through float)."""
    # ASCII only (non-ASCII characters escaped), as the sandbox has always answered and stored.
    return exact_json.dumps(value, ensure_ascii=True).encode()


def loads(raw: bytes | str) -> Any:
    """Parse JSON with numbers that have a fraction or exponent as Decimal."""
    # Not codat.exact_json.loads: that one refuses NaN and Infinity with the client's CodatError,
    # where the sandbox reads them (as floats) and lets each operation's validation refuse the
    # field it finds one in.
    return json.loads(raw, parse_float=Decimal)


# --- Errors -------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer in Codat's ErrorMessage shape."""

    def __init__(
        self,
        status: int,
        error: str,
        *,
        service: str = "PublicApi",
        validation: list[str] | None = None,
        validator: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.service = service
        self.validation = validation
        self.validator = validator
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        validation = None
        if self.validation is not None:
            validation = {
                "errors": [
                    {"itemId": None, "message": message, "validatorName": self.validator}
                    for message in self.validation
                ],
                "warnings": [],
            }
        return {
            "statusCode": self.status,
            "service": self.service,
            "error": self.error,
            "correlationId": uuid.uuid4().hex,
            "validation": validation,
            "canBeRetried": "Unknown",
            "detailedErrorCode": 0,
        }

    def response(self) -> LedgerResponse:
        headers = {"content-type": "application/json", **self.headers}
        return LedgerResponse(self.status, headers, dumps(self.body()))


def validation_error(messages: list[str], *, validator: str = "Bill") -> ApiError:
    """A 400 carrying validation messages, as Codat answers a write it refuses."""
    return ApiError(
        400, "Error processing request - not valid.", validation=messages, validator=validator
    )


def json_response(status: int, data: Any) -> LedgerResponse:
    return LedgerResponse(status, {"content-type": "application/json"}, dumps(data))


# --- Routing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """A matched call: the request, its path parameters and who made it."""

    request: LedgerRequest
    params: Mapping[str, str]
    client: str

    def json(self) -> Any:
        """The request body as JSON, or a 400 when it is not JSON."""
        try:
            return loads(self.request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Error processing request - not valid.") from None


Operation = Callable[[Call], LedgerResponse]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    operation_id: str
    func: Operation
    idempotent: bool


_routes: list[Route] = []


def route(
    method: str, template: str, operation_id: str, *, idempotent: bool = False
) -> Callable[[Operation], Operation]:
    """Register an operation for `method` and a spec path template like /companies/{companyId}."""
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")

    def register(func: Operation) -> Operation:
        _routes.append(Route(method, pattern, operation_id, func, idempotent))
        return func

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The registered operation for `method` and `path`, and the path's parameters."""
    for candidate in _routes:
        found = candidate.pattern.match(path)
        if found and candidate.method == method:
            return candidate, found.groupdict()
    return None
