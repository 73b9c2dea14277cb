"""Creating and editing bills in the ledger, and what the bill form needs.

The form's helpers (expense accounts, valid tax rates, currencies, line tax, a supplier's last
coding and near matches), the mapping-options refresh, bill create/update with their refusals, and
the documents dropped to start a bill (kept until the bill is saved, then attached to it).
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.utils import timezone

import codat.types as codat
from accounts.audit import acting_user
from accounts.models import Company, User
from accounts.permissions import can_enter_bills
from accounts.services import member_permission_check
from billpay.ledger import codat_client
from codat.client import CodatClient
from codat.errors import (
    CodatError,
    CodatRejected,
    CodatUnavailable,
    idempotency_key_reused,
    idempotency_key_spent,
)
from codat.money import format_money, quantize
from codat.platforms import PlatformRules, rules_for
from payables import platform_checks
from payables.errors import (
    KEY_REUSED_MESSAGE,
    AttachmentError,
    BillError,
    FileRefused,
    LedgerUnavailable,
    PayablesError,
)
from payables.files import DOCUMENT_EXTENSIONS, check_upload, limits_for
from payables.models import (
    Account,
    BankAccount,
    Bill,
    BillDocument,
    BillLineItem,
    BillSubmission,
    MappingStatus,
    Supplier,
    TaxRate,
)
from payables.policies import Source
from payables.services import approvals, mirror
from payables.services.connection import require_linked_connection
from payables.services.runs import ALL_OPTION_STATUSES


@dataclass(frozen=True, slots=True)
class BillLineInput:
    """A line as the user entered it, already checked against the company's mapping options."""

    description: str
    quantity: Decimal
    unit_amount: Decimal
    account: Account
    tax_rate: TaxRate | None
    # The line's own tax, where the platform takes an amount and no rate (FreeAgent); elsewhere
    # None, and the tax is worked out from the rate (line_tax).
    tax_amount: Decimal | None = None

    def tax(self, currency: str) -> Decimal:
        if self.tax_amount is not None:
            return self.tax_amount
        return line_tax(self.quantity, self.unit_amount, self.tax_rate, currency)


# Account.type is free text in the spec; these are the expense kinds Xero, QBO and Codat's own
# mapping use ("Expense", Xero's "Direct Costs" and "Overheads", QBO's "Cost of Goods Sold").
EXPENSE_ACCOUNT_TYPES = frozenset(
    {
        "expense",
        "expenses",
        "direct costs",
        "overhead",
        "overheads",
        "cost of goods sold",
        "other expense",
    }
)


def expense_accounts(company: Company) -> models.QuerySet[Account]:
    """The accounts a bill line can be coded to: the company's active expense accounts."""
    expense = models.Q()
    for kind in EXPENSE_ACCOUNT_TYPES:
        expense |= models.Q(type__iexact=kind)
    return Account.objects.for_company(company).filter(expense, status=MappingStatus.ACTIVE)


def tax_rate_valid_for_account(tax_rate: TaxRate, account: Account) -> bool:
    """Whether a bill line on `account` may use `tax_rate`.

    The Bill Pay API carries no account-to-tax-rate links (the synchronous spec has no
    `validDatatypeLinks`), so the rule is billpay's: both active, of one company, and a purchase
    rate on an expense account; a sales rate (Xero's OUTPUT* codes, "... on Income") is refused.
    """
    if tax_rate.company_id != account.company_id:
        return False
    if tax_rate.status != MappingStatus.ACTIVE or account.status != MappingStatus.ACTIVE:
        return False
    label = f"{tax_rate.code} {tax_rate.name}".lower()
    is_sales = tax_rate.code.upper().startswith("OUTPUT") or "income" in label or "sales" in label
    return not is_sales


def tax_rates_for_account(account: Account) -> list[TaxRate]:
    """The active tax rates valid on lines coded to `account`."""
    rates = TaxRate.objects.filter(company_id=account.company_id, status=MappingStatus.ACTIVE)
    return [rate for rate in rates if tax_rate_valid_for_account(rate, account)]


def bill_currencies(company: Company) -> list[str]:
    """Currencies a bill may be in: the base currency first, then those of accounts and bank
    accounts (the synchronous API has no currency list, codat-api.md §4.3)."""
    seen = set(
        Account.objects.for_company(company).exclude(currency="").values_list("currency", flat=True)
    )
    seen |= set(
        BankAccount.objects.for_company(company)
        .exclude(currency="")
        .values_list("currency", flat=True)
    )
    base = company.base_currency
    return ([base] if base else []) + sorted(seen - {base})


