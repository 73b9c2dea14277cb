"""Create and edit bills, alone or from a dropped document, and the form's htmx helpers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Final, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import requires
from accounts.models import Company, Connection
from accounts.permissions import can_enter_bills, can_refresh
from accounts.services import active_company, onboarding_next_step
from billpay.http import AuthenticatedRequest, htmx_redirect, safe_next
from codat.money import currency_decimals
from codat.platforms import PlatformRules, SupplierCurrency, rules_for
from payables import platform_checks
from payables.bill_forms import (
    MAX_LINES,
    BaseLineFormSet,
    BillForm,
    compute_totals,
    line_formset,
    net_of_tax,
    new_token,
    tax_rate_blank,
)
from payables.documents import DocumentProposal, propose_from_document
from payables.errors import NotConnected, PayablesError
from payables.forms import add_errors
from payables.framing import framed_by_self
from payables.inbox import plain_decimal
from payables.models import Account, Bill, BillDocument, Supplier, TaxRate
from payables.services.attachments import attachment_from_document
from payables.services.bills import bill_create as bill_create_service
from payables.services.bills import (
    bill_document_create,
    bill_edit_refusal,
    bill_update,
    expense_accounts,
    mapping_options_refresh,
    supplier_last_coding,
    supplier_near_matches,
    tax_rates_for_account,
)
from payables.services.connection import require_linked_connection
from payables.services.suppliers import supplier_create
from payables.views.scoped import bill_or_404, parse_id

TEMPLATE = "payables/bill_form.html"
# The longest supplier name the ledger and billpay store; longer typed text matches none.
SUPPLIER_NAME_MAX_LENGTH: Final = Supplier._meta.get_field("name").max_length or 255


def _linked(request: AuthenticatedRequest) -> tuple[Company, Connection] | None:
    """The active company and its linked connection, or None while onboarding is unfinished."""
    company = active_company(request)
    if company is None:
        return None
    try:
        return company, require_linked_connection(company)
    except NotConnected:
        return None


def _company(request: AuthenticatedRequest) -> tuple[Company, Connection]:
    """For the form's helper endpoints: 404 without a linked company."""
    linked = _linked(request)
    if linked is None:
        raise Http404("No linked company")
    return linked


def _get_document(
    request: AuthenticatedRequest, token: uuid.UUID | str | None
) -> BillDocument | None:
    if not token:
        return None
    company = active_company(request)
    try:
        return BillDocument.objects.filter(company=company, token=uuid.UUID(str(token))).first()
    except ValueError:
        return None


LINE_FIELDS: Final = ("description", "quantity", "unit_amount", "account", "tax_rate", "tax_amount")


def _edited_data(post: QueryDict, limit: int = MAX_LINES) -> QueryDict:
    """The POST data with a line added or removed, as the add/remove buttons ask; no line is
    added past the platform's limit (the form says so beside the button)."""
    data = post.copy()
    action = post.get("action", "")
    count = _line_count(post, limit)
    if action == "add_line" and count < limit:
        data["lines-TOTAL_FORMS"] = str(count + 1)
        data[f"lines-{count}-quantity"] = "1"
    elif action.startswith("remove_line-"):
        raw_index = action.removeprefix("remove_line-")
        index = int(raw_index) if _ascii_digits(raw_index) else -1
        if 0 <= index < count and count > 1:
            fields = LINE_FIELDS
            for n in range(index, count - 1):
                for field in fields:
                    data[f"lines-{n}-{field}"] = post.get(f"lines-{n + 1}-{field}", "")
            for field in fields:
                data.pop(f"lines-{count - 1}-{field}", None)
            data["lines-TOTAL_FORMS"] = str(count - 1)
    return data


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 6


