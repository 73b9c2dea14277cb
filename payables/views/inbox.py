"""The inbox (unpaid bills of the active company) and the bill detail page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts.decorators import requires
from accounts.models import Company
from accounts.permissions import can_view
from accounts.services import active_company, onboarding_next_step
from billpay.http import AuthenticatedRequest, htmx_redirect
from payables.forms import DEFAULT_SORT, SORTS, InboxFilterForm
from payables.inbox import (
    InboxRow,
    aging_buckets,
    aging_chart,
    due_filter,
    inbox_row,
    not_imported_note,
)
from payables.models import Account, Bill, ImportRun, TaxRate
from payables.views.scoped import bill_or_404

PAGE_SIZE = 50
COLUMNS = [
    ("supplier", "Supplier"),
    ("reference", "Reference"),
    ("issue_date", "Issued"),
    ("due_date", "Due"),
    ("amount_due", "Amount due"),
    ("currency", "Currency"),
    ("status", "Status"),
]
FIELD_LABELS = {
    "q": "search",
    "status": "status",
    "supplier": "supplier",
    "due": "due",
    "currency": "currency",
    "sort": "sort",
}


def _last_import(company: Company) -> ImportRun | None:
    return (
        ImportRun.objects.for_company(company).only("finished_at", "not_imported").last_succeeded()
    )


def _run_notice(company: Company) -> dict[str, object] | None:
    """What the inbox says while an import or refresh is unfinished: its list and totals are
    partial (a first-link import still running, stalled or stopped) or may change (a refresh)."""
    runs = ImportRun.objects.for_company(company).select_related("connection")
    run = runs.filter(status__in=ImportRun.ACTIVE).first()
    if run is None:
        run = runs.filter(kind=ImportRun.Kind.FIRST_LINK).first()
        if run is None or run.status != ImportRun.Status.FAILED or runs.last_succeeded():
            return None
    first_link = run.kind == ImportRun.Kind.FIRST_LINK
    progress = "payables:import-progress" if first_link else "payables:refresh-progress"
    return {
        "run": run,
        "first_link": first_link,
        "stalled": run.is_stalled(),
        "failed": run.status == ImportRun.Status.FAILED,
        "platform": run.connection.platform_name or "your accounting platform",
        "progress_url": reverse(progress, args=[run.pk]),
        "retry_url": reverse("payables:import-retry", args=[run.pk])
        if first_link
        else reverse("payables:refresh-now"),
    }


def _due_sum(condition: Q) -> Sum:
    # A conditional sum: FILTER (WHERE ...) on SQLite and PostgreSQL, CASE WHEN where the engine
    # has no FILTER. Measured at 10,000 bills on SQLite it beats Sum(Case(When(...))) by a third,
    # which casts every row.
    return Sum("amount_due", filter=condition)


# Figures derived from all of a company's unpaid bills are cached under its payables version,
# which every committed change to its bills or suppliers bumps (payables.models.payables_changed),
# and under the day, as "overdue" moves at midnight. The timeout only bounds memory.
SUMMARY_TIMEOUT = 60 * 60


def _cache_key(company: Company, today: dt.date, *parts: object) -> str:
    return ":".join(str(p) for p in ("inbox", company.pk, company.payables_version, today, *parts))


def _summary(
    company: Company,
    bills: QuerySet[Bill],
    matching: Q,
    filter_key: str,
    today: dt.date,
    scope: str = "unpaid",
) -> list[dict[str, Any]]:
    """The per-currency summary (see `_summary_rows`, `_paid_summary_rows`), from the cache when
    the company's bills have not changed since it was computed."""
    key = _cache_key(company, today, "summary", f"{scope}:{filter_key}")
    summary: list[dict[str, Any]] | None = cache.get(key)
    if summary is None:
        if scope == "paid":
            summary = _paid_summary_rows(bills, matching)
        else:
            summary = _summary_rows(bills, matching, today)
        cache.set(key, summary, SUMMARY_TIMEOUT)
    return summary


