"""The sandbox ledger over HTTP (for other processes and curl) and its consent pages."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from codat import platforms as codat_platforms
from codat.platforms import MB
from sandbox import services
from sandbox.api.base import ApiError, LedgerRequest, LedgerResponse
from sandbox.gateway import authenticated, handle
from sandbox.models import LedgerCompany, LedgerConnection
from sandbox.platforms import PLATFORMS, platform_for

# Over HTTP a "timeout" or "lost response" fault holds the answer back for longer than clients
# wait (billpay's client waits 10 s), then gives up with a 504.
HTTP_FAULT_DELAY_SECONDS = 12.0
# The largest body the HTTP API reads: the largest attachment any platform accepts, plus room for
# the multipart envelope around it. Anything announcing more is refused before a byte is read.
MAX_REQUEST_BYTES = max(rules.max_attachment_bytes for rules in codat_platforms.PLATFORMS) + MB


@csrf_exempt
def api(request: HttpRequest, path: str) -> HttpResponse:
    """Serve the Bill Pay API under /sandbox/codat/ by handing each request to the ledger."""
    headers = {key.lower(): value for key, value in request.headers.items()}
    refusal = _refuse_before_reading(headers)
    if refusal is not None:
        return _http_response(refusal)
    ledger_request = LedgerRequest(
        method=request.method or "GET",
        path="/" + path,
        query={key: request.GET[key] for key in request.GET},
        headers=headers,
        # Read the stream, not `request.body`: that refuses anything over Django's
        # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), far below the attachment limits the ledger itself
        # enforces (Xero 4 MB, QuickBooks 100 MB). The length was checked above.
        body=request.read(),
    )
    answer = handle(ledger_request)
    if answer.fault is not None:
        time.sleep(getattr(settings, "SANDBOX_HTTP_FAULT_DELAY_SECONDS", HTTP_FAULT_DELAY_SECONDS))
        return HttpResponse(status=504)
    return _http_response(answer)


def _refuse_before_reading(headers: dict[str, str]) -> LedgerResponse | None:
    """An anonymous or oversized request is answered from its headers, its body left unread."""
    if not authenticated(headers):
        return ApiError(401, "Unauthorized").response()
    raw_length = headers.get("content-length", "") or "0"
    if not raw_length.isdigit():
        return ApiError(400, "The Content-Length header must be a whole number.").response()
    if int(raw_length) > MAX_REQUEST_BYTES:
        return ApiError(
            413,
            f"The request body is larger than the {MAX_REQUEST_BYTES // MB} MB this ledger accepts.",
        ).response()
    return None


def _http_response(answer: LedgerResponse) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _connection(company_id: uuid.UUID, connection_id: uuid.UUID) -> LedgerConnection:
    return get_object_or_404(
        LedgerConnection.objects.select_related("company"), pk=connection_id, company_id=company_id
    )


@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, company_id: uuid.UUID, connection_id: uuid.UUID) -> HttpResponse:
    """The platform's consent screen that a connection's linkUrl leads to."""
    connection = _connection(company_id, connection_id)
    params = {key: request.GET[key] for key in request.GET}
    if request.method == "POST":
        granted = request.POST.get("decision") == "allow"
        url = services.connection_consent(connection=connection, granted=granted, params=params)
        return HttpResponseRedirect(url)
    ctx = {
        "connection": connection,
        "platform": platform_for(connection.platform_key),
        "query": request.GET.urlencode(),
    }
    return render(request, "sandbox/consent.html", ctx)


@require_http_methods(["GET", "POST"])
def hosted_link(request: HttpRequest, company_id: uuid.UUID) -> HttpResponse:
    """Codat's Hosted Link for a company: pick a platform, then consent."""
    company = get_object_or_404(LedgerCompany, pk=company_id)
    error = ""
    if request.method == "POST":
        key = request.POST.get("platform", "")
        if key in PLATFORMS:
            connection = LedgerConnection.objects.create(company=company, platform_key=key)
            return HttpResponseRedirect(
                f"{settings.SANDBOX_LINK_BASE_URL}/link-api/companies/{company.id}"
                f"/connections/{connection.id}/start"
            )
        error = "Choose one of the accounting platforms listed."
    # All six Bill Pay platforms, then Codat's other keys for two of them (ndsk, mqjo).
    ctx = {"company": company, "platforms": PLATFORMS.values(), "error": error}
    return render(request, "sandbox/hosted_link.html", ctx)