def _line_count(data: QueryDict, limit: int = MAX_LINES) -> int:
    """How many lines the posted form says it has: 0 for what is not a count (the formset then
    says the form was tampered with), and never more lines than a bill may have."""
    raw = str(data.get("lines-TOTAL_FORMS") or "0").strip()
    return min(int(raw), limit) if _ascii_digits(raw) else 0


def _last_coding(
    company: Company, supplier: Supplier | None
) -> tuple[Account | None, TaxRate | None]:
    """The supplier's last-used account and tax rate, when they are still valid choices."""
    if supplier is None:
        return None, None
    account_id, tax_id = supplier_last_coding(supplier)
    account = expense_accounts(company).filter(codat_id=account_id).first() if account_id else None
    if account is None:
        return None, None
    rate = next((r for r in tax_rates_for_account(account) if r.codat_id == tax_id), None)
    return account, rate


def _typed_supplier_name(data: Any, key: str = "supplier") -> str | None:
    """The supplier name typed under `key`, spaces collapsed; None when it is longer than any
    supplier's name can be: such a text matches no supplier, so it never reaches a query (a LIKE
    of tens of thousands of characters is an error on SQLite and slow everywhere)."""
    raw = str(data.get(key) or "")
    if len(raw) > 4 * SUPPLIER_NAME_MAX_LENGTH:
        return None
    name = " ".join(raw.split())
    return name if len(name) <= SUPPLIER_NAME_MAX_LENGTH else None


def _typed_supplier(company: Company, data: Any) -> Supplier | None:
    """The active supplier whose name is typed in `data`, if it names one."""
    name = _typed_supplier_name(data)
    if not name:
        return None
    return (
        Supplier.objects.for_company(company)
        .exclude(status=Supplier.Status.ARCHIVED)
        .filter(name__iexact=name)
        .first()
    )


def _typed_supplier_coding(company: Company, data: Any) -> tuple[Account | None, TaxRate | None]:
    """The last coding of the supplier whose name is typed in `data`, if it names one."""
    return _last_coding(company, _typed_supplier(company, data))


def _propose_coding(company: Company, data: QueryDict, rules: PlatformRules) -> None:
    """Fill the supplier's last-used account and tax rate into lines that have no account yet,
    and, where the platform bills in the supplier's currency, that currency."""
    supplier = _typed_supplier(company, data)
    wanted = platform_checks.supplier_bill_currency(rules, supplier)
    if wanted:
        data["currency"] = wanted
    account, rate = _last_coding(company, supplier)
    if account is None:
        return
    for n in range(_line_count(data, platform_checks.line_limit(rules))):
        if not data.get(f"lines-{n}-account"):
            data[f"lines-{n}-account"] = str(account.pk)
            if rules.tax.takes_rate and rate is not None and not data.get(f"lines-{n}-tax_rate"):
                data[f"lines-{n}-tax_rate"] = str(rate.pk)


def _ctx(
    request: AuthenticatedRequest,
    company: Company,
    form: BillForm,
    formset: BaseLineFormSet,
    **extra: Any,
) -> dict[str, Any]:
    if form.is_bound and "token" in form.errors:
        # A missing or forged token gets a fresh one, so that the next submit can succeed.
        form.data = cast(QueryDict, form.data).copy()
        form.data["token"] = new_token()
    if form.is_bound:
        data: Any = form.data
        currency = form.data.get("currency")
    else:
        data = {
            f"lines-{n}-{k}": getattr(v, "pk", v)
            for n, line in enumerate(formset.forms)
            for k, v in line.initial.items()
        } | {
            "lines-TOTAL_FORMS": str(len(formset.forms)),
            "document_total": form.initial.get("document_total"),
        }
        currency = form.initial.get("currency")
    currency = currency or company.base_currency
    ctx: dict[str, Any] = {
        "form": form,
        "formset": formset,
        "rules": form.rules,
        "totals": compute_totals(company, data, str(currency), form.rules),
        "suppliers": Supplier.objects.for_company(company).exclude(status=Supplier.Status.ARCHIVED)[
            :50
        ],
        "options_read_at": Account.objects.for_company(company)
        .order_by("-last_read_at")
        .values_list("last_read_at", flat=True)
        .first(),
        "near_matches": [],
        **dict(
            zip(
                ("last_account", "last_rate"),
                _typed_supplier_coding(company, form.data if form.is_bound else form.initial),
                strict=True,
            )
        ),
        "new_supplier_name": " ".join(request.POST.get("new_supplier", "").split()),
        "bill": None,
        "document": None,
        "proposal": None,
    }
    ctx.update(extra)
    return ctx