def _summary_html(
    request: AuthenticatedRequest,
    company: Company,
    summary: list[dict[str, Any]],
    today: dt.date,
    scope: str,
) -> str:
    """The totals and aging charts above the table: the same for every filter of a scope (unpaid
    or paid bills), so rendered once per scope, version and day (the charts' SVG is most of the
    page's template work)."""
    if not summary:
        return ""
    key = _cache_key(company, today, "summary-html", scope)
    html: str | None = cache.get(key)
    if html is None:
        html = render_to_string(
            "payables/bill_list.html#inbox-summary",
            {"summary": summary, "scope": scope},
            request,
        )
        cache.set(key, html, SUMMARY_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it  # nosec B308 B703


def _summary_rows(bills: QuerySet[Bill], matching: Q, today: dt.date) -> list[dict[str, Any]]:
    """Per currency: count, total due, overdue, due in the next 7 days and the aging buckets, from
    one grouped query of conditional sums (SQLite sums decimals as floats; display rounds them).
    It also counts the bills the filters match, which spares the paginator its COUNT query.

    The buckets partition the bills, so the total and the overdue sum are added up from them
    rather than asked of the database again (each conditional sum costs ~1 ms per 10,000 bills)."""
    buckets = aging_buckets(today)
    week = Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=7))
    rows = (
        bills.order_by()
        .values("currency")
        .annotate(
            count=Count("pk"),
            matching=Count("pk", filter=matching) if matching else Count("pk"),
            due_week=_due_sum(week),
            **{b.key: _due_sum(b.condition) for b in buckets},
        )
        .order_by("currency")
    )
    summary = []
    for row in rows:
        sums: dict[str, Any] = {**row}
        for key in ["due_week", *(b.key for b in buckets)]:
            sums[key] = sums[key] or Decimal(0)  # a sum over no rows is NULL
        overdue = sum((sums[b.key] for b in buckets[1:]), Decimal(0))
        total = sums[buckets[0].key] + overdue
        chart = aging_chart(buckets, sums, row["currency"])
        summary.append({**sums, "total": total, "overdue": overdue, "chart": chart})
    return summary


def _paid_summary_rows(bills: QuerySet[Bill], matching: Q) -> list[dict[str, Any]]:
    """Per currency, for the Paid view: how many paid bills and what they totalled. Nothing is
    due or overdue on a paid bill, so there are no aging figures."""
    rows = (
        bills.order_by()
        .values("currency")
        .annotate(
            count=Count("pk"),
            matching=Count("pk", filter=matching) if matching else Count("pk"),
            paid=Sum("total_amount"),
        )
        .order_by("currency")
    )
    return [{**row, "paid": row["paid"] or Decimal(0)} for row in rows]


def _matching(filters: dict[str, Any], today: dt.date) -> Q:
    """The condition for the chosen filters, on top of the company's unpaid bills."""
    condition = Q()
    if filters.get("status"):
        condition &= Q(status=filters["status"])
    if filters.get("supplier"):
        condition &= Q(supplier_id=filters["supplier"])
    if filters.get("due"):
        condition &= due_filter(filters["due"], today)
    if filters.get("currency"):
        condition &= Q(currency=filters["currency"])
    if filters.get("q"):
        # search_text and q are both lower-cased: a plain LIKE, without icontains' UPPER() of
        # every row's text (a third of a search's time on PostgreSQL).
        condition &= Q(search_text__contains=filters["q"])
    return condition


def _query(params: QueryDict, **changes: str | None) -> str:
    """The current query string with some parameters replaced (None drops one)."""
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return f"?{query.urlencode()}" if query else ""


