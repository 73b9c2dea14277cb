"""Write paths of the payables app: importing the ledger's payables into billpay."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, BinaryIO, ClassVar, TypeVar, cast

from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import codat.types as codat
from accounts.models import Company, Connection, User
from accounts.services import linked_connection
from billpay.ledger import codat_client
from codat.client import CodatClient
from codat.errors import CodatAuthError, CodatError, CodatRejected, CodatUnavailable
from payables.files import (
    DOCUMENT_EXTENSIONS,
    FileRefused,
    check_file,
    clean_filename,
    limits_for,
)
from payables.inbox import MINOR_UNITS
from payables.models import (
    Account,
    Attachment,
    BankAccount,
    Bill,
    BillDocument,
    BillLineItem,
    BillSubmission,
    ImportRun,
    MappingStatus,
    Payment,
    PaymentError,
    PaymentEvent,
    Supplier,
    TaxRate,
    UnableToPay,
)

logger = logging.getLogger(__name__)


def payables_import_start(
    *, company: Company, connection: Connection, kind: str = ImportRun.Kind.FIRST_LINK
) -> ImportRun:
    """Start an import of the company's payables, or return the one already pending or running."""
    if connection.company_id != company.pk:
        raise ValueError("The connection belongs to another company.")
    live = ImportRun.objects.filter(company=company, status__in=ImportRun.ACTIVE).first()
    if live is not None:
        return live
    run = ImportRun(company=company, connection=connection, kind=kind, created_at=timezone.now())
    # The one-live-run constraint is left to the database: two callbacks can race past the
    # check above, and only the INSERT decides which of them wins.
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
            _enqueue(run)
    except IntegrityError:
        return ImportRun.objects.get(company=company, status__in=ImportRun.ACTIVE)
    return run


def payables_import_retry(*, run: ImportRun) -> ImportRun:
    """Put a failed import back in the queue; it resumes where it stopped.

    The same run is reset to pending (not copied): its continuation tokens and counters are
    kept, so the retry picks up at the page that failed, and the progress page's URL stays valid.
    If another import became live for the company meanwhile, that one is returned instead.
    """
    try:
        with transaction.atomic():
            reset = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.FAILED).update(
                status=ImportRun.Status.PENDING, error="", finished_at=None
            )
            if reset:
                _enqueue(run)
    except IntegrityError:
        return ImportRun.objects.get(company_id=run.company_id, status__in=ImportRun.ACTIVE)
    run.refresh_from_db()
    return run


def _enqueue(run: ImportRun) -> None:
    from payables.tasks import payables_import

    payables_import.delay_on_commit(run.pk)


# ---------------------------------------------------------------------------------------------
# Running an import


class ImportPhase(StrEnum):
    """The steps of an import, in order; `ImportRun.phase` holds the one in progress."""

    COMPANY = "company"
    BILL_OPTIONS = "bill_options"
    PAYMENT_OPTIONS = "payment_options"
    SUPPLIERS = "suppliers"
    BILLS = "bills"
    NOT_IMPORTED = "not_imported"
    DONE = "done"


PHASE_LABELS: dict[str, str] = {
    ImportPhase.COMPANY: "Reading company details",
    ImportPhase.BILL_OPTIONS: "Reading accounts and tax rates",
    ImportPhase.PAYMENT_OPTIONS: "Reading bank accounts",
    ImportPhase.SUPPLIERS: "Importing suppliers",
    ImportPhase.BILLS: "Importing unpaid bills",
    ImportPhase.NOT_IMPORTED: "Counting bills that are not imported",
    ImportPhase.DONE: "Done",
}

# Bills the first-link import leaves out; the ledger lists them only when asked by status.
NOT_IMPORTED_QUERY = "status=Draft||status=Paid||status=Void"
NOT_IMPORTED_STATUSES = (Bill.Status.PAID, Bill.Status.VOID, Bill.Status.DRAFT)


class _Superseded(Exception):
    """Another worker moved this run on (a redelivered task): stop without writing."""


def payables_import_run(*, run_id: int) -> ImportRun:
    """Run (or resume) an import: every phase from the stored one, each page committed with its
    continuation token, so that a failure resumes at the page that failed.

    Raises CodatError (CodatUnavailable is retryable) and leaves the run running; the task
    decides when to give up (`payables_import_fail`).
    """
    return _Importer.drive(run_id=run_id)


def payables_import_fail(*, run_id: int, message: str) -> ImportRun:
    """Mark a live import failed with a message the user may read."""
    ImportRun.objects.filter(pk=run_id, status__in=ImportRun.ACTIVE).update(
        status=ImportRun.Status.FAILED,
        error=message[:1000],
        finished_at=timezone.now(),
    )
    return ImportRun.objects.get(pk=run_id)


def payables_import_note(*, run_id: int, message: str) -> None:
    """Record a passing problem (the ledger is busy) on a live import that will be retried."""
    ImportRun.objects.filter(pk=run_id, status__in=ImportRun.ACTIVE).update(error=message[:1000])


class RunAttempt:
    """One attempt at an import run (the first-link import, or a refresh in
    payables.services.sync): its phases run in order from the one the run stored, and every write
    to the run is a compare-and-set, so that a redelivered copy of the task never double-counts."""

    phases: ClassVar[type[StrEnum]]

    def __init__(self, *, run: ImportRun, client: CodatClient) -> None:
        self.run = run
        self.client = client
        self.company = run.company
        self.cid = run.company.codat_company_id
        self.conn = run.connection.codat_connection_id

    @classmethod
    def drive(cls, *, run_id: int, **only: Any) -> ImportRun:
        """Claim the run if it is pending or running (one more attempt), then run its phases from
        the stored one; `only` narrows which runs may be claimed (kind=...)."""
        claimed = ImportRun.objects.filter(pk=run_id, status__in=ImportRun.ACTIVE, **only).update(
            status=ImportRun.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=Coalesce("started_at", Value(timezone.now())),
            error="",
        )
        run = ImportRun.objects.select_related("company", "connection").get(pk=run_id)
        if not claimed:
            return run
        phases = list(cls.phases)
        start = phases.index(cls.phases(run.phase)) if run.phase else 0
        try:
            with codat_client() as client:
                attempt = cls(run=run, client=client)
                for phase in phases[start:]:
                    attempt.set_phase(phase)
                    attempt.run_phase(phase)
        except _Superseded:
            pass
        run.refresh_from_db()
        return run

    def _save_run(self, expected: dict[str, Any], **changes: Any) -> None:
        # Compare-and-set on the fields this attempt last saw: a redelivered copy of the task that
        # got further first makes this attempt stop instead of double-counting.
        updated = ImportRun.objects.filter(
            pk=self.run.pk, status=ImportRun.Status.RUNNING, **expected
        ).update(**changes)
        if not updated:
            raise _Superseded
        for name, value in changes.items():
            if not hasattr(value, "resolve_expression"):
                setattr(self.run, name, value)

    def set_phase(self, phase: Any) -> None:
        raise NotImplementedError

    def run_phase(self, phase: Any) -> None:
        raise NotImplementedError


