"""Suppliers: the list with search and filters, a supplier's page, create, edit, refresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import requires
from accounts.models import AuditLogEntry, Company
from accounts.permissions import can_edit_suppliers, can_refresh, can_view
from billpay.http import AuthenticatedRequest, htmx_redirect
from payables.errors import PayablesError
from payables.forms import SupplierFilterForm, SupplierForm, add_errors
from payables.models import Bill, Supplier
from payables.platform_checks import company_rules
from payables.services.suppliers import supplier_create, supplier_refresh, supplier_update
from payables.views.scoped import company_or_404, supplier_or_404

PAGE_SIZE = 50
RECENT_DAYS = 30
UNPAID = Q(bills__status__in=Bill.UNPAID)


def _suppliers(company: Company, form: SupplierFilterForm, now: dt.datetime) -> QuerySet[Supplier]:
    """The company's suppliers matching the filters, each with its unpaid bills' count and
    balance from one grouped query (the currency shown when all its unpaid bills share one)."""
    rows = Supplier.objects.for_company(company)
    data = form.cleaned_data if form.is_valid() else {}
    if q := data.get("q"):
        rows = rows.filter(
            Q(name__icontains=q) | Q(contact_name__icontains=q) | Q(email_address__icontains=q)
        )
    if data.get("unpaid"):
        # The API has no such filter (codat-api.md §3): derived from the local unpaid bills.
        rows = rows.filter(
            Exists(
                Bill.objects.for_company(company).filter(
                    supplier=OuterRef("pk"), status__in=Bill.UNPAID
                )
            )
        )
    if data.get("recent"):
        rows = rows.filter(source_modified_at__gte=now - dt.timedelta(days=RECENT_DAYS))
    return rows.annotate(
        unpaid_count=Count("bills", filter=UNPAID),
        open_balance=Sum("bills__amount_due", filter=UNPAID),
        balance_currency=Max("bills__currency", filter=UNPAID),
        currencies=Count("bills__currency", filter=UNPAID, distinct=True),
    ).order_by("name", "id")


def _attach_balances(company: Company, suppliers: list[Any]) -> None:  # annotated Suppliers
    """Each supplier's open balance per currency, as `(currency, amount)` pairs in
    `supplier.balances`: one pair from the grouped query when its unpaid bills share a currency,
    else one query more for this page's suppliers with several (a USD and a EUR bill are two
    balances, never one sum)."""
    mixed = [s.pk for s in suppliers if s.currencies > 1]
    split: dict[int, list[tuple[str, Any]]] = {}
    if mixed:
        rows = (
            Bill.objects.for_company(company)
            .filter(supplier_id__in=mixed, status__in=Bill.UNPAID)
            .values_list("supplier_id", "currency")
            .annotate(amount=Sum("amount_due"))
            .order_by("supplier_id", "currency")
        )
        for supplier_id, currency, amount in rows:
            split.setdefault(supplier_id, []).append((currency, amount))
    for s in suppliers:
        if s.currencies > 1:
            s.balances = split.get(s.pk, [])
        elif s.unpaid_count:
            s.balances = [(s.balance_currency, s.open_balance)]
        else:
            s.balances = []


@login_required
@require_GET
@requires(can_view)
def supplier_list(request: AuthenticatedRequest) -> HttpResponse:
    company = company_or_404(request)
    form = SupplierFilterForm(request.GET)
    paginator = Paginator(_suppliers(company, form, timezone.now()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    _attach_balances(company, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    ctx: dict[str, Any] = {"form": form, "page": page, "query": query.urlencode()}
    template = "payables/supplier_list.html"
    response = render(request, f"{template}#supplier-table" if request.htmx else template, ctx)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
@requires(can_view)
def supplier_detail(request: AuthenticatedRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_or_404(request, supplier_id)
    bills = Bill.objects.for_company(supplier.company).filter(supplier=supplier)
    ctx = {
        "supplier": supplier,
        "bills": bills.order_by("-due_date", "-id")[:100],
        "bill_count": bills.count(),
        "history": AuditLogEntry.objects.filter(
            company=supplier.company, object_type="supplier", object_id=str(supplier.pk)
        ).select_related("actor")[:20],
    }
    return render(request, "payables/supplier_detail.html", ctx)


def _form_page(
    request: AuthenticatedRequest, form: SupplierForm, supplier: Supplier | None
) -> HttpResponse:
    template = "payables/supplier_form.html"
    ctx = {"form": form, "supplier": supplier}
    return render(request, f"{template}#supplier-form" if request.htmx else template, ctx)


def _done(request: AuthenticatedRequest, supplier: Supplier) -> HttpResponse:
    url = reverse("payables:supplier-detail", args=[supplier.pk])
    return htmx_redirect(request, url)


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_edit_suppliers)
def supplier_create_view(request: AuthenticatedRequest) -> HttpResponse:
    return _supplier_form(request, company_or_404(request), None)


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_edit_suppliers)
def supplier_edit(request: AuthenticatedRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_or_404(request, supplier_id)
    return _supplier_form(request, supplier.company, supplier)


def _supplier_form(
    request: AuthenticatedRequest, company: Company, supplier: Supplier | None
) -> HttpResponse:
    """The new-supplier form (supplier None) or the edit form, and its save to the ledger."""
    initial = SupplierForm.initial_for(supplier) if supplier is not None else None
    form = SupplierForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        rules=company_rules(company),
        supplier=supplier,
        base_currency=company.base_currency,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if supplier is None:
                saved = supplier_create(company=company, **form.cleaned_data, user=request.user)
                done = f"{saved.name} was added to the ledger."
            else:
                saved = supplier_update(supplier=supplier, **form.cleaned_data, user=request.user)
                done = f"{saved.name} was updated in the ledger."
        except PayablesError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return _done(request, saved)
    return _form_page(request, form, supplier)


@login_required
@require_POST
@requires(can_refresh)
def supplier_refresh_view(request: AuthenticatedRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_or_404(request, supplier_id)
    try:
        supplier = supplier_refresh(supplier=supplier)
    except PayablesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{supplier.name} was read again from the ledger.")
    return _done(request, supplier)
