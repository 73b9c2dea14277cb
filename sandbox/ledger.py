"""The sandbox ledger's entry point: a plain request -> response handler for the Bill Pay API.

`handle()` is all a transport needs: the in-process `httpx.MockTransport` (the embedded default and
what tests use) and the thin HTTP view under /sandbox/codat both call it. Around every operation it
does what Codat's gateway does: Basic auth, the daily quota and X-Rate-Limit-* headers, fault
injection, Idempotency-Key replay, and ErrorMessage bodies for every failure.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from sandbox.routers import SANDBOX_ALIAS

logger = logging.getLogger(__name__)

IDEMPOTENCY_TTL = dt.timedelta(minutes=90)
# An in-flight key whose request died with its process is given up after this long.
IDEMPOTENCY_STALE_AFTER = dt.timedelta(minutes=5)
DAILY_QUOTA_PER_COMPANY = 1000


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

_DECIMAL_MARK = "\x1edecimal:"
_DECIMAL_RE = re.compile(r'"\\u001edecimal:(-?[0-9.]+)"')


def _mark_decimals(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return f"{_DECIMAL_MARK}{value:f}"
    if isinstance(value, dict):
        return {k: _mark_decimals(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark_decimals(v) for v in value]
    if isinstance(value, float):
        raise TypeError("the ledger never handles money as float")
    return value


def dumps(value: Any) -> bytes:
    """JSON with every Decimal written as the exact number it holds (never through float)."""
    text = json.dumps(_mark_decimals(value), separators=(",", ":"), ensure_ascii=True)
    return _DECIMAL_RE.sub(r"\1", text).encode()


def loads(raw: bytes | str) -> Any:
    """Parse JSON with numbers that have a fraction or exponent as Decimal."""
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


def route(method: str, template: str, operation_id: str, *, idempotent: bool = False):  # type: ignore[no-untyped-def]
    """Register an operation for `method` and a spec path template like /companies/{companyId}."""
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")

    def register(func: Operation) -> Operation:
        _routes.append(Route(method, pattern, operation_id, func, idempotent))
        return func

    return register


def _match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    _load_operations()
    for candidate in _routes:
        found = candidate.pattern.match(path)
        if found and candidate.method == method:
            return candidate, found.groupdict()
    return None


def _load_operations() -> None:
    # Operations register themselves on import; importing here keeps ledger.py free of cycles.
    from sandbox.api import attachments, bills, companies, mapping, suppliers  # noqa: F401


# --- The handler --------------------------------------------------------------------------------


def handle(request: LedgerRequest) -> LedgerResponse:
    """Answer one Bill Pay API call as Codat would."""
    client = _authenticate(request)
    if client is None:
        response = ApiError(401, "Unauthorized").response()
    else:
        response = _handle_authenticated(request, client)
    validator = getattr(settings, "SANDBOX_RESPONSE_VALIDATOR", None)
    if validator:
        import_string(validator)(request, response)
    return response


def api_key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()[:32]


def authenticated(headers: Mapping[str, str]) -> bool:
    """Whether the request's lower-cased headers carry the sandbox's API key, as Codat's Basic auth."""
    expected = "Basic " + base64.b64encode(settings.SANDBOX_API_KEY.encode()).decode()
    given = headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), expected.encode())


def _authenticate(request: LedgerRequest) -> str | None:
    if not authenticated(request.headers):
        return None
    return api_key_digest(settings.SANDBOX_API_KEY)


def _handle_authenticated(request: LedgerRequest, client: str) -> LedgerResponse:
    company_id = _company_in_path(request.path)
    quota_headers, over_quota = _count_request()
    if over_quota:
        response = ApiError(
            429,
            "You have made too many requests in a given amount of time; please retry later.",
            headers={"retry-after": quota_headers["x-rate-limit-reset-seconds"]},
        ).response()
    else:
        response = _with_faults(request, client, company_id)
    quota_headers.pop("x-rate-limit-reset-seconds")
    response.headers.update(quota_headers)
    return response


def _company_in_path(path: str) -> str | None:
    found = re.match(r"^/companies/([^/]+)", path)
    return found.group(1) if found else None


def _count_request() -> tuple[dict[str, str], bool]:
    from sandbox.models import LedgerConnection, RateWindow

    now = timezone.now()
    today = now.astimezone(dt.UTC).date()
    with transaction.atomic(using=SANDBOX_ALIAS):
        # The day's row exists after its first request: usually one UPDATE, not a get_or_create too.
        if not RateWindow.objects.filter(day=today).update(count=F("count") + 1):
            RateWindow.objects.get_or_create(day=today)
            RateWindow.objects.filter(day=today).update(count=F("count") + 1)
        count = RateWindow.objects.get(day=today).count
        linked = (
            LedgerConnection.objects.filter(status=LedgerConnection.Status.LINKED)
            .values("company_id")
            .distinct()
            .count()
        )
    limit = DAILY_QUOTA_PER_COMPANY * (1 + linked)
    reset = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    headers = {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(max(limit - count, 0)),
        "x-rate-limit-reset": reset.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-rate-limit-reset-seconds": str(max(int((reset - now).total_seconds()), 1)),
    }
    return headers, count > limit