class _Importer(RunAttempt):
    """One attempt at a first-link import; every write is keyed by (company, ledger id)."""

    phases = ImportPhase

    def set_phase(self, phase: ImportPhase) -> None:
        if self.run.phase == phase:
            return
        if phase == ImportPhase.DONE:
            self._finish()
        else:
            self._save_run({"phase": self.run.phase}, phase=phase, error="")

    def run_phase(self, phase: ImportPhase) -> None:
        if phase == ImportPhase.COMPANY:
            self.company_info()
        elif phase == ImportPhase.BILL_OPTIONS:
            self.bill_options()
        elif phase == ImportPhase.PAYMENT_OPTIONS:
            self.payment_options()
        elif phase == ImportPhase.SUPPLIERS:
            self.suppliers()
        elif phase == ImportPhase.BILLS:
            self.bills()
        elif phase == ImportPhase.NOT_IMPORTED:
            self.not_imported()

    def company_info(self) -> None:
        info = self.client.get_company_information(self.cid, self.conn)
        currency = (info.base_currency or "").upper()
        if currency and currency != self.company.base_currency:
            Company.objects.filter(pk=self.company.pk).update(base_currency=currency)
            self.company.base_currency = currency

    def bill_options(self) -> None:
        token: str | None = None
        while True:
            page = self.client.get_mapping_options_bills_page(
                self.cid, self.conn, continuation_token=token
            )
            now = timezone.now()
            with transaction.atomic():
                _upsert(
                    Account, self.company, [_account(self.company, a, now) for a in page.accounts]
                )
                _upsert(
                    TaxRate, self.company, [_tax_rate(self.company, t, now) for t in page.tax_rates]
                )
            _check_token(page.continuation_token, token)
            if page.continuation_token is None:
                return
            token = page.continuation_token

    def payment_options(self) -> None:
        token: str | None = None
        while True:
            page = self.client.get_mapping_options_payments_page(
                self.cid, self.conn, continuation_token=token
            )
            now = timezone.now()
            rows = [_bank_account(self.company, b, now) for b in page.bank_accounts]
            with transaction.atomic():
                _upsert(BankAccount, self.company, rows)
            _check_token(page.continuation_token, token)
            if page.continuation_token is None:
                return
            token = page.continuation_token

    def suppliers(self) -> None:
        while not self.run.suppliers_done:
            token = self.run.suppliers_token or None
            page = self.client.list_suppliers_page(self.cid, self.conn, continuation_token=token)
            _check_token(page.continuation_token, token)
            now = timezone.now()
            rows = [_supplier(self.company, s, now) for s in page.items]
            with transaction.atomic():
                _upsert(Supplier, self.company, rows)
                self._save_run(
                    {"suppliers_token": self.run.suppliers_token},
                    suppliers_token=page.continuation_token or "",
                    suppliers_done=page.continuation_token is None,
                    suppliers_imported=self.run.suppliers_imported + len(rows),
                )

    def bills(self) -> None:
        while not self.run.bills_done:
            token = self.run.bills_token or None
            page = self.client.list_bills_page(self.cid, self.conn, continuation_token=token)
            _check_token(page.continuation_token, token)
            with transaction.atomic():
                count = _bills_upsert(self.company, page.items, timezone.now())
                self._save_run(
                    {"bills_token": self.run.bills_token},
                    bills_token=page.continuation_token or "",
                    bills_done=page.continuation_token is None,
                    bills_imported=self.run.bills_imported + count,
                )

    def not_imported(self) -> None:
        # Counted page by page, never held: a ledger can keep years of paid bills. The running
        # counts and the next page's token are stored together, like the bills' own paging; the
        # last page's counts are stored with the run's success, so a crash between the two
        # cannot count a page twice.
        counts = dict(self.run.not_imported)
        while self.run.phase != ImportPhase.DONE:
            token = counts.get("_token") or None
            page = self.client.list_bills_page(
                self.cid, self.conn, query=NOT_IMPORTED_QUERY, continuation_token=token
            )
            _check_token(page.continuation_token, token)
            new: dict[str, int | str] = {
                s.value: int(counts.get(s.value, 0)) for s in NOT_IMPORTED_STATUSES
            }
            for bill in page.items:
                new[bill.status.value] = int(new.get(bill.status.value, 0)) + 1
            if page.continuation_token is None:
                self._finish(not_imported=new)
            else:
                new["_token"] = page.continuation_token
                self._save_run({"not_imported": counts}, not_imported=new)
            counts = new

    def _finish(self, **changes: Any) -> None:
        self._save_run(
            {"phase": self.run.phase},
            phase=ImportPhase.DONE,
            status=ImportRun.Status.SUCCEEDED,
            error="",
            finished_at=timezone.now(),
            **changes,
        )


def not_imported_counts(run: ImportRun) -> dict[str, int]:
    """The run's counts of bills left out, by status (Paid, Void, Draft), without paging state."""
    return {s.value: int(run.not_imported.get(s.value, 0)) for s in NOT_IMPORTED_STATUSES}


def _check_token(new: str | None, old: str | None) -> None:
    if new is not None and new == old:
        raise CodatError("Codat returned the same continuation token again; paging stopped.")


LedgerModel = TypeVar("LedgerModel", Supplier, Bill, Account, TaxRate, BankAccount)


def _upsert(
    model: type[LedgerModel], company: Company, rows: list[LedgerModel]
) -> list[LedgerModel]:
    """Insert the rows new to the company and update the others, keyed by ledger id.

    One query finds the existing ids, one bulk_create and one bulk_update write. Rows come from
    the strictly parsed client types and are checked by the database constraints, not row by
    row with full_clean (which would cost a query per row for the unique checks).
    """
    if not rows:
        return rows
    existing = dict(
        model.objects.filter(company=company, codat_id__in=[r.codat_id for r in rows]).values_list(
            "codat_id", "pk"
        )
    )
    new = [r for r in rows if r.codat_id not in existing]
    old = [r for r in rows if r.codat_id in existing]
    for row in old:
        row.pk = existing[row.codat_id]
    if new:
        model.objects.bulk_create(new)
    if old:
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in ("company", "codat_id")
        ]
        model.objects.bulk_update(old, fields)
    return rows


def _bills_upsert(company: Company, items: Sequence[codat.Bill], now: dt.datetime) -> int:
    supplier_ids = dict(
        Supplier.objects.filter(
            company=company, codat_id__in={b.supplier_ref.id for b in items}
        ).values_list("codat_id", "pk")
    )
    bills = [_bill(company, b, supplier_ids.get(b.supplier_ref.id), now) for b in items]
    _upsert(Bill, company, bills)
    if bills:
        BillLineItem.objects.filter(bill__in=[b.pk for b in bills]).delete()
    lines = [
        _line(bill, position, line)
        for bill, item in zip(bills, items, strict=True)
        for position, line in enumerate(item.line_items, start=1)
    ]
    BillLineItem.objects.bulk_create(lines)
    return len(bills)


