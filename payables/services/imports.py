"""Importing the ledger's payables into billpay when a company links its platform.

An import is an `ImportRun` worked through in phases (company, mapping options, suppliers, unpaid
bills, a count of the bills left out), each page committed with its continuation token so that a
failed attempt resumes where it stopped. `RunAttempt` is shared with the refresh
(`payables.services.sync`), and the row builders and `_upsert` that store what the ledger answers
are reused by the refresh, payments and bills.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import codat.types as codat
from accounts.models import Company, Connection
from billpay.ledger import codat_client
from codat.client import CodatClient
from codat.errors import CodatError
from payables.models import (
    Account,
    BankAccount,
    Bill,
    BillLineItem,
    ImportRun,
    MappingStatus,
    Supplier,
    TaxRate,
)


def payables_import_start(
    *, company: Company, connection: Connection, kind: str = ImportRun.Kind.FIRST_LINK
) -> ImportRun:
    """Start an import of the company's payables, or return the one already pending or running."""
    if connection.company_id != company.pk:
        raise ValueError("The connection belongs to another company.")
    live = ImportRun.objects.filter(company=company, status__in=ImportRun.ACTIVE).first()
    if live is not None:
        # A live run whose worker died is resumed, never handed back to wait on.
        return payables_import_retry(run=live) if live.is_stalled() else live
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
    """Put a failed or stalled import (or refresh) back in the queue; it resumes where it stopped.

    The same run is reset to pending (not copied): its continuation tokens and counters are
    kept, so the retry picks up at the page that failed, and the progress page's URL stays valid.
    A run that is live and still making progress is left alone. If another import became live
    for the company meanwhile, that one is returned instead.
    """
    now = timezone.now()
    failed = Q(status=ImportRun.Status.FAILED)
    try:
        _resume(run, failed | ImportRun.stalled(now), now=now, error="", resumes=0)
    except IntegrityError:
        return ImportRun.objects.get(company_id=run.company_id, status__in=ImportRun.ACTIVE)
    run.refresh_from_db()
    return run


