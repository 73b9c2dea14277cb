"""Keeping billpay in step with the ledger after the first-link import: scheduled and on-demand
refreshes that read only what changed, clean-up of stuck runs, and the sync-health checks.

A refresh is an `ImportRun` of kind REFRESH, so it shares the one-live-run-per-company rule with
the first-link import and is recorded the same way (start, end, counts, error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

import codat.types as codat
from accounts.models import Company, Connection, User
from accounts.services import audit_log_record, connection_status_store
from codat.client import CodatClient
from codat.errors import CodatAuthError, CodatError, CodatNotFound
from codat.money import format_money
from payables.inbox import short_date
from payables.models import (
    Account,
    Attachment,
    BankAccount,
    Bill,
    ImportRun,
    Payment,
    Supplier,
    TaxRate,
)
from payables.services.imports import (
    RunAttempt,
    _account,
    _bank_account,
    _bills_upsert,
    _check_token,
    _supplier,
    _tax_rate,
    _upsert,
    payables_import_retry,
)
from payables.services.payments import PAYMENT_REPLAY_WINDOW


class Trigger(StrEnum):
    """What started a refresh, kept on its run."""

    SCHEDULE = "schedule"
    USER = "user"
    STAFF = "staff"
    WEBHOOK = "webhook"


class RefreshPhase(StrEnum):
    """The steps of a refresh, in order; `ImportRun.phase` holds the one in progress."""

    CONNECTION = "connection"
    OPTIONS = "options"
    SUPPLIERS = "suppliers"
    BILLS = "bills"
    RECHECK = "recheck"
    DONE = "done"


REFRESH_PHASE_LABELS: dict[str, str] = {
    RefreshPhase.CONNECTION: "Checking the connection",
    RefreshPhase.OPTIONS: "Reading accounts, tax rates and bank accounts",
    RefreshPhase.SUPPLIERS: "Reading changed suppliers",
    RefreshPhase.BILLS: "Reading changed bills",
    RefreshPhase.RECHECK: "Checking the connection again",
    RefreshPhase.DONE: "Done",
}

# Changes are asked for from a little before the last successful run started: the ledger's clock
# may differ from ours, and sourceModifiedDate has whole seconds. Re-reading a record is harmless
# (every write is an upsert by ledger id).
REFRESH_OVERLAP = dt.timedelta(minutes=2)
# The mapping options are small; both statuses are read so that an archived account shows up.
ALL_OPTION_STATUSES = "status=Active||status=Archived"
# The supplier fields the audit log follows (balance moves with every bill, so it is left out).
SUPPLIER_AUDITED = (
    "name",
    "contact_name",
    "email_address",
    "phone",
    "addresses",
    "status",
    "default_currency",
)


class RefreshStopped(CodatError):
    """The connection can no longer be read (access revoked, unlinked); the message says why."""


def reconnect_message(connection: Connection) -> str:
    platform = connection.platform_name or "your accounting platform"
    if connection.status == Connection.Status.DEAUTHORIZED:
        return f"Access to {platform} was revoked, so bills are no longer kept up to date. Reconnect to resume."
    return f"The connection to {platform} is {connection.get_status_display().lower()}, so bills are no longer kept up to date. Reconnect to resume."


def supplier_snapshot(supplier: Supplier) -> dict[str, Any]:
    """The audited fields of a supplier, as JSON."""
    return {name: getattr(supplier, name) for name in SUPPLIER_AUDITED}


# ---------------------------------------------------------------------------------------------
# Starting refreshes


def _since(company: Company) -> dt.datetime | None:
    last = (
        ImportRun.objects.filter(company=company, status=ImportRun.Status.SUCCEEDED)
        .exclude(started_at=None)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return None if last is None else last - REFRESH_OVERLAP


def payables_refresh_start(
    *, company: Company, connection: Connection, trigger: str = Trigger.USER
) -> ImportRun:
    """Queue a refresh of what changed in the ledger since the last successful run, or return
    the import or refresh already pending or running for the company."""
    if connection.company_id != company.pk:
        raise ValueError("The connection belongs to another company.")
    if not connection.is_linked:
        raise RefreshStopped(reconnect_message(connection))
    live = ImportRun.objects.filter(company=company, status__in=ImportRun.ACTIVE).first()
    if live is not None:
        # A live run whose worker died is resumed, never handed back to wait on.
        return payables_import_retry(run=live) if live.is_stalled() else live
    run = ImportRun(
        company=company,
        connection=connection,
        kind=ImportRun.Kind.REFRESH,
        trigger=trigger,
        modified_since=_since(company),
        created_at=timezone.now(),
    )
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
            from payables.tasks import payables_refresh

            payables_refresh.delay_on_commit(run.pk)
    except IntegrityError:
        # Another start won the race for the company's one live run (see payables_import_start).
        return ImportRun.objects.get(company=company, status__in=ImportRun.ACTIVE)
    return run


def refreshable_connections() -> list[Connection]:
    """The linked connection of every company, newest first when a company has several."""
    chosen: dict[int, Connection] = {}
    linked = Connection.objects.filter(status=Connection.Status.LINKED).select_related("company")
    for connection in linked.order_by("company_id", "-linked_at", "-id"):
        chosen.setdefault(connection.company_id, connection)
    return list(chosen.values())


def import_runs_expire_stuck(*, now: dt.datetime | None = None) -> int:
    """Fail pending or running runs that have made no progress for longer than any task may
    run (IMPORT_RUN_STUCK_SECONDS), so that a lost task never blocks a company for good.

    The backstop behind the stall sweeper (`import_runs_resume_stalled`): it counts from the
    run's last progress, so a long import that keeps storing pages is never given up."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.IMPORT_RUN_STUCK_SECONDS)
    return ImportRun.objects.filter(ImportRun.idle_since(cutoff)).update(
        status=ImportRun.Status.FAILED,
        error="This run stopped answering and was given up; the next refresh carries on.",
        finished_at=now or timezone.now(),
    )