def _text(value: str | None, limit: int = 255) -> str:
    return (value or "")[:limit]


def _status(value: object, choices: type[models.TextChoices], default: str) -> str:
    text = str(value) if value is not None else ""
    return text if text in choices.values else default


def _supplier(company: Company, s: codat.Supplier, now: dt.datetime) -> Supplier:
    return Supplier(
        company=company,
        codat_id=s.id,
        source_modified_at=s.source_modified_date,
        last_read_at=now,
        name=_text(s.supplier_name),
        contact_name=_text(s.contact_name),
        email_address=_text(s.email_address),
        phone=_text(s.phone, 100),
        addresses=[a.to_json() for a in s.addresses],
        status=_status(s.status, Supplier.Status, Supplier.Status.UNKNOWN),
        default_currency=_text(s.default_currency, 3).upper(),
        balance=s.balance,
    )


def _bill(company: Company, b: codat.Bill, supplier_id: int | None, now: dt.datetime) -> Bill:
    supplier_name = b.supplier_ref.supplier_name or ""
    search = [supplier_name, b.reference or ""] + [line.description or "" for line in b.line_items]
    return Bill(
        company=company,
        codat_id=b.id,
        source_modified_at=b.source_modified_date,
        last_read_at=now,
        supplier_id=supplier_id,
        supplier_codat_id=b.supplier_ref.id,
        supplier_name=_text(supplier_name),
        reference=_text(b.reference),
        issue_date=b.issue_date.date(),
        due_date=b.due_date.date(),
        currency=b.currency.upper()[:3],
        currency_rate=b.currency_rate,
        status=_status(b.status, Bill.Status, Bill.Status.UNKNOWN),
        total_amount=b.total_amount,
        amount_due=b.amount_due if b.amount_due is not None else b.total_amount,
        search_text=" ".join(part for part in search if part).lower(),
    )


def _line(bill: Bill, position: int, line: codat.BillLineItem) -> BillLineItem:
    quantity = line.quantity if line.quantity is not None else Decimal(1)
    unit = line.unit_amount if line.unit_amount is not None else Decimal(0)
    tax = line.tax_amount if line.tax_amount is not None else Decimal(0)
    total = line.total_amount if line.total_amount is not None else quantity * unit + tax
    return BillLineItem(
        bill=bill,
        position=position,
        description=line.description or "",
        quantity=quantity,
        unit_amount=unit,
        tax_amount=tax,
        total_amount=total,
        account_codat_id=line.account_ref.id if line.account_ref else "",
        tax_rate_codat_id=line.tax_rate_ref.id if line.tax_rate_ref else "",
    )


def _account(company: Company, a: codat.Account, now: dt.datetime) -> Account:
    return Account(
        company=company,
        codat_id=a.id,
        source_modified_at=a.source_modified_date,
        last_read_at=now,
        nominal_code=_text(a.nominal_code, 64),
        name=_text(a.name),
        type=_text(a.type, 64),
        currency=_text(a.currency, 3).upper(),
        status=_status(a.status, MappingStatus, MappingStatus.ACTIVE),
    )


def _tax_rate(company: Company, t: codat.TaxRate, now: dt.datetime) -> TaxRate:
    return TaxRate(
        company=company,
        codat_id=t.id,
        source_modified_at=t.source_modified_date,
        last_read_at=now,
        name=_text(t.name),
        code=_text(t.code, 64),
        effective_tax_rate=t.effective_tax_rate,
        total_tax_rate=t.total_tax_rate,
        status=_status(t.status, MappingStatus, MappingStatus.ACTIVE),
    )


def _bank_account(company: Company, b: codat.BankAccount, now: dt.datetime) -> BankAccount:
    return BankAccount(
        company=company,
        codat_id=b.id,
        source_modified_at=b.source_modified_date,
        last_read_at=now,
        name=_text(b.name),
        account_number=_text(b.account_number, 64),
        sort_code=_text(b.sort_code, 32),
        nominal_code=_text(b.nominal_code, 64),
        currency=_text(b.currency, 3).upper(),
        account_type=_status(b.account_type, BankAccount.Type, BankAccount.Type.UNKNOWN),
        status=_status(b.status, MappingStatus, MappingStatus.ACTIVE),
    )


# ---------------------------------------------------------------------------------------------
# Paying bills and adding bank accounts (issue 5). Never twice, never lost (STYLE rule 7): the
# payment row is committed before the ledger is called, its idempotency key travels as the
# Idempotency-Key header, the call runs outside any transaction, and its answer settles the row
# by compare-and-set. What is left pending is retried with the same key, then reconciled.

# Retries resend the same key only while the ledger still remembers it (Codat keeps an answer for
# 90 minutes; a margin for clocks and queues). After that a resend could record a second payment,
# so the reconcile job reads the bill's amount due instead.
PAYMENT_REPLAY_WINDOW = dt.timedelta(minutes=80)
# A payment still pending this long after its last attempt is the reconcile job's.
PAYMENT_RETRY_WINDOW = dt.timedelta(minutes=15)
# Payment dates: a payment made today or in the past, or scheduled soon; not a typo's year.
PAYMENT_MAX_DAYS_AHEAD = 31
PAYMENT_MAX_YEARS_BACK = 10
# ISO 4217 minor units where they are not 2.
# ISO 4217 minor units, where they are not 2 (defined once, beside the display code).
CURRENCY_DECIMALS = MINOR_UNITS


def currency_decimals(currency: str) -> int:
    return CURRENCY_DECIMALS.get(currency.upper(), 2)


def _linked_connection(company: Company) -> Connection:
    connection = linked_connection(company)
    if connection is None:
        raise UnableToPay(
            "Your accounting platform is not connected; reconnect it in company settings first."
        )
    return connection