def _respond(request: AuthenticatedRequest, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    template = (
        f"{TEMPLATE}#bill-form"
        if request.htmx and not request.htmx.history_restore_request
        else TEMPLATE
    )
    return render(request, template, ctx, status=status)


def _form_action(
    request: AuthenticatedRequest,
    company: Company,
    form: BillForm,
    formset: BaseLineFormSet,
    ctx_extra: dict[str, Any],
) -> HttpResponse | None:
    """Handle the buttons that only change the form (recompute, add/remove a line, new supplier)."""
    action = request.POST.get("action", "save")
    if action == "recalc":
        ctx = _ctx(request, company, form, formset, **ctx_extra)
        # Typing asks for the totals alone; the Recalculate button submits the whole form.
        if request.htmx and request.htmx.target == "bill-totals":
            return render(request, f"{TEMPLATE}#bill-totals", ctx)
        return _respond(request, ctx)
    if action in ("add_line", "supplier") or action.startswith("remove_line-"):
        return _respond(request, _ctx(request, company, form, formset, **ctx_extra))
    if action == "create_supplier":
        return _create_supplier(request, company, form, formset, ctx_extra)
    return None


def _create_supplier(
    request: AuthenticatedRequest,
    company: Company,
    form: BillForm,
    formset: BaseLineFormSet,
    ctx_extra: dict[str, Any],
) -> HttpResponse:
    name = _typed_supplier_name(request.POST, "new_supplier")
    ctx = _ctx(request, company, form, formset, **ctx_extra)
    if name is None:
        ctx["supplier_error"] = (
            f"A supplier's name has at most {SUPPLIER_NAME_MAX_LENGTH} characters; shorten it."
        )
        return _respond(request, ctx)
    if not name:
        ctx["supplier_error"] = "Type the new supplier's name."
        return _respond(request, ctx)
    near = supplier_near_matches(company, name)
    if near and request.POST.get("confirm_new_supplier") != name:
        ctx["near_matches"] = near
        ctx["new_supplier_name"] = name
        return _respond(request, ctx)
    # The new supplier bills in the bill's currency, where the platform gives suppliers one.
    currency = request.POST.get("currency", "")
    if form.rules.supplier_currency is SupplierCurrency.BASE_ONLY:
        currency = ""
    try:
        supplier = supplier_create(
            company=company, name=name, default_currency=currency, user=request.user
        )
    except PayablesError as exc:
        ctx["supplier_error"] = exc.message
        return _respond(request, ctx)
    data = request.POST.copy()
    data["supplier"] = supplier.name
    form = BillForm(
        data, company=company, platform_key=ctx_extra["platform_key"], bill=ctx_extra.get("bill")
    )
    ctx = _ctx(request, company, form, formset, **ctx_extra)
    ctx["supplier_created"] = supplier
    return _respond(request, ctx)


def _new_forms(
    company: Company, connection: Connection, document: BillDocument | None
) -> tuple[BillForm, BaseLineFormSet, DocumentProposal | None]:
    """The empty form (today, 30 days' terms, base currency), or the document's proposal."""
    proposal = propose_from_document(company, document) if document else None
    initial = {
        "token": new_token(),
        "currency": company.base_currency,
        "issue_date": timezone.localdate(),
        "due_date": timezone.localdate() + dt.timedelta(days=30),
    }
    rules = rules_for(connection.platform_key)
    if proposal is not None:
        initial.update(proposal.initial())
        wanted = platform_checks.supplier_bill_currency(rules, proposal.supplier)
        if wanted:
            initial["currency"] = wanted
    form = BillForm(initial=initial, company=company, platform_key=connection.platform_key)
    line: dict[str, Any] = {"quantity": 1}
    account, rate = _last_coding(company, proposal.supplier if proposal else None)
    if not rules.tax.takes_rate:
        rate = None
    if account is not None:
        line.update(account=account.pk, tax_rate=rate.pk if rate else None)
    if proposal is not None and proposal.total is not None:
        # The document's total is what the supplier asks for, tax included: the line gets the
        # amount before tax, and the totals keep checking the lines against the document.
        line["unit_amount"] = net_of_tax(proposal.total, rate, str(form.initial["currency"]))
        form.initial["document_total"] = proposal.total
    formset = line_formset(
        company, initial=[line], rules=rules, currency=str(form.initial["currency"])
    )
    return form, formset, proposal


def _bound_forms(
    request: AuthenticatedRequest,
    company: Company,
    connection: Connection,
    *,
    propose: bool,
    bill: Bill | None = None,
) -> tuple[BillForm, BaseLineFormSet]:
    rules = rules_for(connection.platform_key)
    data = _edited_data(request.POST, platform_checks.line_limit(rules))
    if propose and request.POST.get("action", "save") != "save":
        _propose_coding(company, data, rules)
    form = BillForm(data, company=company, platform_key=connection.platform_key, bill=bill)
    currency = str(data.get("currency") or "").upper()
    return form, line_formset(company, data, rules=rules, currency=currency)


def _bill_fields(form: BillForm, formset: BaseLineFormSet) -> dict[str, Any]:
    """The keyword arguments bill_create and bill_update share, from valid forms."""
    return {
        "supplier": _chosen_supplier(form),
        "reference": form.cleaned_data["reference"],
        "issue_date": form.cleaned_data["issue_date"],
        "due_date": form.cleaned_data["due_date"],
        "currency": form.cleaned_data["currency"],
        "lines": [f.as_input() for f in formset.forms if f.cleaned_data],
        "idempotency_key": form.cleaned_data["token"],
    }


def _onboarding(request: AuthenticatedRequest) -> HttpResponse:
    url = onboarding_next_step(active_company(request)) or reverse("accounts:company-create")
    return htmx_redirect(request, url)


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_enter_bills)
def bill_create(request: AuthenticatedRequest) -> HttpResponse:
    linked = _linked(request)
    if linked is None:
        return _onboarding(request)
    company, connection = linked
    document = _get_document(request, request.POST.get("document") or request.GET.get("document"))
    extra: dict[str, Any] = {"document": document, "platform_key": connection.platform_key}
    if request.method == "GET":
        form, formset, proposal = _new_forms(company, connection, document)
        return _respond(request, _ctx(request, company, form, formset, proposal=proposal, **extra))
    form, formset = _bound_forms(request, company, connection, propose=True)
    acted = _form_action(request, company, form, formset, extra)
    if acted is not None:
        return acted
    if not (form.is_valid() and formset.is_valid()):
        return _respond(request, _ctx(request, company, form, formset, **extra))
    try:
        bill = bill_create_service(
            company=company,
            **_bill_fields(form, formset),
            user=request.user,
            from_document=document is not None,
        )
    except PayablesError as exc:
        return _respond(request, _ctx(request, company, _with_errors(form, exc), formset, **extra))
    if document is not None:
        attachment = attachment_from_document(bill=bill, document=document)
        state = attachment.get_sync_status_display().lower()
        messages.info(request, f"“{attachment.name}” attached ({state}).")
    messages.success(request, f"Bill {bill.reference or bill.codat_id} created in the ledger.")
    return _to_bill(request, bill)


