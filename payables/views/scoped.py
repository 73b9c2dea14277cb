"""What every payables view fetches for the request: the active company, and its objects by id.

Another company's object is as unknown as a missing one: both are a 404.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Company
from accounts.services import active_company
from billpay.http import AuthenticatedRequest
from payables.models import Attachment, Bill, ImportRun, Payment, Supplier

# The largest primary key a database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(raw: str | None) -> int | None:
    """A row id from a query string or form, or None for anything else: other digits than ASCII
    ("²"), signs, spaces, or a number no database id can be (SQLite overflows on it)."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def company_or_404(request: AuthenticatedRequest) -> Company:
    company = active_company(request)
    if company is None:
        raise Http404("No company")
    return company


def bill_or_404(request: AuthenticatedRequest, bill_id: int) -> Bill:
    return get_object_or_404(
        Bill.objects.for_company(company_or_404(request)).select_related("supplier", "company"),
        pk=bill_id,
    )


def supplier_or_404(request: AuthenticatedRequest, supplier_id: int) -> Supplier:
    return get_object_or_404(
        Supplier.objects.for_company(company_or_404(request)).select_related("company"),
        pk=supplier_id,
    )


def payment_or_404(request: AuthenticatedRequest, payment_id: int) -> Payment:
    return get_object_or_404(
        Payment.objects.for_company(company_or_404(request)).select_related(
            "bill", "bank_account", "created_by"
        ),
        pk=payment_id,
    )


def attachment_or_404(request: AuthenticatedRequest, attachment_id: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.select_related("bill", "company"),
        pk=attachment_id,
        company=company_or_404(request),
    )


def run_or_404(request: AuthenticatedRequest, run_id: int) -> ImportRun:
    """An import or refresh of the active company."""
    return get_object_or_404(
        ImportRun.objects.select_related("connection"), pk=run_id, company=company_or_404(request)
    )