def payment_check(
    *,
    company: Company,
    bill: Bill,
    bank_account: BankAccount,
    amount: Decimal,
    paid_on: dt.date,
    currency_rate: Decimal | None,
    amount_due: Decimal,
    today: dt.date | None = None,
) -> None:
    """Refuse a payment billpay must never send; each message says what to change."""
    today = today or timezone.localdate()
    if bill.company_id != company.pk or bank_account.company_id != company.pk:
        raise UnableToPay(
            "That bill or bank account does not belong to this company.", field="bank_account"
        )
    if not bill.is_unpaid:
        raise UnableToPay(f"This bill is {bill.get_status_display().lower()}; it cannot be paid.")
    if bank_account.status != MappingStatus.ACTIVE:
        raise UnableToPay(
            "That bank account is archived; choose an active one.", field="bank_account"
        )
    places = currency_decimals(bill.currency)
    if amount <= 0:
        raise UnableToPay("Enter an amount greater than zero.", field="amount")
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise UnableToPay(
            f"{bill.currency} amounts have at most {places} decimal places.", field="amount"
        )
    if amount > amount_due:
        raise UnableToPay(
            f"That is more than the amount due ({amount_due:.{places}f} {bill.currency}).",
            field="amount",
        )
    if paid_on > today + dt.timedelta(days=PAYMENT_MAX_DAYS_AHEAD):
        raise UnableToPay(
            f"The payment date is too far ahead; use a date at most {PAYMENT_MAX_DAYS_AHEAD} "
            "days from today.",
            field="paid_on",
        )
    if paid_on < today - dt.timedelta(days=366 * PAYMENT_MAX_YEARS_BACK):
        raise UnableToPay("The payment date is too far in the past.", field="paid_on")
    account_currency = bank_account.currency or bill.currency
    base = company.base_currency or bill.currency
    if account_currency == bill.currency:
        if currency_rate is not None and bill.currency == base and currency_rate != 1:
            raise UnableToPay(
                "A payment in the base currency has no currency rate; leave it empty.",
                field="currency_rate",
            )
        return
    if account_currency != base:
        # codat-api.md "currencyRate semantics": no payment between two non-base currencies.
        raise UnableToPay(
            f"A {bill.currency} bill can be paid from a {bill.currency} or {base} account, "
            f"not from a {account_currency} one.",
            field="bank_account",
        )
    if currency_rate is None:
        raise UnableToPay(
            f"Enter the currency rate: how many {bill.currency} one {base} buys on the payment date.",
            field="currency_rate",
        )
    if currency_rate <= 0:
        raise UnableToPay("The currency rate must be greater than zero.", field="amount")


def _event(
    payment: Payment,
    kind: str,
    *,
    status: str | None = None,
    message: str = "",
    correlation_id: str | None = "",
    actor: User | None = None,
) -> PaymentEvent:
    event = PaymentEvent(
        payment=payment,
        kind=kind,
        status=status or payment.status,
        amount=payment.amount,
        currency=payment.currency,
        message=message[:1000],
        correlation_id=(correlation_id or "")[:128],
        actor_id=actor.pk if actor is not None else None,
        created_at=timezone.now(),
    )
    event.save()
    return event


def _ledger_bill(
    client: CodatClient, company: Company, connection: Connection, bill: Bill
) -> codat.Bill | None:
    """The bill as the ledger has it now (list-bills by id: the spec has no get-bill), or None."""
    query = f"id={bill.codat_id}"
    page = client.list_bills_page(
        company.codat_company_id, connection.codat_connection_id, query=query
    )
    for item in page.items:
        if item.id == bill.codat_id:
            return item
    return None


def _bill_store(company: Company, item: codat.Bill) -> Bill:
    with transaction.atomic():
        _bills_upsert(company, [item], timezone.now())
    return Bill.objects.get(company=company, codat_id=item.id)


def _what_changed(bill: Bill, item: codat.Bill | None, expected_due: Decimal) -> list[str]:
    if item is None:
        return ["the bill is no longer in the ledger (it was deleted there)"]
    changes = []
    status = str(item.status)
    places = currency_decimals(bill.currency)
    if status == Bill.Status.PAID:
        changes.append("it was paid in full elsewhere")
    elif status == Bill.Status.VOID:
        changes.append("it was voided")
    elif status not in Bill.UNPAID:
        changes.append(f"its status is now {status}")
    due = item.amount_due if item.amount_due is not None else item.total_amount
    if due != expected_due and status != Bill.Status.PAID:
        changes.append(
            f"the amount due changed from {expected_due:.{places}f} to {due:.{places}f} "
            f"{bill.currency}"
        )
    if item.currency.upper() != bill.currency:
        changes.append(f"its currency changed from {bill.currency} to {item.currency.upper()}")
    return changes