def _page(
    bills: QuerySet[Bill], count: int | None, raw: str | None, notes: list[str]
) -> Page[Bill]:
    paginator = Paginator(bills, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # known from the summary query
    number = 1
    if raw:
        try:
            number = int(raw)
        except ValueError:
            notes.append(f"Ignored the page number “{raw[:20]}”: showing page 1.")
        else:
            if number < 1:
                notes.append(f"There is no page {number}: showing page 1.")
                number = 1
            elif number > paginator.num_pages:
                notes.append(
                    f"There is no page {number}: showing the last page, {paginator.num_pages}."
                )
                number = paginator.num_pages
    return paginator.page(number)


def _rows(
    company: Company,
    filtered: QuerySet[Bill],
    page: Page[Bill],
    ordering: list[str],
    today: dt.date,
) -> list[InboxRow]:
    # Count the attachments of this page's rows only: the id subquery does the ordering and
    # paging on the (company, status, due_date) index, the outer GROUP BY sees 50 rows.
    start = page.start_index() - 1 if page.paginator.count else 0
    ids = filtered.values("pk")[start : start + PAGE_SIZE]
    bills = (
        Bill.objects.for_company(company)
        .filter(pk__in=ids)
        .annotate(attachment_count=Count("attachments"))
        .order_by(*ordering)
    )
    # One reverse() per URL name for the page: the rows' URLs differ only in the bill id.
    detail = _url_parts("payables:bill-detail")
    pay = _url_parts("payables:bill-pay")
    supplier = _url_parts("payables:supplier-detail")
    labels = dict(Bill.Status.choices)
    return [
        inbox_row(
            bill,
            url=f"{detail[0]}{bill.pk}{detail[1]}",
            pay_url=f"{pay[0]}{bill.pk}{pay[1]}",
            supplier_url=f"{supplier[0]}{bill.supplier_id}{supplier[1]}",
            today=today,
            status_labels=labels,
        )
        for bill in bills
    ]


def _url_parts(name: str) -> tuple[str, str]:
    """The URL of `name` for a bill, split around the bill id."""
    prefix, _, suffix = reverse(name, args=[BILL_ID_PLACEHOLDER]).partition(
        str(BILL_ID_PLACEHOLDER)
    )
    return prefix, suffix


BILL_ID_PLACEHOLDER = 2_147_483_647


def _columns(params: QueryDict, sort: str) -> list[dict[str, Any]]:
    current, descending = sort.lstrip("-"), sort.startswith("-")
    columns = []
    for key, label in COLUMNS:
        active = key == current
        flip = f"-{key}" if active and not descending else key
        columns.append(
            {
                "label": label,
                "url": _query(params, sort=flip, page=None),
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
            }
        )
    return columns


def _caption(scope: str, sort: str) -> str:
    """The table's caption: what it lists and in which order ("Unpaid bills, by due,
    ascending")."""
    what = "Paid bills" if scope == "paid" else "Unpaid bills"
    label = dict(COLUMNS).get(sort.lstrip("-"))
    if label is None:
        return what
    return f"{what}, by {label.lower()}, {'descending' if sort.startswith('-') else 'ascending'}"


@login_required
@require_GET
@requires(can_view)
def bill_list(request: AuthenticatedRequest) -> HttpResponse:
    company = active_company(request)
    step = onboarding_next_step(company)
    if step is not None or company is None:  # no company or no linked platform: nothing to list
        url = step or reverse("accounts:company-create")
        return htmx_redirect(request, url)
    today = timezone.localdate()
    unpaid = Bill.objects.unpaid().for_company(company)
    form = InboxFilterForm(request.GET, company=company)
    form.is_valid()
    notes = [f"Ignored the {FIELD_LABELS[f]} filter: not a value it takes." for f in form.errors]
    filters = form.cleaned_data
    # Paid bills leave the inbox; the Paid filter is where they stay findable.
    scope = "paid" if filters.get("status") == Bill.Status.PAID else "unpaid"
    if scope == "paid":
        unpaid = Bill.objects.for_company(company).filter(status=Bill.Status.PAID)
    matching = _matching(filters, today)
    # The table swap needs no summary; the full page gets the paginator's count from it.
    # htmx asks for the whole page when it restores history it had no snapshot of.
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    filter_key = form.cache_key()
    summary = [] if fragment else _summary(company, unpaid, matching, filter_key, today, scope)
    form.currencies = [row["currency"] for row in summary]
    sort = filters.get("sort") or DEFAULT_SORT
    sign = "-" if sort.startswith("-") else ""
    ordering = [f"{sign}{SORTS[sort.lstrip('-')]}", f"{sign}id"]  # id: a stable tiebreak
    filtered = unpaid.filter(matching).order_by(*ordering)
    count = None if fragment else sum(row["matching"] for row in summary)
    page = _page(filtered, count, request.GET.get("page"), notes)
    last_import = _last_import(company)
    ctx = {
        "form": form,
        "filtered": any(filters.get(f) for f in ("q", "status", "supplier", "due", "currency")),
        "notes": notes,
        "sort": sort,
        "scope": scope,
        "heading": "Paid bills" if scope == "paid" else "Unpaid bills",
        "columns": _columns(request.GET, sort),
        "caption": _caption(scope, sort),
        "page": page,
        "bills": _rows(company, filtered, page, ordering, today),
        "prev_url": _query(request.GET, page=str(page.number - 1)) if page.has_previous() else "",
        "next_url": _query(request.GET, page=str(page.number + 1)) if page.has_next() else "",
        "clear_url": _query(QueryDict(), sort=sort if sort != DEFAULT_SORT else None),
        "summary": summary,
        "summary_html": "" if fragment else _summary_html(request, company, summary, today, scope),
        "has_bills": bool(summary) or fragment,
        "today": today,
        "last_refreshed": last_import.finished_at if last_import else None,
        "not_imported": not_imported_note(last_import.not_imported) if last_import else "",
        "run_notice": None if fragment else _run_notice(company),
    }
    template = "payables/bill_list.html#bill-table" if fragment else "payables/bill_list.html"
    response = render(request, template, ctx)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two bodies: caches must tell them apart
    return response


@login_required
@require_GET
@requires(can_view)
def bill_detail(request: AuthenticatedRequest, bill_id: int) -> HttpResponse:
    bill = bill_or_404(request, bill_id)
    lines = list(bill.line_items.all())
    accounts = {
        a.codat_id: str(a)
        for a in Account.objects.filter(
            company_id=bill.company_id, codat_id__in={line.account_codat_id for line in lines}
        )
    }
    tax_rates = {
        t.codat_id: str(t)
        for t in TaxRate.objects.filter(
            company_id=bill.company_id, codat_id__in={line.tax_rate_codat_id for line in lines}
        )
    }
    ctx = {
        "bill": bill,
        "lines": [
            (
                line,
                accounts.get(line.account_codat_id, line.account_codat_id),
                tax_rates.get(line.tax_rate_codat_id, line.tax_rate_codat_id),
            )
            for line in lines
        ],
        "attachments": list(bill.attachments.all()),
        "paid_in_ledger": bill.total_amount - bill.amount_due,
        "today": timezone.localdate(),
    }
    return render(request, "payables/bill_detail.html", ctx)