def _with_errors(form: BillForm, exc: PayablesError) -> BillForm:
    # The refusals about the lines as a whole are shown above them, the others on their field.
    form.line_errors = exc.field_errors.get(platform_checks.LINES, [])
    rest = {k: v for k, v in exc.field_errors.items() if k != platform_checks.LINES}
    add_errors(form, PayablesError(exc.message, field_errors=rest))
    if exc.fresh_key:
        # The ledger refused this (recording nothing) or keeps its 5xx under this key: a
        # corrected or repeated save needs a new key, or Codat replays the old answer.
        data = cast(QueryDict, form.data).copy()
        data["token"] = new_token()
        form.data = data
    return form


def _chosen_supplier(form: BillForm) -> Supplier:
    supplier = form.supplier_obj
    assert supplier is not None  # clean_supplier sets it on a valid form
    return supplier


def _to_bill(request: AuthenticatedRequest, bill: Bill) -> HttpResponse:
    return htmx_redirect(request, reverse("payables:bill-detail", args=[bill.pk]))


def _bill_initial(bill: Bill, rules: PlatformRules) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    accounts = {a.codat_id: a.pk for a in Account.objects.filter(company_id=bill.company_id)}
    rates = {t.codat_id: t.pk for t in TaxRate.objects.filter(company_id=bill.company_id)}
    initial = {
        "token": new_token(),
        "supplier": bill.supplier.name if bill.supplier else bill.supplier_name,
        "reference": bill.reference,
        "issue_date": bill.issue_date,
        "due_date": bill.due_date,
        "currency": bill.currency,
    }
    lines = [
        {
            "description": line.description,
            "quantity": plain_decimal(line.quantity),
            "unit_amount": plain_decimal(line.unit_amount, currency_decimals(bill.currency)),
            "account": accounts.get(line.account_codat_id),
            **(
                {"tax_rate": rates.get(line.tax_rate_codat_id)}
                if rules.tax.takes_rate
                else {
                    "tax_amount": plain_decimal(line.tax_amount, currency_decimals(bill.currency))
                }
            ),
        }
        for line in bill.line_items.all()
    ]
    return initial, lines or [{"quantity": 1}]


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_enter_bills)
def bill_edit(request: AuthenticatedRequest, bill_id: int) -> HttpResponse:
    bill = bill_or_404(request, bill_id)
    linked = _linked(request)
    if linked is None:
        return _onboarding(request)
    company, connection = linked
    refusal = bill_edit_refusal(bill)
    if refusal:
        messages.error(request, refusal)
        return _to_bill(request, bill)
    extra: dict[str, Any] = {"bill": bill, "platform_key": connection.platform_key}
    if request.method == "GET":
        rules = rules_for(connection.platform_key)
        initial, lines = _bill_initial(bill, rules)
        form = BillForm(
            initial=initial, company=company, platform_key=connection.platform_key, bill=bill
        )
        formset = line_formset(company, initial=lines, rules=rules, currency=bill.currency)
        return _respond(request, _ctx(request, company, form, formset, **extra))
    form, formset = _bound_forms(request, company, connection, propose=False, bill=bill)
    acted = _form_action(request, company, form, formset, extra)
    if acted is not None:
        return acted
    if not (form.is_valid() and formset.is_valid()):
        return _respond(request, _ctx(request, company, form, formset, **extra))
    try:
        bill = bill_update(bill=bill, **_bill_fields(form, formset), user=request.user)
    except PayablesError as exc:
        return _respond(request, _ctx(request, company, _with_errors(form, exc), formset, **extra))
    messages.success(request, "Bill updated in the ledger.")
    return _to_bill(request, bill)