def bill_pay(
    *,
    company: Company,
    bill: Bill,
    bank_account: BankAccount,
    amount: Decimal,
    paid_on: dt.date,
    idempotency_key: uuid.UUID,
    amount_due: Decimal,
    currency_rate: Decimal | None = None,
    reference: str = "",
    user: User | None = None,
) -> Payment:
    """Record a payment of `bill` in the ledger exactly once.

    `idempotency_key` comes with the confirmed form: a resubmit, refresh or double click returns
    the payment that key already made. `amount_due` is what the user saw when confirming; if
    the ledger's bill differs (paid, voided, changed elsewhere) nothing is sent and UnableToPay
    says what changed. A ledger that cannot be reached leaves the payment pending; a task
    retries it with the same key. Raises UnableToPay for every refusal.
    """
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_form(existing, company=company, bill=bill)
    payment_check(
        company=company,
        bill=bill,
        bank_account=bank_account,
        amount=amount,
        paid_on=paid_on,
        currency_rate=currency_rate,
        amount_due=amount_due,
    )
    connection = _linked_connection(company)
    if bank_account.currency == bill.currency and bill.currency == company.base_currency:
        currency_rate = None
    payment = Payment(
        company=company,
        bill=bill,
        bank_account=bank_account,
        amount=amount,
        currency=bill.currency,
        currency_rate=currency_rate,
        paid_on=paid_on,
        reference=reference.strip(),
        idempotency_key=idempotency_key,
        amount_due_before=amount_due,
        attempts=1,  # sent right after the bill check below
        created_by_id=user.pk if user is not None else None,
    )
    # The related rows were fetched for this company just now; the database checks the rest.
    payment.full_clean(
        exclude=["company", "bill", "bank_account", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            payment.save()
            _event(payment, PaymentEvent.Kind.CREATED, actor=user)
    except IntegrityError:
        # The database decides the races: the same form twice at once, or another payment of
        # this bill in flight (the one-pending-per-bill constraint).
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_form(existing, company=company, bill=bill)
        raise UnableToPay(_in_flight_message(bill)) from None

    # Right before recording: the ledger's bill must still be what the user confirmed.
    with codat_client() as client:
        try:
            item = _ledger_bill(client, company, connection, bill)
        except CodatError as exc:
            _stop(payment, f"The ledger could not be read to check the bill: {exc.message}", user)
            raise UnableToPay(
                f"Nothing was recorded: the bill could not be checked in the ledger "
                f"({exc.message}). Try again in a moment."
            ) from exc
        changes = _what_changed(bill, item, amount_due)
        if changes:
            if item is not None:
                _bill_store(company, item)  # the user sees the ledger's figures from now on
            _stop(payment, "The bill changed in the ledger: " + "; ".join(changes) + ".", user)
            raise UnableToPay(
                "Nothing was recorded, because since you confirmed "
                + "; ".join(changes)
                + ". Check the bill and pay again if something is still due."
            )
        payment = _submit(client, payment.pk, connection=connection, actor=user, first=True)
    if payment.status == Payment.Status.FAILED:
        raise UnableToPay(f"The ledger refused the payment: {payment.last_error}")
    if payment.status == Payment.Status.PENDING:
        _enqueue_retry(payment)
    return payment


def _same_form(payment: Payment, *, company: Company, bill: Bill) -> Payment:
    if payment.company_id != company.pk or payment.bill_id != bill.pk:
        raise UnableToPay("This payment form is not valid any more; start the payment again.")
    return payment


def _in_flight_message(bill: Bill) -> str:
    pending = Payment.objects.filter(bill=bill, status=Payment.Status.PENDING).first()
    who = ""
    if pending is not None and pending.created_by is not None:
        who = f" by {pending.created_by}"
    when = f" at {timezone.localtime(pending.created_at):%H:%M}" if pending else ""
    return (
        f"Another payment of this bill was started{who}{when} and is still being recorded; "
        "nothing more was sent. Wait for it to finish, then check the amount due."
    )


def _stop(payment: Payment, message: str, actor: User | None) -> None:
    now = timezone.now()
    stopped = Payment.objects.filter(
        pk=payment.pk, status=Payment.Status.PENDING
    ).update(
        status=Payment.Status.STOPPED,
        attempts=0,  # nothing was sent
        last_error=message[:1000],
        updated_at=now,
        settled_at=now,
    )
    if stopped:
        payment.status = Payment.Status.STOPPED
        _event(payment, PaymentEvent.Kind.STOPPED, message=message, actor=actor)


def _settle(payment: Payment, status: str, **changes: Any) -> bool:
    """Compare-and-set a pending payment to its final status; False if it was settled already."""
    now = timezone.now()
    return bool(
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            status=status, updated_at=now, settled_at=now, **changes
        )
    )


def _submit(
    client: CodatClient,
    payment_id: int,
    *,
    connection: Connection,
    actor: User | None = None,
    raise_unavailable: bool = False,
    first: bool = False,
) -> Payment:
    """Send a pending payment to the ledger with its key and settle it by the answer."""
    # The body is built from the stored row, never from the form: every resend of this key must
    # be byte-for-byte the same, or the ledger answers 422 instead of replaying.
    payment = Payment.objects.select_related("company", "bank_account", "bill").get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    if not first:  # the first attempt was counted when the row was created
        Payment.objects.filter(pk=payment.pk).update(
            attempts=F("attempts") + 1, updated_at=timezone.now()
        )
        payment.attempts += 1
    prototype = codat.BillPaymentPrototype(
        amount=payment.amount,
        date=payment.paid_on,
        account_id=payment.bank_account.codat_id,
        reference=payment.reference or None,
        currency_rate=payment.currency_rate,
    )
    try:
        recorded = client.create_bill_payment(
            payment.company.codat_company_id,
            connection.codat_connection_id,
            payment.bill.codat_id,
            prototype,
            idempotency_key=str(payment.idempotency_key),
        )
    except CodatUnavailable as exc:
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            last_error=exc.message[:1000]
        )
        payment.last_error = exc.message[:1000]
        _event(
            payment,
            PaymentEvent.Kind.UNAVAILABLE,
            message=exc.message,
            correlation_id=exc.correlation_id,
            actor=actor,
        )
        if raise_unavailable:
            raise
        return payment
    except (CodatRejected, CodatAuthError) as exc:
        message = "; ".join(exc.form_messages()) if isinstance(exc, CodatRejected) else exc.message
        if _settle(payment, Payment.Status.FAILED, last_error=message[:1000]):
            payment.refresh_from_db()
            _event(
                payment,
                PaymentEvent.Kind.REJECTED,
                message=message,
                correlation_id=exc.correlation_id,
                actor=actor,
            )
        payment.refresh_from_db()
        return payment
    except CodatError as exc:
        # An answer of the wrong shape: the ledger may have recorded it. Left pending for the
        # reconcile job, which reads the bill's amount due.
        Payment.objects.filter(pk=payment.pk).update(last_error=exc.message[:1000])
        payment.last_error = exc.message[:1000]
        _event(payment, PaymentEvent.Kind.NEEDS_REVIEW, message=exc.message, actor=actor)
        return payment
    # The bill is read back before the row is settled, so that both land in one commit; a crash
    # in between leaves the row pending, and its retry is replayed by the ledger.
    item = _read_back(client, payment, connection)
    codat_id = recorded.id[:64]
    with transaction.atomic():
        if _settle(payment, Payment.Status.SUCCEEDED, codat_id=codat_id, last_error=""):
            payment.status, payment.codat_id, payment.last_error = (
                Payment.Status.SUCCEEDED,
                codat_id,
                "",
            )
            _event(payment, PaymentEvent.Kind.SUCCEEDED, correlation_id=recorded.id, actor=actor)
        if item is not None:
            _bill_follow(payment.bill, item)
    if payment.status != Payment.Status.SUCCEEDED:
        payment.refresh_from_db()  # settled meanwhile (a parallel retry or the reconcile job)
    return payment


def _read_back(client: CodatClient, payment: Payment, connection: Connection) -> codat.Bill | None:
    """After a payment, read the bill back so its amount due and status follow the ledger."""
    try:
        return _ledger_bill(client, payment.company, connection, payment.bill)
    except CodatError as exc:
        # The next read of the bill (a payment's check, a refresh) catches up.
        logger.warning(
            "Reading bill %s back after payment %s failed: %s", payment.bill_id, payment.pk, exc
        )
        return None


def _bill_follow(bill: Bill, item: codat.Bill) -> None:
    """Copy what a payment changes on the ledger's bill (status, amounts) to the local copy."""
    fields = {
        "status": _status(item.status, Bill.Status, Bill.Status.UNKNOWN),
        "total_amount": item.total_amount,
        "amount_due": item.amount_due if item.amount_due is not None else item.total_amount,
        "source_modified_at": item.source_modified_date,
        "last_read_at": timezone.now(),
    }
    Bill.objects.filter(pk=bill.pk).update(**fields)
    for name, value in fields.items():
        setattr(bill, name, value)


def _enqueue_retry(payment: Payment) -> None:
    from payables.tasks import payment_retry as task

    task.delay_on_commit(payment.pk)


def payment_retry(*, payment_id: int) -> Payment:
    """Resend a pending payment with its own key (the ledger replays it if it was recorded).

    Raises CodatUnavailable while the ledger cannot be reached, for the task to retry. Past the
    ledger's replay window it sends nothing and leaves the payment to `payments_reconcile`.
    """
    payment = Payment.objects.select_related("company").get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    if payment.created_at < timezone.now() - PAYMENT_REPLAY_WINDOW:
        return payment
    connection = _linked_connection(payment.company)
    with codat_client() as client:
        return _submit(client, payment.pk, connection=connection, raise_unavailable=True)