def import_runs_resume_stalled(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Resume the live runs whose worker died (no progress for IMPORT_STALL_SECONDS), up to
    IMPORT_STALL_MAX_RESUMES times each; past that, fail them with a message for a person.
    Returns (resumed, failed)."""
    now = now or timezone.now()
    resumed = failed = 0
    for run in ImportRun.objects.filter(ImportRun.stalled(now)).order_by("id"):
        # Compare-and-set on what was read: a run that moved on meanwhile (a late worker stored a
        # page, a person pressed Retry) is left to it.
        seen = ImportRun.stalled(now) & Q(
            status=run.status, lease=run.lease, progressed_at=run.progressed_at
        )
        noun = "import" if run.kind == ImportRun.Kind.FIRST_LINK else "refresh"
        if run.resumes < settings.IMPORT_STALL_MAX_RESUMES:
            attempt = run.resumes + 1
            note = (
                f"The {noun} stopped making progress, so billpay resumed it from where it "
                f"stopped (automatic retry {attempt} of {settings.IMPORT_STALL_MAX_RESUMES})."
            )
            resumed += _resume(run, seen, now=now, error=note, resumes=F("resumes") + 1)
            continue
        minutes = max(1, round(settings.IMPORT_STALL_SECONDS / 60))
        message = (
            f"it made no progress for {minutes} minute{'s' if minutes != 1 else ''}, even after "
            f"{run.resumes} automatic retr{'ies' if run.resumes != 1 else 'y'}. Trying again "
            "carries on from where it stopped."
        )
        failed += ImportRun.objects.filter(seen, pk=run.pk).update(
            status=ImportRun.Status.FAILED, error=message, finished_at=now, lease=""
        )
    return resumed, failed


def _resume(run: ImportRun, condition: Q, *, now: dt.datetime, **changes: Any) -> int:
    """Compare-and-set the run back to pending (no lease: the next task to claim it holds it)
    when `condition` still holds, and queue its task; returns 1 if it was reset."""
    with transaction.atomic():
        reset = ImportRun.objects.filter(condition, pk=run.pk).update(
            status=ImportRun.Status.PENDING,
            lease="",
            progressed_at=now,
            finished_at=None,
            **changes,
        )
        if reset:
            _enqueue(run)
    return reset


def _enqueue(run: ImportRun) -> None:
    from payables.tasks import payables_import, payables_refresh

    task = payables_refresh if run.kind == ImportRun.Kind.REFRESH else payables_import
    task.delay_on_commit(run.pk)


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


def payables_import_run(*, run_id: int, lease: str | None = None) -> ImportRun:
    """Run (or resume) an import: every phase from the stored one, each page committed with its
    continuation token, so that a failure resumes at the page that failed.

    `lease` names this attempt (the task passes its id, which its retries keep); every write is
    refused once another attempt holds the run. Raises CodatError (CodatUnavailable is
    retryable) and leaves the run running; the task decides when to give up
    (`payables_import_fail`).
    """
    return _Importer.drive(run_id=run_id, lease=lease)


def _held(run_id: int, lease: str | None) -> Q:
    # A live run, and, when the caller names its attempt, still held by it: an attempt that lost
    # the run (resumed elsewhere after a stall) must not fail or annotate the new attempt.
    held = Q(pk=run_id, status__in=ImportRun.ACTIVE)
    return held if lease is None else held & Q(lease=lease)


def payables_import_fail(*, run_id: int, message: str, lease: str | None = None) -> ImportRun:
    """Mark a live import failed with a message the user may read."""
    ImportRun.objects.filter(_held(run_id, lease)).update(
        status=ImportRun.Status.FAILED,
        error=message[:1000],
        finished_at=timezone.now(),
    )
    return ImportRun.objects.get(pk=run_id)


def payables_import_note(*, run_id: int, message: str, lease: str | None = None) -> None:
    """Record a passing problem (the ledger is busy) on a live import that will be retried.

    The note is a heartbeat too: the task is alive and backing off, not dead."""
    ImportRun.objects.filter(_held(run_id, lease)).update(
        error=message[:1000], progressed_at=timezone.now()
    )


class RunAttempt:
    """One attempt at an import run (the first-link import, or a refresh in
    payables.services.sync): its phases run in order from the one the run stored, and every write
    to the run is a compare-and-set, so that a redelivered copy of the task never double-counts."""

    phases: ClassVar[type[StrEnum]]

    def __init__(self, *, run: ImportRun, client: CodatClient, lease: str = "") -> None:
        self.run = run
        self.client = client
        self.lease = lease
        self.company = run.company
        self.cid = run.company.codat_company_id
        self.conn = run.connection.codat_connection_id

    @classmethod
    def drive(cls, *, run_id: int, lease: str | None = None, **only: Any) -> ImportRun:
        """Claim the run (one more attempt), then run its phases from the stored one; `only`
        narrows which runs may be claimed (kind=...).

        A run is claimed when it is pending, already held by this lease (a retry of the same
        task), or stalled (its holder died). One that another attempt holds and is moving on is
        left to it."""
        lease = (lease or uuid.uuid4().hex)[:32]
        now = timezone.now()
        claimable = Q(status=ImportRun.Status.PENDING) | Q(lease=lease) | ImportRun.stalled(now)
        claimed = ImportRun.objects.filter(
            claimable, pk=run_id, status__in=ImportRun.ACTIVE, **only
        ).update(
            status=ImportRun.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=Coalesce("started_at", Value(now)),
            progressed_at=now,
            lease=lease,
            error="",
        )
        run = ImportRun.objects.select_related("company", "connection").get(pk=run_id)
        if not claimed:
            return run
        phases = list(cls.phases)
        start = phases.index(cls.phases(run.phase)) if run.phase else 0
        try:
            with codat_client() as client:
                attempt = cls(run=run, client=client, lease=lease)
                for phase in phases[start:]:
                    attempt.set_phase(phase)
                    attempt.run_phase(phase)
        except _Superseded:
            pass
        run.refresh_from_db()
        return run

    def _save_run(self, expected: dict[str, Any], **changes: Any) -> None:
        # Compare-and-set on this attempt's lease and the fields it last saw: a run resumed
        # elsewhere after a stall, or a redelivered copy of the task that got further first,
        # makes this attempt stop instead of writing over it or double-counting. Every write is
        # also the run's heartbeat.
        changes.setdefault("progressed_at", timezone.now())
        updated = ImportRun.objects.filter(
            pk=self.run.pk, status=ImportRun.Status.RUNNING, lease=self.lease, **expected
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
                self._save_run({})
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
                self._save_run({})
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
        # Scoped to the company like the read above: each batch's UPDATE is pinned to it, and
        # the version bump needs no query to learn whose rows changed.
        model.objects.filter(company=company).bulk_update(old, fields)
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
