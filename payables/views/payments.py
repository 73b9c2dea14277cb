"""Paying a bill (dialog or page, with a confirmation step), the payments page with its CSV
export, and adding a bank account in the ledger."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.decorators import requires
from accounts.models import Company
from accounts.permissions import can_manage_bank_accounts, can_pay, can_view
from billpay.http import AuthenticatedRequest, safe_next
from codat.errors import CodatUnavailable
from codat.money import base_amount, format_money, input_amount, plain_rate
from payables.errors import PayablesError, UnableToPay
from payables.forms import (
    BankAccountForm,
    PayForm,
    PaymentFilterForm,
    PaymentResolveForm,
    add_errors,
)
from payables.models import Bill, Payment
from payables.platform_checks import company_rules
from payables.services.payments import (
    bank_account_create,
    bill_pay,
    payment_resolve,
    payment_retry,
    payment_review_facts,
)
from payables.views.scoped import bill_or_404, company_or_404, parse_id, payment_or_404

PAGE_SIZE = 50


def _pay_response(request: AuthenticatedRequest, ctx: dict[str, Any]) -> HttpResponse:
    template = "payables/_bill_pay_dialog.html" if request.htmx else "payables/bill_pay.html"
    response = render(request, template, ctx)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _initial(request: AuthenticatedRequest, bill: Bill) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "amount": input_amount(bill.amount_due, bill.currency),
        "paid_on": timezone.localdate(),
    }
    bank_account = parse_id(request.GET.get("bank_account"))
    if bank_account is not None:  # preselect an account just added
        initial["bank_account"] = bank_account
    return initial


def _same_form_payment(request: AuthenticatedRequest, bill: Bill) -> Payment | None:
    """The payment this confirmed form already made: a resubmit, refresh or back-and-forward."""
    if "confirm" not in request.POST:
        return None
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None
    return Payment.objects.for_company(bill.company).filter(bill=bill, idempotency_key=key).first()


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_pay)
def bill_pay_view(request: AuthenticatedRequest, bill_id: int) -> HttpResponse:
    bill = bill_or_404(request, bill_id)
    done = _same_form_payment(request, bill) if request.method == "POST" else None
    if done is not None:
        return _paid(request, done)
    data = request.POST if request.method == "POST" else None
    form = PayForm(data, company=bill.company, bill=bill, initial=_initial(request, bill))
    step = "form"
    if data is not None and "edit" not in data and form.is_valid():
        if "confirm" not in data:
            step = "confirm"
            key = form.cleaned_data["idempotency_key"] or uuid.uuid4()
            form = PayForm(
                {**data.dict(), "idempotency_key": str(key), "amount_due": str(bill.amount_due)},
                company=bill.company,
                bill=bill,
            )
            form.is_valid()
        else:
            try:
                payment = _record(request, bill, form.cleaned_data)
            except PayablesError as exc:
                add_errors(form, exc)
                bill.refresh_from_db()
                # Nothing was recorded under this key (stopped or refused): paying again is a
                # new attempt with a new key, never a replay of this one's result.
                form.data = {**data.dict(), "idempotency_key": str(uuid.uuid4())}
            else:
                return _paid(request, payment)
    ctx = {"bill": bill, "form": form, "step": step if bill.is_unpaid else "unpayable"}
    return _pay_response(request, ctx)


def _record(request: AuthenticatedRequest, bill: Bill, data: dict[str, Any]) -> Payment:
    if data["idempotency_key"] is None:
        raise UnableToPay("This form was changed; start the payment again.")
    return bill_pay(
        company=bill.company,
        bill=bill,
        bank_account=data["bank_account"],
        amount=data["amount"],
        paid_on=data["paid_on"],
        currency_rate=data["currency_rate"],
        reference=data["reference"],
        idempotency_key=data["idempotency_key"],
        amount_due=data["amount_due"] if data["amount_due"] is not None else bill.amount_due,
        user=request.user,
    )


def _paid(request: AuthenticatedRequest, payment: Payment) -> HttpResponse:
    bill = bill_or_404(request, payment.bill_id)
    if not request.htmx:
        if payment.status == Payment.Status.SUCCEEDED:
            messages.success(request, _result_text(payment, bill))
        else:
            messages.warning(request, _result_text(payment, bill))
        return redirect("payables:bill-detail", bill.pk)
    response = _pay_response(request, {"bill": bill, "payment": payment, "step": "result"})
    return trigger_client_event(
        response, "billPaid", {"bill": bill.pk, "payment": payment.pk, "status": payment.status}
    )


def _result_text(payment: Payment, bill: Bill) -> str:
    amount = format_money(payment.amount, payment.currency)
    if payment.status == Payment.Status.SUCCEEDED:
        return (
            f"Payment of {amount} recorded in the ledger. Amount due now "
            f"{format_money(bill.amount_due, bill.currency)} ({bill.get_status_display()})."
        )
    if payment.status == Payment.Status.PENDING:
        return (
            f"Payment of {amount} is pending sync: the ledger did not answer in time. billpay "
            "retries it automatically with the same key, so it can never be recorded twice."
        )
    return f"Payment of {amount} was not recorded: {payment.last_error}"


# --- The payments page and its CSV export -------------------------------------------------------


def _filtered(company: Company, form: PaymentFilterForm) -> QuerySet[Payment]:
    payments = Payment.objects.for_company(company).select_related("bill", "bank_account")
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if v}
    if "status" in data:
        payments = payments.filter(status=data["status"])
    if "q" in data:
        q = data["q"].strip()
        payments = payments.filter(
            Q(bill__supplier_name__icontains=q)
            | Q(bill__reference__icontains=q)
            | Q(reference__icontains=q)
            | Q(codat_id=q)
        )
    if "date_from" in data:
        payments = payments.filter(paid_on__gte=data["date_from"])
    if "date_to" in data:
        payments = payments.filter(paid_on__lte=data["date_to"])
    if "currency" in data:
        payments = payments.filter(currency=data["currency"].upper())
    return payments.order_by("-created_at", "-id")


@login_required
@require_GET
@requires(can_view)
def payment_list(request: AuthenticatedRequest) -> HttpResponse:
    company = company_or_404(request)
    form = PaymentFilterForm(request.GET)
    payments = _filtered(company, form)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "payments": list(page.object_list),
        "query": query.urlencode(),
        "notes": [f"Ignored the {name} filter: not a value it takes." for name in form.errors],
    }
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    template = "payables/payment_list.html" + ("#payment-table" if fragment else "")
    response = render(request, template, ctx)
    patch_vary_headers(response, ["HX-Request"])
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "date", "supplier", "bill", "amount", "currency", "currency_rate", "base_amount",
    "base_currency", "bank_account", "status", "ledger_id", "reference", "created_at",
]  # fmt: skip


def _base_amount(payment: Payment, base: str) -> str:
    """The payment in the company's base currency: amount x currencyRate (base units per one
    unit of the payment's currency), the amount itself in the base currency, or "" when no rate
    was sent and the ledger's own rate is not known here."""
    if payment.currency == base:
        return input_amount(payment.amount, base)
    if payment.currency_rate is None:
        return ""
    return input_amount(base_amount(payment.amount, payment.currency_rate, base), base)