def _with_faults(request: LedgerRequest, client: str, company_id: str | None) -> LedgerResponse:
    from sandbox.models import Fault

    kind, fault = _draw_fault(request, company_id)
    if kind == Fault.Kind.RATE_LIMIT:
        assert fault is not None
        seconds = str(fault.retry_after_seconds)
        return ApiError(
            429,
            "You have made too many requests in a given amount of time; please retry later.",
            headers={"retry-after": seconds},
        ).response()
    if kind == Fault.Kind.SERVER_ERROR:
        return ApiError(500, "An internal server error occurred.").response()
    if kind == Fault.Kind.UNAVAILABLE:
        return ApiError(503, "The service is down for maintenance; please retry later.").response()
    if kind == Fault.Kind.TIMEOUT:
        return LedgerResponse(504, fault="timeout")
    response = _dispatch(request, client)
    if kind == Fault.Kind.LOST_RESPONSE:
        response.fault = "lost_response"
    return response


def _draw_fault(request: LedgerRequest, company_id: str | None) -> tuple[str | None, Any]:
    """Pick the fault, if any, that this call suffers; latency faults just sleep."""
    from sandbox.models import Fault

    scope = Q(company__isnull=True)
    if company_id and _is_uuid(company_id):
        scope |= Q(company_id=company_id)
    faults = Fault.objects.filter(scope, active=True).filter(
        Q(method="") | Q(method=request.method)
    )
    for fault in faults:
        if fault.path_contains and fault.path_contains not in request.path:
            continue
        # A fault's dice roll, not security.
        if fault.probability < 1 and random.random() >= float(fault.probability):  # nosec B311
            continue
        if fault.remaining is not None:
            # Compare-and-set, so that N concurrent calls fire a "fail twice" fault twice.
            with transaction.atomic(using=SANDBOX_ALIAS):
                fired = Fault.objects.filter(pk=fault.pk, remaining__gt=0).update(
                    remaining=F("remaining") - 1
                )
            if not fired:
                continue
        if fault.kind == Fault.Kind.LATENCY:
            time.sleep(fault.latency_ms / 1000)
            continue
        return fault.kind, fault
    return None, None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _dispatch(request: LedgerRequest, client: str) -> LedgerResponse:
    matched = _match(request.method, request.path)
    if matched is None:
        return ApiError(404, f"No resource found at {request.method} {request.path}").response()
    target, params = matched
    call = Call(request=request, params=MappingProxyType(params), client=client)
    key = request.headers.get("idempotency-key", "")
    if target.idempotent and key:
        return _idempotent(call, target, key)
    return _run(call, target)


def _run(call: Call, target: Route) -> LedgerResponse:
    try:
        with transaction.atomic(using=SANDBOX_ALIAS):
            return target.func(call)
    except ApiError as error:
        return error.response()


def _fingerprint(request: LedgerRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _idempotent(call: Call, target: Route, key: str) -> LedgerResponse:
    """Run a write once per Idempotency-Key, replaying its first answer (Codat's rules:
    same key + other body -> 422, same key while in flight -> 409, a 429 is never kept)."""
    from sandbox.models import IdempotencyRecord

    fingerprint = _fingerprint(call.request)
    now = timezone.now()
    try:
        with transaction.atomic(using=SANDBOX_ALIAS):
            record = IdempotencyRecord.objects.create(
                key=key, client=call.client, fingerprint=fingerprint, created=now
            )
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(client=call.client, key=key).first()
        if existing is None:
            # Released between our insert and this read (its request failed, or the purge ran):
            # the key is free again.
            return _idempotent(call, target, key)
        expired = existing.created < now - IDEMPOTENCY_TTL
        abandoned = (
            existing.state == IdempotencyRecord.State.IN_FLIGHT
            and existing.created < now - IDEMPOTENCY_STALE_AFTER
        )
        if not (expired or abandoned):
            return _replay(existing, fingerprint)
        # Take the stale key over, unless another request just did (compare-and-set).
        taken = IdempotencyRecord.objects.filter(pk=existing.pk, created=existing.created).update(
            state=IdempotencyRecord.State.IN_FLIGHT, fingerprint=fingerprint, created=now
        )
        if not taken:
            return _replay(IdempotencyRecord.objects.get(pk=existing.pk), fingerprint)
        record = IdempotencyRecord.objects.get(pk=existing.pk)

    try:
        response = _run(call, target)
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    if response.status == 429:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
    else:
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            state=IdempotencyRecord.State.DONE,
            status=response.status,
            headers=response.headers,
            body=response.body,
        )
    return response


def _replay(record: Any, fingerprint: str) -> LedgerResponse:
    from sandbox.models import IdempotencyRecord

    if record.fingerprint != fingerprint:
        return ApiError(
            422,
            "The Idempotency-Key was already used for a request with a different body.",
        ).response()
    if record.state == IdempotencyRecord.State.IN_FLIGHT:
        return ApiError(
            409, "A request with this Idempotency-Key is still being processed."
        ).response()
    headers = dict(record.headers)
    headers["idempotent-replayed"] = "true"
    return LedgerResponse(record.status, headers, bytes(record.body))


def purge_idempotency_records(*, now: dt.datetime | None = None) -> int:
    """Forget responses older than Codat's 90-minute replay window; return how many."""
    from sandbox.models import IdempotencyRecord

    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created__lt=cutoff).delete()
    return deleted