@login_required
@require_GET
@requires(can_enter_bills)
def supplier_search(request: AuthenticatedRequest) -> HttpResponse:
    """Type-ahead: the company's suppliers whose name contains what was typed."""
    company, _connection = _company(request)
    typed = _typed_supplier_name(request.GET)
    suppliers = Supplier.objects.for_company(company).exclude(status=Supplier.Status.ARCHIVED)
    if typed is None:
        suppliers = suppliers.none()
    elif typed:
        suppliers = suppliers.filter(name__icontains=typed)
    ctx = {"suppliers": suppliers[:20], "typed": typed}
    return render(request, "payables/bill_form.html#supplier-options", ctx)


@login_required
@require_GET
@requires(can_enter_bills)
def supplier_coding(request: AuthenticatedRequest) -> HttpResponse:
    """The supplier's last-used account and tax rate, proposed when a supplier is chosen; where
    the platform bills in the supplier's currency, the currency select set to it as well."""
    company, connection = _company(request)
    rules = rules_for(connection.platform_key)
    supplier = _typed_supplier(company, request.GET)
    account, rate = _last_coding(company, supplier)
    ctx: dict[str, Any] = {
        "last_account": account,
        "last_rate": rate if rules.tax.takes_rate else None,
    }
    wanted = platform_checks.supplier_bill_currency(rules, supplier)
    if wanted:
        form = BillForm(
            initial={"currency": wanted}, company=company, platform_key=connection.platform_key
        )
        ctx |= {"form": form, "rules": rules, "currency_supplier": supplier, "oob": True}
    return render(request, f"{TEMPLATE}#supplier-coding-response", ctx)