def line_tax(
    quantity: Decimal, unit_amount: Decimal, rate: TaxRate | None, currency: str
) -> Decimal:
    """Tax of a line from the rate's effective percentage, rounded half-up to the minor unit."""
    percent = (rate.effective_tax_rate if rate is not None else None) or Decimal(0)
    return quantize(quantity * unit_amount * percent / 100, currency)


def supplier_last_coding(supplier: Supplier) -> tuple[str, str]:
    """(account id, tax rate id) of the supplier's most recent bill line, or ("", "")."""
    line = (
        BillLineItem.objects.filter(bill__company_id=supplier.company_id, bill__supplier=supplier)
        .exclude(account_codat_id="")
        .order_by("-bill__issue_date", "-bill_id", "position")
        .values_list("account_codat_id", "tax_rate_codat_id")
        .first()
    )
    return (line[0], line[1]) if line else ("", "")


def supplier_near_matches(company: Company, name: str, *, limit: int = 5) -> list[Supplier]:
    """Suppliers whose name is close to `name` (contained in it, or similar spelling)."""
    wanted = " ".join(name.lower().split())
    if not wanted:
        return []
    scored: list[tuple[float, Supplier]] = []
    for supplier in Supplier.objects.for_company(company).exclude(status=Supplier.Status.ARCHIVED):
        have = " ".join(supplier.name.lower().split())
        if not have:
            continue
        ratio = difflib.SequenceMatcher(None, wanted, have).ratio()
        if wanted in have or have in wanted:
            ratio = max(ratio, 0.9)
        if ratio >= 0.75:
            scored.append((ratio, supplier))
    scored.sort(key=lambda pair: (-pair[0], pair[1].name))
    return [supplier for _ratio, supplier in scored[:limit]]


def _rejected(
    exc: CodatRejected, rules: PlatformRules, error: type[PayablesError] = BillError
) -> PayablesError:
    # A refusal recorded nothing, and Codat replays it for the key: the next save gets a new key.
    if idempotency_key_reused(exc):
        return error(KEY_REUSED_MESSAGE, fresh_key=True)
    field_errors, top = platform_checks.refusal_fields(
        rules,
        exc.form_messages(),
        by_kind=platform_checks.BILL_FIELDS,
        hints=platform_checks.BILL_HINTS,
    )
    if top:
        return error(
            f"The ledger refused this: {' '.join(top)}", field_errors=field_errors, fresh_key=True
        )
    return error(
        "The ledger refused this: see the fields marked below.",
        field_errors=field_errors,
        fresh_key=True,
    )


def _unavailable(exc: CodatUnavailable) -> LedgerUnavailable:
    # No answer (a timeout): the write may have happened, and only the same Idempotency-Key can
    # find out without duplicating. 409 (the same key still in flight) and 429 (never cached) also
    # keep the key. A 5xx answer is cached by Codat for that key, so the next try needs a new one.
    same_key_safe = not idempotency_key_spent(exc)
    return LedgerUnavailable(
        "The accounting platform did not answer, so nothing was saved. Your input is kept: "
        f"try again in a moment. ({exc.message})",
        same_key_safe=same_key_safe,
    )


def mapping_options_refresh(*, company: Company) -> int:
    """Re-read the bill mapping options (accounts, tax rates) now; return how many were read."""
    connection = require_linked_connection(company)
    try:
        with codat_client() as client:
            options = client.get_mapping_options_bills(
                company.codat_company_id,
                connection.codat_connection_id,
                status_query=ALL_OPTION_STATUSES,
            )
    except CodatError as exc:
        raise PayablesError(f"The mapping options could not be read: {exc.message}") from exc
    with transaction.atomic():
        mirror.store_options(company, accounts=options.accounts, tax_rates=options.tax_rates)
        # An option the ledger no longer lists at all (deleted) must not be offered either.
        Account.objects.for_company(company).exclude(
            codat_id__in=[a.id for a in options.accounts]
        ).update(status=MappingStatus.ARCHIVED)
        TaxRate.objects.for_company(company).exclude(
            codat_id__in=[t.id for t in options.tax_rates]
        ).update(status=MappingStatus.ARCHIVED)
    return len(options.accounts) + len(options.tax_rates)


def _bill_prototype(
    *,
    supplier: Supplier,
    reference: str,
    issue_date: dt.date,
    due_date: dt.date,
    currency: str,
    lines: Sequence[BillLineInput],
    currency_rate: Decimal | None = None,
) -> codat.BillPrototype:
    return codat.BillPrototype(
        supplier_ref=codat.SupplierRef(id=supplier.codat_id),
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        currency_rate=currency_rate,
        reference=reference or None,
        line_items=tuple(
            codat.BillLineItemPrototype(
                description=line.description or None,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                tax_amount=line.tax(currency),
                account_ref=codat.RecordRef(id=line.account.codat_id),
                tax_rate_ref=codat.RecordRef(id=line.tax_rate.codat_id) if line.tax_rate else None,
            )
            for line in lines
        ),
    )