def _csv_rows(payments: QuerySet[Payment], base: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for p in payments.iterator(chunk_size=500):
        yield writer.writerow(
            [
                p.paid_on.isoformat(),
                _cell(p.bill.supplier_name),
                _cell(p.bill.reference or p.bill.codat_id),
                input_amount(p.amount, p.currency),
                p.currency,
                plain_rate(p.currency_rate) if p.currency_rate is not None else "",
                _base_amount(p, base or p.currency),
                base or p.currency,
                _cell(str(p.bank_account)),
                p.status,
                p.codat_id,
                _cell(p.reference),
                p.created_at.isoformat(),
            ]
        )


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: CSV injection.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


@login_required
@require_GET
@requires(can_view)
def payment_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    company = company_or_404(request)
    payments = _filtered(company, PaymentFilterForm(request.GET))
    response = StreamingHttpResponse(
        _csv_rows(payments, company.base_currency), content_type="text/csv; charset=utf-8"
    )
    name = f"payments-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Adding a bank account ----------------------------------------------------------------------


def _bill_from_query(request: AuthenticatedRequest) -> Bill | None:
    bill_id = parse_id(request.GET.get("bill") or request.POST.get("bill"))
    return None if bill_id is None else bill_or_404(request, bill_id)


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_manage_bank_accounts)
def bank_account_create_view(request: AuthenticatedRequest) -> HttpResponse:
    company = company_or_404(request)
    bill = _bill_from_query(request)
    initial = {"idempotency_key": uuid.uuid4(), "currency": company.base_currency}
    form = BankAccountForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        rules=company_rules(company),
    )
    if request.method == "POST" and form.is_valid():
        try:
            account = bank_account_create(company=company, **form.cleaned_data, user=request.user)
        except PayablesError as exc:
            add_errors(form, exc)
            if exc.fresh_key:
                # Refused (nothing recorded) or a 5xx Codat keeps under this key: the corrected
                # form needs a new key, or Codat answers "a different body" or replays the error.
                data = request.POST.copy()
                data["idempotency_key"] = str(uuid.uuid4())
                form.data = data
        else:
            return _bank_account_created(request, company, bill, account.pk, str(account))
    if form.is_bound and "idempotency_key" in form.errors:
        # A missing or forged key gets a fresh one, so that the next submit can succeed.
        data = request.POST.copy()
        data["idempotency_key"] = str(uuid.uuid4())
        form.data = data
    ctx = {"form": form, "bill": bill, "next": safe_next(request)}
    template = (
        "payables/_bank_account_dialog.html" if request.htmx else "payables/bank_account_form.html"
    )
    return render(request, template, ctx)