@dataclass
class ReconcileResult:
    """What one run of `payments_reconcile` did, by outcome."""

    checked: int = 0
    resent: int = 0
    succeeded: int = 0
    failed: int = 0
    still_pending: int = 0


def payments_reconcile(
    *, now: dt.datetime | None = None, older_than: dt.timedelta = PAYMENT_RETRY_WINDOW
) -> ReconcileResult:
    """Settle payments left pending past the retry window by asking the ledger.

    Within the ledger's replay window the payment is resent with its key (a replay if it was
    recorded). After it, the bill's amount due tells: lowered by exactly this payment means it
    was recorded; unchanged means it never arrived; anything else needs a person.
    """
    now = now or timezone.now()
    result = ReconcileResult()
    stale = (
        Payment.objects.pending()
        .filter(updated_at__lt=now - older_than)
        .select_related("company", "bill")
        .order_by("updated_at")[:500]
    )
    for payment in stale:
        result.checked += 1
        try:
            connection = _linked_connection(payment.company)
        except UnableToPay:
            result.still_pending += 1
            continue
        with codat_client() as client:
            if payment.created_at >= now - PAYMENT_REPLAY_WINDOW:
                result.resent += 1
                payment = _submit(client, payment.pk, connection=connection)
            else:
                payment = _reconcile_by_amount_due(client, payment, connection)
        if payment.status == Payment.Status.SUCCEEDED:
            result.succeeded += 1
        elif payment.status == Payment.Status.FAILED:
            result.failed += 1
        else:
            result.still_pending += 1
    return result


def _reconcile_by_amount_due(
    client: CodatClient, payment: Payment, connection: Connection
) -> Payment:
    try:
        item = _ledger_bill(client, payment.company, connection, payment.bill)
    except CodatError as exc:
        logger.warning("Reconciling payment %s: the ledger was not readable: %s", payment.pk, exc)
        return payment
    if item is None:
        message = "The bill is no longer in the ledger; check the payment there."
        _review(payment, message)
        return payment
    due = item.amount_due if item.amount_due is not None else item.total_amount
    if due == payment.amount_due_before - payment.amount:
        message = "Found in the ledger: the bill's amount due fell by exactly this payment."
        if _settle(payment, Payment.Status.SUCCEEDED, last_error=""):
            payment.refresh_from_db()
            _event(payment, PaymentEvent.Kind.RECONCILED, message=message)
    elif due == payment.amount_due_before:
        message = "Not in the ledger: the bill's amount due is unchanged, so it was never recorded."
        if _settle(payment, Payment.Status.FAILED, last_error=message):
            payment.refresh_from_db()
            _event(payment, PaymentEvent.Kind.RECONCILED, message=message)
    else:
        message = (
            f"The bill's amount due is {due} (it was {payment.amount_due_before} before this "
            f"payment of {payment.amount}); it also changed elsewhere. Check it in the ledger."
        )
        _review(payment, message)
    _bill_store(payment.company, item)
    payment.refresh_from_db()
    return payment


def _review(payment: Payment, message: str) -> None:
    """Flag a payment the reconcile job cannot settle; logged once, not at every run."""
    Payment.objects.filter(pk=payment.pk).update(last_error=message, updated_at=timezone.now())
    last = payment.events.order_by("-created_at", "-id").values_list("kind", "message").first()
    if last != (PaymentEvent.Kind.NEEDS_REVIEW, message):
        _event(payment, PaymentEvent.Kind.NEEDS_REVIEW, message=message)


def bank_account_create(
    *,
    company: Company,
    name: str,
    account_type: str,
    account_number: str,
    currency: str,
    idempotency_key: uuid.UUID,
    sort_code: str = "",
    nominal_code: str = "",
) -> BankAccount:
    """Create a bank account in the ledger and keep its copy; it can be paid from at once.

    Raises PaymentError with the ledger's message when it refuses, or is unavailable.
    """
    connection = _linked_connection(company)
    prototype = codat.BankAccountPrototype(
        name=name.strip(),
        account_type=codat.BankAccountType(account_type),
        account_number=account_number.strip(),
        currency=currency.strip().upper(),
        sort_code=sort_code.strip() or None,
        nominal_code=nominal_code.strip() or None,
    )
    try:
        with codat_client() as client:
            created = client.create_bank_account(
                company.codat_company_id,
                connection.codat_connection_id,
                prototype,
                idempotency_key=str(idempotency_key),
            )
    except CodatRejected as exc:
        message = "; ".join(exc.form_messages())
        raise PaymentError(f"The ledger refused the bank account: {message}") from exc
    except CodatError as exc:
        raise PaymentError(f"The ledger could not be reached: {exc.message} Try again.") from exc
    with transaction.atomic():
        (row,) = _upsert(BankAccount, company, [_bank_account(company, created, timezone.now())])
    return BankAccount.objects.get(company=company, codat_id=row.codat_id)


# ---------------------------------------------------------------------------------------------
# Creating and editing bills, suppliers inline, attachments (issue 4)


class PayablesError(Exception):
    """An anticipated failure of a payables write; `message` and `field_errors` are safe to show."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class BillError(PayablesError):
    """The bill was not created or changed in the ledger, nor in billpay."""


class LedgerUnavailable(BillError):
    """The ledger did not answer; `same_key_safe`: retrying with the same key cannot duplicate."""

    def __init__(self, message: str, *, same_key_safe: bool) -> None:
        super().__init__(message)
        self.same_key_safe = same_key_safe


class AttachmentError(PayablesError):
    """An attachment could not be stored, sent or read."""


@dataclass(frozen=True, slots=True)
class BillLineInput:
    """A line as the user entered it, already checked against the company's mapping options."""

    description: str
    quantity: Decimal
    unit_amount: Decimal
    account: Account
    tax_rate: TaxRate | None


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
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    return (quantity * unit_amount * percent / 100).quantize(exponent, rounding=ROUND_HALF_UP)


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


def _bill_connection(company: Company, error: type[PayablesError] = BillError) -> Connection:
    connection = linked_connection(company)
    if connection is None:
        raise error("Connect your accounting platform first: there is no linked connection.")
    return connection


# Codat names fields in backticks ("`Reference Length` must be ..."): the form field each concerns.
_LEDGER_FIELDS = (
    ("`reference", "reference"),
    ("`supplier", "supplier"),
    ("supplierref", "supplier"),
    ("`issue date", "issue_date"),
    ("`due date", "due_date"),
    ("currency", "currency"),
)


def _rejected(exc: CodatRejected, error: type[PayablesError] = BillError) -> PayablesError:
    field_errors: dict[str, list[str]] = {}
    top: list[str] = []
    for message in exc.form_messages():
        lowered = message.lower()
        field = next((f for hint, f in _LEDGER_FIELDS if hint in lowered), None)
        if field is None:
            top.append(message)
        else:
            field_errors.setdefault(field, []).append(message)
    if top:
        return error(f"The ledger refused this: {' '.join(top)}", field_errors=field_errors)
    return error("The ledger refused this: see the fields marked below.", field_errors=field_errors)