def _check_bill_input(
    company: Company,
    supplier: Supplier,
    reference: str,
    issue_date: dt.date,
    due_date: dt.date,
    lines: Sequence[BillLineInput],
    currency: str,
    *,
    bill: Bill | None = None,
) -> None:
    # The form checks all this for the user; the service refuses it too, for any other caller.
    rules = rules_for(require_linked_connection(company).platform_key)
    problems: dict[str, list[str]] = {}
    if supplier.company_id != company.pk or supplier.status == Supplier.Status.ARCHIVED:
        problems["supplier"] = ["Choose an active supplier of this company."]
    else:
        for field, problem in (
            ("currency", platform_checks.currency_not_suppliers(rules, supplier, currency)),
            (
                "reference",
                platform_checks.reference_taken(rules, supplier, reference, bill=bill),
            ),
        ):
            if problem:
                problems[field] = [problem]
    if due_date < issue_date:
        problems["due_date"] = ["The due date cannot be before the issue date."]
    if not lines:
        problems["__all__"] = ["Add at least one line item."]
    line_problems = [
        problem
        for problem in (
            platform_checks.too_many_lines(rules, len(lines)),
            *(
                platform_checks.line_tax_problem(
                    rules,
                    has_rate=line.tax_rate is not None,
                    tax_amount=line.tax_amount,
                    currency=currency,
                )
                for line in lines
            ),
        )
        if problem
    ]
    if line_problems:
        problems[platform_checks.LINES] = list(dict.fromkeys(line_problems))
    for line in lines:
        if line.quantity <= 0:
            problems.setdefault("__all__", []).append("Each quantity must be greater than zero.")
        if line.account.company_id != company.pk or line.account.status != MappingStatus.ACTIVE:
            problems.setdefault("__all__", []).append(f"Account {line.account} is not active.")
        if line.tax_rate is not None and not tax_rate_valid_for_account(
            line.tax_rate, line.account
        ):
            problems.setdefault("__all__", []).append(
                f"Tax rate {line.tax_rate} is not valid for account {line.account}."
            )
    if lines and not problems:
        total = sum(
            (
                quantize(line.quantity * line.unit_amount, currency) + line.tax(currency)
                for line in lines
            ),
            Decimal(0),
        )
        if total <= 0:
            # The ledger would create it Open with nothing to pay: a bill no payment can settle.
            problems["__all__"] = [
                f"The bill's total is {format_money(total, currency)}: a bill must total more "
                "than zero. Check the quantities and unit amounts."
            ]
    if problems:
        raise BillError("The bill was not saved: check the marked fields.", field_errors=problems)


def _created_bill_store(
    company: Company,
    created: codat.Bill,
    key: uuid.UUID,
    kind: str,
    submitted: approvals.Submitted,
) -> Bill:
    """Keep the ledger's bill locally with its lines and the submission's key, in one transaction."""
    try:
        with transaction.atomic():
            (row,) = mirror.store_bills(company, [created], validate=True, submitted=submitted)
            BillSubmission.objects.create(
                company=company,
                key=key,
                kind=kind,
                bill=row,
                user=submitted.user,
                from_document=submitted.source == Source.DOCUMENT,
            )
    except IntegrityError:
        # The same submission raced this one past the first check; it stored the same bill.
        return BillSubmission.objects.select_related("bill").get(company=company, key=key).bill
    return Bill.objects.get(company=company, pk=row.pk)


def _submitted(company: Company, key: uuid.UUID) -> Bill | None:
    done = BillSubmission.objects.filter(company=company, key=key).select_related("bill").first()
    return done.bill if done is not None else None


def bill_create(
    *,
    company: Company,
    supplier: Supplier,
    reference: str,
    issue_date: dt.date,
    due_date: dt.date,
    currency: str,
    lines: Sequence[BillLineInput],
    idempotency_key: uuid.UUID,
    user: User | None = None,
    from_document: bool = False,
) -> Bill:
    """Create an Open bill in the ledger (keyed by the form's token), then keep it locally.

    A second call with the same key returns the first call's bill without a second ledger write.
    """
    member_permission_check(can_enter_bills, company=company, user=user)
    done = _submitted(company, idempotency_key)
    if done is not None:
        return done
    _check_bill_input(company, supplier, reference, issue_date, due_date, lines, currency)
    prototype = _bill_prototype(
        supplier=supplier,
        reference=reference,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        lines=lines,
    )

    def send(client: CodatClient, company_id: str, connection_id: str) -> codat.Bill:
        return client.create_bill(
            company_id, connection_id, prototype, idempotency_key=str(idempotency_key)
        )

    source = Source.DOCUMENT if from_document else Source.BILLPAY
    submitted = approvals.Submitted(user=acting_user(user), source=source)
    return _bill_write(company, idempotency_key, BillSubmission.Kind.CREATE, send, submitted)