def _bank_account_created(
    request: AuthenticatedRequest, company: Company, bill: Bill | None, pk: int, name: str
) -> HttpResponse:
    if bill is not None:
        pay_url = reverse("payables:bill-pay", args=[bill.pk]) + f"?bank_account={pk}"
        if request.htmx:
            # Back to the pay dialog, the new account chosen.
            initial = {
                "amount": input_amount(bill.amount_due, bill.currency),
                "paid_on": timezone.localdate(),
                "bank_account": pk,
            }
            form = PayForm(None, company=company, bill=bill, initial=initial)
            return _pay_response(request, {"bill": bill, "form": form, "step": "form"})
        messages.success(request, f"Bank account “{name}” added in the ledger.")
        return redirect(pay_url)
    messages.success(request, f"Bank account “{name}” added in the ledger.")
    return redirect(safe_next(request) or reverse("payables:payment-list"))


def payments_for_bill(bill: Bill) -> list[Payment]:
    """The bill's payment history, newest first, for the bill page's payments section."""
    return list(bill.payments.select_related("bank_account", "created_by").order_by("-created_at"))


@login_required
@require_POST
@requires(can_pay)
def payment_retry_view(request: AuthenticatedRequest, payment_id: int) -> HttpResponse:
    """Send a pending payment again now, with its own key: the ledger replays it if it has it."""
    payment = payment_or_404(request, payment_id)
    try:
        payment = payment_retry(payment_id=payment.pk)
    except CodatUnavailable as exc:
        messages.warning(
            request, f"The ledger is still not answering ({exc.message}). billpay keeps trying."
        )
    else:
        if payment.status == Payment.Status.SUCCEEDED:
            messages.success(request, "The payment is recorded in the ledger.")
        elif payment.status == Payment.Status.PENDING:
            messages.info(request, "Still waiting for the ledger; billpay keeps trying.")
        elif payment.needs_review:
            messages.warning(
                request,
                "billpay cannot tell whether the ledger recorded this payment, so it no longer "
                f"retries it: {payment.last_error} Check the ledger and say what you found.",
            )
            return redirect("payables:payment-review", payment.pk)
        else:
            messages.error(request, f"The payment was not recorded: {payment.last_error}")
    return redirect(safe_next(request) or reverse("payables:sync-health"))


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_pay)
def payment_review_view(request: AuthenticatedRequest, payment_id: int) -> HttpResponse:
    """A payment that needs review: what billpay knows and the ledger shows now, and the
    person's answer ("it is in the ledger", with its id, or "it is not")."""
    payment = payment_or_404(request, payment_id)
    form = PaymentResolveForm(request.POST if request.method == "POST" else None)
    if payment.needs_review and request.method == "POST" and form.is_valid():
        try:
            payment = payment_resolve(
                payment=payment,
                in_ledger=form.cleaned_data["answer"] == "in_ledger",
                ledger_payment_id=form.cleaned_data["ledger_payment_id"],
                user=request.user,
            )
        except PayablesError as exc:
            add_errors(form, exc)
        else:
            if payment.status == Payment.Status.SUCCEEDED:
                messages.success(
                    request, f"Payment marked as recorded in the ledger ({payment.codat_id})."
                )
            else:
                messages.success(
                    request, "Payment marked as not in the ledger; the bill can be paid again."
                )
            return redirect("payables:bill-detail", payment.bill_id)
    facts = payment_review_facts(payment=payment) if payment.needs_review else None
    if facts is not None and facts.amount_due is not None:
        payment.bill.refresh_from_db()
    ctx = {
        "payment": payment,
        "bill": payment.bill,
        "facts": facts,
        "form": form,
        "due_if_recorded": payment.amount_due_before - payment.amount,
    }
    return render(request, "payables/payment_review.html", ctx)