def _unavailable(exc: CodatUnavailable) -> LedgerUnavailable:
    # No answer (a timeout): the write may have happened, and only the same Idempotency-Key can
    # find out without duplicating. 409 (the same key still in flight) and 429 (never cached) also
    # keep the key. A 5xx answer is cached by Codat for that key, so the next try needs a new one.
    same_key_safe = exc.status_code is None or exc.status_code in (409, 429)
    return LedgerUnavailable(
        "The accounting platform did not answer, so nothing was saved. Your input is kept: "
        f"try again in a moment. ({exc.message})",
        same_key_safe=same_key_safe,
    )


def mapping_options_refresh(*, company: Company) -> int:
    """Re-read the bill mapping options (accounts, tax rates) now; return how many were read."""
    connection = _bill_connection(company, PayablesError)
    try:
        with codat_client() as client:
            options = client.get_mapping_options_bills(
                company.codat_company_id,
                connection.codat_connection_id,
                status_query="status=Active||status=Archived",
            )
    except CodatError as exc:
        raise PayablesError(f"The mapping options could not be read: {exc.message}") from exc
    now = timezone.now()
    with transaction.atomic():
        _upsert(Account, company, [_account(company, a, now) for a in options.accounts])
        _upsert(TaxRate, company, [_tax_rate(company, t, now) for t in options.tax_rates])
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
) -> codat.BillPrototype:
    return codat.BillPrototype(
        supplier_ref=codat.SupplierRef(id=supplier.codat_id),
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        reference=reference or None,
        line_items=tuple(
            codat.BillLineItemPrototype(
                description=line.description or None,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                tax_amount=line_tax(line.quantity, line.unit_amount, line.tax_rate, currency),
                account_ref=codat.RecordRef(id=line.account.codat_id),
                tax_rate_ref=codat.RecordRef(id=line.tax_rate.codat_id) if line.tax_rate else None,
            )
            for line in lines
        ),
    )


def _check_bill_input(
    company: Company,
    supplier: Supplier,
    issue_date: dt.date,
    due_date: dt.date,
    lines: Sequence[BillLineInput],
) -> None:
    # The form checks all this for the user; the service refuses it too, for any other caller.
    problems: dict[str, list[str]] = {}
    if supplier.company_id != company.pk or supplier.status == Supplier.Status.ARCHIVED:
        problems["supplier"] = ["Choose an active supplier of this company."]
    if due_date < issue_date:
        problems["due_date"] = ["The due date cannot be before the issue date."]
    if not lines:
        problems["__all__"] = ["Add at least one line item."]
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
    if problems:
        raise BillError("The bill was not saved: check the marked fields.", field_errors=problems)


def _created_bill_store(company: Company, created: codat.Bill, key: uuid.UUID, kind: str) -> Bill:
    """Keep the ledger's bill locally with its lines and the submission's key, in one transaction."""
    supplier_id = (
        Supplier.objects.filter(company=company, codat_id=created.supplier_ref.id)
        .values_list("pk", flat=True)
        .first()
    )
    row = _bill(company, created, supplier_id, timezone.now())
    row.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            _upsert(Bill, company, [row])
            bill = Bill.objects.select_for_update().get(company=company, codat_id=created.id)
            BillLineItem.objects.filter(bill=bill).delete()
            BillLineItem.objects.bulk_create(
                [_line(bill, n, line) for n, line in enumerate(created.line_items, start=1)]
            )
            BillSubmission.objects.create(company=company, key=key, kind=kind, bill=bill)
    except IntegrityError:
        # The same submission raced this one past the first check; it stored the same bill.
        return BillSubmission.objects.select_related("bill").get(company=company, key=key).bill
    return bill


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
) -> Bill:
    """Create an Open bill in the ledger (keyed by the form's token), then keep it locally.

    A second call with the same key returns the first call's bill without a second ledger write.
    """
    done = _submitted(company, idempotency_key)
    if done is not None:
        return done
    _check_bill_input(company, supplier, issue_date, due_date, lines)
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

    return _bill_write(company, idempotency_key, BillSubmission.Kind.CREATE, send)


def _bill_write(
    company: Company,
    idempotency_key: uuid.UUID,
    kind: str,
    send: Callable[[CodatClient, str, str], codat.Bill],
) -> Bill:
    """Send a bill create or update to the ledger, its refusals turned into BillErrors, then
    store what the ledger answered."""
    connection = _bill_connection(company)
    try:
        with codat_client() as client:
            written = send(client, company.codat_company_id, connection.codat_connection_id)
    except CodatRejected as exc:
        raise _rejected(exc) from exc
    except CodatUnavailable as exc:
        raise _unavailable(exc) from exc
    except CodatError as exc:
        raise BillError(exc.message) from exc
    return _created_bill_store(company, written, idempotency_key, kind)


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
) -> Bill:
    """Replace an Open, unpaid bill's fields and every line in the ledger, then locally."""
    company = bill.company
    done = _submitted(company, idempotency_key)
    if done is not None:
        return done
    refusal = bill_edit_refusal(bill)
    if refusal:
        raise BillError(refusal)
    _check_bill_input(company, supplier, issue_date, due_date, lines)
    prototype = _bill_prototype(
        supplier=supplier,
        reference=reference,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        lines=lines,
    )

    def send(client: CodatClient, company_id: str, connection_id: str) -> codat.Bill:
        return client.update_bill(
            company_id,
            connection_id,
            bill.codat_id,
            prototype,
            idempotency_key=str(idempotency_key),
        )

    return _bill_write(company, idempotency_key, BillSubmission.Kind.UPDATE, send)


def attachment_upload(*, bill: Bill, upload: File[Any]) -> Attachment:
    """Check a file, keep it in billpay's storage as pending, then send it to the ledger.

    Nothing is stored when the file is refused. When the ledger does not answer, the attachment
    stays pending and a task retries it.
    """
    connection = _bill_connection(bill.company, AttachmentError)
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    try:
        checked = check_file(
            name=upload.name or "",
            size=upload.size or 0,
            head=head,
            limits=limits_for(connection.platform_key),
        )
    except FileRefused as exc:
        raise AttachmentError(exc.message) from exc
    attachment = Attachment(
        company=bill.company,
        bill=bill,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sync_status=Attachment.SyncStatus.PENDING,
    )
    # Storage I/O (S3) happens before, not inside, the transaction.
    attachment.file.save(checked.name, upload, save=False)
    attachment.full_clean()
    with transaction.atomic():
        attachment.save()
    return _attachment_push(attachment)


def attachment_from_document(*, bill: Bill, document: BillDocument) -> Attachment:
    """Attach a dropped document to its new bill (the stored file is reused, not copied)."""
    attachment = Attachment(
        company=bill.company,
        bill=bill,
        name=document.name,
        content_type=document.content_type,
        size=document.size,
        file=document.file.name,
        sync_status=Attachment.SyncStatus.PENDING,
    )
    attachment.full_clean()
    with transaction.atomic():
        attachment.save()
        BillDocument.objects.filter(pk=document.pk).delete()
    return _attachment_push(attachment)