def _bill_write(
    company: Company,
    idempotency_key: uuid.UUID,
    kind: str,
    send: Callable[[CodatClient, str, str], codat.Bill],
    submitted: approvals.Submitted,
) -> Bill:
    """Send a bill create or update to the ledger, its refusals turned into BillErrors, then
    store what the ledger answered."""
    connection = require_linked_connection(company)
    try:
        with codat_client() as client:
            written = send(client, company.codat_company_id, connection.codat_connection_id)
    except CodatRejected as exc:
        raise _rejected(exc, rules_for(connection.platform_key)) from exc
    except CodatUnavailable as exc:
        raise _unavailable(exc) from exc
    except CodatError as exc:
        raise BillError(exc.message, fresh_key=idempotency_key_spent(exc)) from exc
    return _created_bill_store(company, written, idempotency_key, kind, submitted)


def bill_edit_refusal(bill: Bill) -> str:
    """Why the bill cannot be edited, or "" when it can (Open, nothing paid yet)."""
    if bill.status != Bill.Status.OPEN:
        return f"Only open bills can be edited; this one is {bill.get_status_display().lower()}."
    if bill.amount_due != bill.total_amount:
        return "This bill has payments against it, so it can no longer be edited."
    return ""


def bill_update(
    *,
    bill: Bill,
    supplier: Supplier,
    reference: str,
    issue_date: dt.date,
    due_date: dt.date,
    currency: str,
    lines: Sequence[BillLineInput],
    idempotency_key: uuid.UUID,
    user: User | None = None,
) -> Bill:
    """Replace an Open, unpaid bill's fields and every line in the ledger, then locally."""
    member_permission_check(can_enter_bills, company=bill.company, user=user)
    company = bill.company
    done = _submitted(company, idempotency_key)
    if done is not None:
        return done
    refusal = bill_edit_refusal(bill)
    if refusal:
        raise BillError(refusal)
    _check_bill_input(
        company, supplier, reference, issue_date, due_date, lines, currency, bill=bill
    )
    prototype = _bill_prototype(
        supplier=supplier,
        reference=reference,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        lines=lines,
        # The ledger's rate stays with the bill while its currency does (billpay has no field
        # for it; a PUT without it would leave the platform to pick a rate of its own).
        currency_rate=bill.currency_rate if currency == bill.currency else None,
    )

    def send(client: CodatClient, company_id: str, connection_id: str) -> codat.Bill:
        return client.update_bill(
            company_id,
            connection_id,
            bill.codat_id,
            prototype,
            idempotency_key=str(idempotency_key),
        )

    live = approvals.live_request(bill)
    source = Source(live.source) if live is not None else approvals.bill_source(bill)
    submitted = approvals.Submitted(user=acting_user(user), source=source)
    return _bill_write(company, idempotency_key, BillSubmission.Kind.UPDATE, send, submitted)


def bill_document_create(*, company: Company, upload: File[Any] | None) -> BillDocument:
    """Keep a dropped PDF or image (checked like an attachment) until its bill is saved."""
    connection = require_linked_connection(company)
    if upload is None:
        raise AttachmentError("Choose a PDF or an image of the bill.")
    try:
        checked = check_upload(
            upload, limits=limits_for(connection.platform_key), extensions=DOCUMENT_EXTENSIONS
        )
    except FileRefused as exc:
        raise AttachmentError(exc.message) from exc
    document = BillDocument(
        company=company, name=checked.name, content_type=checked.content_type, size=checked.size
    )
    document.file.save(checked.name, upload, save=False)  # storage I/O outside the transaction
    document.full_clean()
    with transaction.atomic():
        document.save()
    return document


def bill_documents_purge(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Forget dropped documents whose bill was never saved, with their files; return how many."""
    cutoff = timezone.now() - older_than
    purged = 0
    for document in BillDocument.objects.filter(created_at__lt=cutoff).iterator():
        # Row first: a file without a row is unreachable; a row without a file would 500.
        deleted, _ = BillDocument.objects.filter(pk=document.pk).delete()
        if deleted:
            document.file.delete(save=False)
            purged += 1
    return purged