@login_required
@require_GET
@requires(can_enter_bills)
def tax_rate_options(request: AuthenticatedRequest) -> HttpResponse:
    """The tax rates valid for the account a line has chosen (htmx swaps the line's select)."""
    company, connection = _company(request)
    field = request.GET.get("field", "")
    account_id = parse_id(request.GET.get(field.replace("tax_rate", "account")))
    account = expense_accounts(company).filter(pk=account_id).first() if account_id else None
    rates = tax_rates_for_account(account) if account else []
    ctx = {
        "rates": rates,
        "field": field,
        "selected": request.GET.get(field, ""),
        "blank": tax_rate_blank(rules_for(connection.platform_key)),
    }
    return render(request, "payables/bill_form.html#tax-rate-options", ctx)


@login_required
@require_POST
@requires(can_refresh)
def mapping_options_refresh_view(request: AuthenticatedRequest) -> HttpResponse:
    company, _connection = _company(request)
    try:
        count = mapping_options_refresh(company=company)
    except PayablesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Accounts and tax rates refreshed from the ledger ({count} read)."
        )
    target = safe_next(request, reverse("payables:bill-create"))
    return htmx_redirect(request, target)


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_enter_bills)
def bill_from_document(request: AuthenticatedRequest) -> HttpResponse:
    """Drop a PDF or image: it is kept, then the bill form opens beside its preview."""
    linked = _linked(request)
    if linked is None:
        return _onboarding(request)
    company, _connection = linked
    ctx: dict[str, Any] = {"error": ""}
    if request.method == "POST":
        try:
            document = bill_document_create(company=company, upload=request.FILES.get("document"))
        except PayablesError as exc:
            ctx["error"] = exc.message
        else:
            url = f"{reverse('payables:bill-create')}?document={document.token}"
            return htmx_redirect(request, url)
    template = (
        "payables/bill_document.html#document-form"
        if request.htmx
        else "payables/bill_document.html"
    )
    return render(request, template, ctx, status=400 if ctx["error"] else 200)


@login_required
@require_GET
@requires(can_enter_bills)
@framed_by_self
def document_preview(request: AuthenticatedRequest, token: uuid.UUID) -> HttpResponseBase:
    document = _get_document(request, token)
    if document is None:
        raise Http404("No such document")
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    # Only PDFs and images whose bytes match their type get here (bill_document_create).
    response["Content-Disposition"] = "inline"
    return response