def bill_document_create(*, company: Company, upload: File[Any] | None) -> BillDocument:
    """Keep a dropped PDF or image (checked like an attachment) until its bill is saved."""
    connection = _bill_connection(company, AttachmentError)
    if upload is None:
        raise AttachmentError("Choose a PDF or an image of the bill.")
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    try:
        checked = check_file(
            name=upload.name or "",
            size=upload.size or 0,
            head=head,
            limits=limits_for(connection.platform_key),
            extensions=DOCUMENT_EXTENSIONS,
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


def _attachment_push(attachment: Attachment) -> Attachment:
    from payables.tasks import attachment_sync as attachment_sync_task

    try:
        return attachment_sync(attachment_id=attachment.pk)
    except CodatUnavailable:
        attachment_sync_task.delay_on_commit(attachment.pk)
        attachment.refresh_from_db()
        return attachment


def attachment_retry(*, attachment: Attachment) -> Attachment:
    """Send a failed or pending attachment to the ledger again."""
    Attachment.objects.filter(pk=attachment.pk, sync_status=Attachment.SyncStatus.FAILED).update(
        sync_status=Attachment.SyncStatus.PENDING, sync_error=""
    )
    return _attachment_push(attachment)


def _attachment_set(attachment_id: int, **changes: Any) -> None:
    # Compare-and-set: a synced attachment never goes back to pending or failed.
    Attachment.objects.filter(pk=attachment_id).exclude(
        sync_status=Attachment.SyncStatus.SYNCED
    ).update(**changes)


def attachment_sync(*, attachment_id: int) -> Attachment:
    """Send a pending attachment to the ledger, then list the bill's attachments back and check
    the name and size. Raises CodatUnavailable (retryable) and leaves it pending."""
    attachment = Attachment.objects.select_related("bill", "company").get(pk=attachment_id)
    if attachment.sync_status == Attachment.SyncStatus.SYNCED:
        return attachment
    bill = attachment.bill
    failed = Attachment.SyncStatus.FAILED
    try:
        connection = _bill_connection(bill.company, AttachmentError)
        ids = (bill.company.codat_company_id, connection.codat_connection_id, bill.codat_id)
        with codat_client() as client:
            # Uploads carry no idempotency key: an earlier upload whose answer was lost may have
            # landed. A ledger copy with the same name and size that no other row claims is it.
            claimed = set(
                Attachment.objects.filter(bill=bill)
                .exclude(pk=attachment.pk)
                .exclude(codat_id="")
                .values_list("codat_id", flat=True)
            )
            listed = client.list_bill_attachments(*ids)
            match = next(
                (
                    a
                    for a in listed
                    if a.id not in claimed
                    and a.name == attachment.name
                    and a.file_size == attachment.size
                ),
                None,
            )
            if match is None:
                with attachment.file.open("rb") as content:
                    uploaded = client.upload_bill_attachment(
                        *ids,
                        filename=attachment.name,
                        content=cast(BinaryIO, content),
                        content_type=attachment.content_type,
                    )
                listed = client.list_bill_attachments(*ids)
                match = next((a for a in listed if a.id == uploaded.id), None)
        _attachments_adopt(bill, listed, keep=match.id if match else "")
    except CodatUnavailable as exc:
        _attachment_set(attachment_id, sync_error=f"Waiting for the ledger: {exc.message}"[:500])
        raise
    except (CodatError, AttachmentError) as exc:
        _attachment_set(attachment_id, sync_status=failed, sync_error=str(exc.args[0])[:500])
        attachment.refresh_from_db()
        return attachment
    if match is None:
        message = "The ledger accepted the file but does not list it on the bill."
        _attachment_set(attachment_id, sync_status=failed, sync_error=message)
    elif match.name != attachment.name or match.file_size != attachment.size:
        message = (
            f"The ledger lists “{match.name}” ({match.file_size} bytes); billpay sent "
            f"“{attachment.name}” ({attachment.size} bytes)."
        )
        _attachment_set(
            attachment_id, sync_status=failed, sync_error=message[:500], codat_id=match.id
        )
    else:
        _attachment_set(
            attachment_id,
            sync_status=Attachment.SyncStatus.SYNCED,
            sync_error="",
            codat_id=match.id,
        )
    attachment.refresh_from_db()
    return attachment


def _attachments_adopt(bill: Bill, listed: Sequence[codat.Attachment], *, keep: str) -> None:
    """Rows for the files the ledger lists on the bill that billpay does not know yet (attached in
    the platform itself): shown in the list, downloaded from the ledger on first use."""
    known = set(
        Attachment.objects.filter(bill=bill).exclude(codat_id="").values_list("codat_id", flat=True)
    )
    new = [
        Attachment(
            company_id=bill.company_id,
            bill=bill,
            codat_id=a.id,
            name=clean_filename_or(a.name or "", f"attachment-{a.id[:8]}"),
            content_type=a.content_type or "",
            size=a.file_size,
            sync_status=Attachment.SyncStatus.SYNCED,
            created_at=a.date_created or timezone.now(),
        )
        for a in listed
        if a.id not in known and a.id != keep
    ]
    Attachment.objects.bulk_create(new)


def clean_filename_or(name: str, default: str) -> str:
    try:
        return clean_filename(name)
    except FileRefused:
        return default


def attachment_give_up(*, attachment_id: int, message: str) -> None:
    """Mark a pending attachment failed after the last retry, with the reason."""
    _attachment_set(
        attachment_id, sync_status=Attachment.SyncStatus.FAILED, sync_error=message[:500]
    )


def attachment_open(*, attachment: Attachment) -> File[Any]:
    """The attachment's bytes: billpay's copy, or the ledger's (streamed into a local copy)."""
    if attachment.file.name and attachment.file.storage.exists(attachment.file.name):
        return attachment.file.open("rb")
    if not attachment.codat_id:
        raise AttachmentError("This file is neither in billpay's storage nor in the ledger.")
    bill = attachment.bill
    connection = _bill_connection(bill.company, AttachmentError)
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (handed to storage)
    try:
        with codat_client() as client:
            client.download_bill_attachment_to(
                bill.company.codat_company_id,
                connection.codat_connection_id,
                bill.codat_id,
                attachment.codat_id,
                spool,
            )
    except CodatError as exc:
        spool.close()
        raise AttachmentError(f"The ledger could not send the file: {exc.message}") from exc
    spool.seek(0)
    attachment.file.save(attachment.name, File(spool, name=attachment.name), save=False)
    spool.close()
    Attachment.objects.filter(pk=attachment.pk).update(file=attachment.file.name)
    return attachment.file.open("rb")