# ---------------------------------------------------------------------------------------------
# Running a refresh


def payables_refresh_run(*, run_id: int, lease: str | None = None) -> ImportRun:
    """Run (or resume) a refresh: the connection's status, the mapping options, then suppliers
    and bills changed since `run.modified_since` (all of them when there was no earlier run),
    each page committed with its continuation token; then the connection's status again.

    Raises CodatError (CodatUnavailable is retryable, RefreshStopped when access is gone) and
    leaves the run running; the task decides when to give up (`payables_import_fail`).
    """
    return _Refresher.drive(run_id=run_id, lease=lease, kind=ImportRun.Kind.REFRESH)


class _Refresher(RunAttempt):
    phases = RefreshPhase

    def __init__(self, *, run: ImportRun, client: CodatClient, lease: str = "") -> None:
        super().__init__(run=run, client=client, lease=lease)
        since = run.modified_since
        # Codat's documented form: sourceModifiedDate>2023-12-15T00:00:00.000Z (codat-api.md §3).
        self.query = (
            None
            if since is None
            else "sourceModifiedDate>"
            + since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{since.microsecond // 1000:03d}Z"
        )

    def set_phase(self, phase: RefreshPhase) -> None:
        if self.run.phase == phase:
            return
        if phase == RefreshPhase.DONE:
            self._save_run(
                {"phase": self.run.phase},
                phase=phase,
                status=ImportRun.Status.SUCCEEDED,
                error="",
                finished_at=timezone.now(),
            )
        else:
            self._save_run({"phase": self.run.phase}, phase=phase)

    def run_phase(self, phase: RefreshPhase) -> None:
        steps: dict[str, Callable[[], None]] = {
            RefreshPhase.CONNECTION: self.connection,
            RefreshPhase.OPTIONS: self.options,
            RefreshPhase.SUPPLIERS: self.suppliers,
            RefreshPhase.BILLS: self.bills,
            RefreshPhase.RECHECK: self.connection,
        }
        step = steps.get(phase)
        if step is not None:
            step()

    def connection(self) -> None:
        # Codat keeps serving cached data on a revoked connection, so reads alone never show it:
        # its status is read before and after the data, and a refresh that finds access gone
        # stops (what it read so far is kept; it was the ledger's data).
        try:
            remote = self.client.get_connection(self.cid, self.conn)
        except (CodatAuthError, CodatNotFound) as exc:
            raise RefreshStopped(
                f"The connection could not be read ({exc.message}). Reconnect to resume."
            ) from exc
        connection = connection_status_store(connection=self.run.connection, remote=remote)
        if remote.status != codat.ConnectionStatus.LINKED:
            raise RefreshStopped(reconnect_message(connection))

    def options(self) -> None:
        now = timezone.now()
        bills = self.client.get_mapping_options_bills(
            self.cid, self.conn, status_query=ALL_OPTION_STATUSES
        )
        payments = self.client.get_mapping_options_payments(
            self.cid, self.conn, status_query=ALL_OPTION_STATUSES
        )
        with transaction.atomic():
            _upsert(Account, self.company, [_account(self.company, a, now) for a in bills.accounts])
            _upsert(
                TaxRate, self.company, [_tax_rate(self.company, t, now) for t in bills.tax_rates]
            )
            _upsert(
                BankAccount,
                self.company,
                [_bank_account(self.company, b, now) for b in payments.bank_accounts],
            )

    def suppliers(self) -> None:
        while not self.run.suppliers_done:
            token = self.run.suppliers_token or None
            page = self.client.list_suppliers_page(
                self.cid, self.conn, query=self.query, continuation_token=token
            )
            _check_token(page.continuation_token, token)
            with transaction.atomic():
                suppliers_store_seen(company=self.company, items=page.items)
                self._save_run(
                    {"suppliers_token": self.run.suppliers_token},
                    suppliers_token=page.continuation_token or "",
                    suppliers_done=page.continuation_token is None,
                    suppliers_imported=self.run.suppliers_imported + len(page.items),
                )

    def bills(self) -> None:
        while not self.run.bills_done:
            token = self.run.bills_token or None
            page = self.client.list_bills_page(
                self.cid, self.conn, query=self.query, continuation_token=token
            )
            _check_token(page.continuation_token, token)
            with transaction.atomic():
                count = _changed_bills_store(self.company, page.items)
                self._save_run(
                    {"bills_token": self.run.bills_token},
                    bills_token=page.continuation_token or "",
                    bills_done=page.continuation_token is None,
                    bills_imported=self.run.bills_imported + count,
                )


def _changed_bills_store(company: Company, items: Sequence[codat.Bill]) -> int:
    """Upsert changed bills: every bill billpay holds (paid or voided in the ledger, it leaves
    the inbox), and new ones only while unpaid, as the first-link import does."""
    known = set(
        Bill.objects.filter(company=company, codat_id__in=[b.id for b in items]).values_list(
            "codat_id", flat=True
        )
    )
    kept = [b for b in items if b.id in known or str(b.status) in Bill.UNPAID]
    return _bills_upsert(company, kept, timezone.now())


def suppliers_store_seen(
    *,
    company: Company,
    items: Sequence[codat.Supplier],
    actor: User | None = None,
    audit: bool = True,
) -> list[Supplier]:
    """Upsert suppliers as the ledger has them, writing an audit entry for each new one and each
    whose details changed (unless the caller audits its own write). Call inside a transaction."""
    now = timezone.now()
    rows = [_supplier(company, s, now) for s in items]
    before = {
        s.codat_id: supplier_snapshot(s)
        for s in Supplier.objects.filter(company=company, codat_id__in=[r.codat_id for r in rows])
    }
    _upsert(Supplier, company, rows)
    for row in rows if audit else []:
        after = supplier_snapshot(row)
        old = before.get(row.codat_id)
        if old == after:
            continue
        changed = None if old is None else {k: v for k, v in old.items() if after[k] != v}
        audit_log_record(
            company=company,
            actor=actor,
            action="supplier.seen_new" if old is None else "supplier.seen_changed",
            object_type="supplier",
            object_id=str(row.pk),
            object_repr=row.name,
            before=changed,
            after=after if old is None else {k: after[k] for k in (changed or {})},
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Sync health: what is not in step with the ledger, and why


@dataclass(frozen=True)
class OutOfStep:
    """One object not in step with the ledger, with a reason a user can read."""

    kind: str
    label: str
    reason: str
    url: str
    # Where the retry button POSTs ("" when nothing can be retried from here).
    retry_url: str


Check = Callable[[Company, dt.datetime], list[OutOfStep]]


def _bills_not_refreshed(company: Company, now: dt.datetime) -> list[OutOfStep]:
    # Unpaid bills the ledger has not confirmed since the last successful read: the last refresh
    # failed or none ran for a long time.
    cutoff = now - dt.timedelta(seconds=settings.SYNC_STALE_SECONDS)
    stale = Bill.objects.unpaid().filter(company=company).filter(last_read_at__lt=cutoff)
    return [
        OutOfStep(
            kind="Bill",
            label=f"{bill.supplier_name} {bill.reference}".strip(),
            reason=f"Not read from the ledger since {bill.last_read_at:%d %b %Y %H:%M}: refresh to check it is still unpaid.",
            url=reverse("payables:bill-detail", args=[bill.pk]),
            retry_url=reverse("payables:refresh-now"),
        )
        for bill in stale.order_by("last_read_at", "id")[:200]
    ]


def _bills_without_supplier(company: Company, now: dt.datetime) -> list[OutOfStep]:
    missing = Bill.objects.unpaid().filter(company=company).filter(supplier=None)
    return [
        OutOfStep(
            kind="Bill",
            label=f"{bill.supplier_name or bill.supplier_codat_id} {bill.reference}".strip(),
            reason="Its supplier has not been read from the ledger yet: refresh to bring it in.",
            url=reverse("payables:bill-detail", args=[bill.pk]),
            retry_url=reverse("payables:refresh-now"),
        )
        for bill in missing.order_by("due_date", "id")[:200]
    ]


def _suppliers_not_refreshed(company: Company, now: dt.datetime) -> list[OutOfStep]:
    cutoff = now - dt.timedelta(seconds=settings.SYNC_STALE_SECONDS)
    with_bills = Supplier.objects.for_company(company).filter(
        last_read_at__lt=cutoff, bills__status__in=Bill.UNPAID
    )
    return [
        OutOfStep(
            kind="Supplier",
            label=supplier.name,
            reason=f"Details not read from the ledger since {supplier.last_read_at:%d %b %Y %H:%M}.",
            url=reverse("payables:supplier-detail", args=[supplier.pk]),
            retry_url=reverse("payables:supplier-refresh", args=[supplier.pk]),
        )
        for supplier in with_bills.distinct().order_by("last_read_at", "id")[:200]
    ]


def _attachments_not_synced(company: Company, now: dt.datetime) -> list[OutOfStep]:
    rows = (
        Attachment.objects.filter(company=company)
        .exclude(sync_status=Attachment.SyncStatus.SYNCED)
        .select_related("bill")
        .order_by("created_at", "id")[:200]
    )
    out = []
    for attachment in rows:
        if attachment.sync_status == Attachment.SyncStatus.FAILED:
            reason = f"Upload to the ledger failed: {attachment.sync_error or 'no reason given'}."
        elif attachment.is_stuck(now):
            since = timezone.localtime(attachment.sync_started_at)
            reason = (
                f"Waiting since {short_date(since.date())}, {since:%H:%M} with nothing sending"
                " it: retry it, or the next sweep will."
            )
        else:
            reason = "Waiting to be uploaded to the ledger."
        out.append(
            OutOfStep(
                kind="Attachment",
                label=f"{attachment.name} on {attachment.bill}",
                reason=reason,
                url=reverse("payables:bill-detail", args=[attachment.bill_id]),
                # One that a task is still sending is left to it (see Attachment.can_retry).
                retry_url=reverse("payables:attachment-retry", args=[attachment.pk])
                if attachment.can_retry(now)
                else "",
            )
        )
    return out


def _runs_failed(company: Company, now: dt.datetime) -> list[OutOfStep]:
    last = ImportRun.objects.filter(company=company).order_by("-created_at", "-id").first()
    if last is None or last.status != ImportRun.Status.FAILED:
        return []
    return [
        OutOfStep(
            kind="Refresh",
            label=f"{last.get_kind_display()} of {last.created_at:%d %b %Y %H:%M}",
            reason=f"It failed: {last.error or 'no reason given'}",
            url=reverse("payables:refresh-progress", args=[last.pk]),
            retry_url=reverse("payables:refresh-now"),
        )
    ]


def _payments_not_settled(company: Company, now: dt.datetime) -> list[OutOfStep]:
    """Payments sent to the ledger whose outcome billpay has not learned yet."""
    rows = (
        Payment.objects.filter(company=company, status=Payment.Status.PENDING)
        .select_related("bill")
        .order_by("created_at", "id")[:200]
    )
    return [
        OutOfStep(
            kind="Payment",
            label=f"{format_money(payment.amount, payment.currency)} to {payment.bill.supplier_name} "
            f"for {payment.bill}",
            reason=(
                "Sent to the ledger but not confirmed yet"
                + (f" (last answer: {payment.last_error})" if payment.last_error else "")
                + (
                    ". billpay keeps trying with the same key, so it cannot be recorded twice."
                    if payment.created_at >= now - PAYMENT_REPLAY_WINDOW
                    else ". It is past the ledger's replay window, so billpay no longer resends "
                    "it: Retry checks the bill's amount due in the ledger to settle it, or asks "
                    "you to review it."
                )
            ),
            url=reverse("payables:bill-detail", args=[payment.bill_id]),
            retry_url=reverse("payables:payment-retry", args=[payment.pk]),
        )
        for payment in rows
    ]


def _payments_to_review(company: Company, now: dt.datetime) -> list[OutOfStep]:
    """Payments whose outcome billpay cannot learn: a person looks in the ledger and says."""
    rows = (
        Payment.objects.filter(company=company, status=Payment.Status.NEEDS_REVIEW)
        .select_related("bill")
        .order_by("created_at", "id")[:200]
    )
    return [
        OutOfStep(
            kind="Payment",
            label=f"{payment.amount:,.2f} {payment.currency} to {payment.bill.supplier_name} "
            f"for {payment.bill}",
            reason=(
                f"Needs review: {payment.last_error} billpay no longer retries it; check the "
                "ledger and say whether it is there. Until then the bill cannot be paid again."
            ),
            url=reverse("payables:payment-review", args=[payment.pk]),
            retry_url="",
        )
        for payment in rows
    ]


# The sync-health checks. Each takes the company and now and returns what is not in step.
SYNC_HEALTH_CHECKS: list[Check] = [
    _runs_failed,
    _bills_not_refreshed,
    _bills_without_supplier,
    _suppliers_not_refreshed,
    _attachments_not_synced,
    _payments_not_settled,
    _payments_to_review,
]


def sync_health(company: Company, *, now: dt.datetime | None = None) -> list[OutOfStep]:
    """Everything of the company not in step with the ledger; empty means all in step."""
    moment = now or timezone.now()
    return [item for check in SYNC_HEALTH_CHECKS for item in check(company, moment)]
