"""The sandbox ledger's entry point: a plain request -> response handler for the Bill Pay API.

`handle()` is all a transport needs: the in-process `httpx.MockTransport` (the embedded default and
what tests use) and the thin HTTP view under /sandbox/codat both call it. Around every operation it
does what Codat's gateway does, in this order: Basic auth, the daily quota and X-Rate-Limit-*
headers, fault injection, Idempotency-Key replay (`sandbox.idempotency`), then dispatch to the
operation registered for the path (`sandbox.api.*`), with ErrorMessage bodies for every failure.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import random
import re
import time
import uuid
from collections.abc import Mapping
from types import MappingProxyType

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

# The operation modules register their routes with @route as they are imported: importing them
# here is what fills the table `match()` reads.
from sandbox.api import attachments, bills, companies, mapping, suppliers  # noqa: F401
from sandbox.api.base import ApiError, Call, LedgerRequest, LedgerResponse, Route, match
from sandbox.idempotency import run_once
from sandbox.models import Fault, LedgerConnection, RateWindow
from sandbox.routers import SANDBOX_ALIAS

DAILY_QUOTA_PER_COMPANY = 1000


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


# --- Auth ---------------------------------------------------------------------------------------


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


# --- Quota --------------------------------------------------------------------------------------


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


# --- Faults -------------------------------------------------------------------------------------


def _with_faults(request: LedgerRequest, client: str, company_id: str | None) -> LedgerResponse:
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


def _draw_fault(request: LedgerRequest, company_id: str | None) -> tuple[str | None, Fault | None]:
    """Pick the fault, if any, that this call suffers; latency faults just sleep."""
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


# --- Dispatch -----------------------------------------------------------------------------------


def _dispatch(request: LedgerRequest, client: str) -> LedgerResponse:
    matched = match(request.method, request.path)
    if matched is None:
        return ApiError(404, f"No resource found at {request.method} {request.path}").response()
    target, params = matched
    call = Call(request=request, params=MappingProxyType(params), client=client)
    key = request.headers.get("idempotency-key", "")
    if target.idempotent and key:
        return run_once(call, key, lambda: _run(call, target))
    return _run(call, target)


def _run(call: Call, target: Route) -> LedgerResponse:
    try:
        with transaction.atomic(using=SANDBOX_ALIAS):
            return target.func(call)
    except ApiError as error:
        return error.response()
