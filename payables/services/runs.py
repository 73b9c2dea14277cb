"""The run engine: first-link imports and refreshes, both an `ImportRun` worked through in phases.

Each kind of run is an ordered list of phases (`ImportPhase`, `RefreshPhase`) with a label for the
progress page, and an engine class whose `steps()` names the method each phase runs. `RunAttempt`
claims the run (one attempt, under a lease), runs the phases from the one the run stored, and
commits each page with its continuation token, so that a failed attempt resumes at the page that
failed. Every write to the run is a compare-and-set on the attempt's lease, so a redelivered task
or an attempt that lost the run after a stall never double-counts. What the ledger answers is
stored by `payables.services.mirror`; starting runs is `imports.py` and `sync.py`'s.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

import codat.types as codat
from accounts.models import Company
from accounts.services import connection_status_store
from billpay.ledger import codat_client
from codat.client import CodatClient
from codat.errors import CodatAuthError, CodatError, CodatNotFound
from payables.errors import RefreshStopped
from payables.models import Bill, ImportRun
from payables.services import mirror
from payables.services.connection import reconnect_message


class ImportPhase(StrEnum):
    """The steps of a first-link import, in order; `ImportRun.phase` holds the one in progress."""

    COMPANY = "company"
    BILL_OPTIONS = "bill_options"
    PAYMENT_OPTIONS = "payment_options"
    SUPPLIERS = "suppliers"
    BILLS = "bills"
    NOT_IMPORTED = "not_imported"
    DONE = "done"


class RefreshPhase(StrEnum):
    """The steps of a refresh, in order; `ImportRun.phase` holds the one in progress."""

    CONNECTION = "connection"
    OPTIONS = "options"
    SUPPLIERS = "suppliers"
    BILLS = "bills"
    RECHECK = "recheck"
    DONE = "done"


# Bills the first-link import leaves out; the ledger lists them only when asked by status.
NOT_IMPORTED_QUERY = "status=Draft||status=Paid||status=Void"
NOT_IMPORTED_STATUSES = (Bill.Status.PAID, Bill.Status.VOID, Bill.Status.DRAFT)
# The mapping options are small; both statuses are read so that an archived account shows up.
ALL_OPTION_STATUSES = "status=Active||status=Archived"


class _Superseded(Exception):
    """Another attempt moved this run on (a redelivered task): stop without writing."""


# --- Recording how a run ended ----------------------------------------------------------------


def _held(run_id: int, lease: str | None) -> Q:
    # A live run, and, when the caller names its attempt, still held by it: an attempt that lost
    # the run (resumed elsewhere after a stall) must not fail or annotate the new attempt.
    held = Q(pk=run_id, status__in=ImportRun.ACTIVE)
    return held if lease is None else held & Q(lease=lease)


def run_fail(*, run_id: int, message: str, lease: str | None = None) -> ImportRun:
    """Mark a live import or refresh failed with a message the user may read."""
    ImportRun.objects.filter(_held(run_id, lease)).update(
        status=ImportRun.Status.FAILED,
        error=message[:1000],
        finished_at=timezone.now(),
    )
    return ImportRun.objects.get(pk=run_id)


def run_note(*, run_id: int, message: str, lease: str | None = None) -> None:
    """Record a passing problem (the ledger is busy) on a live run that will be retried.

    The note is a heartbeat too: the task is alive and backing off, not dead."""
    ImportRun.objects.filter(_held(run_id, lease)).update(
        error=message[:1000], progressed_at=timezone.now()
    )


def phase_label(run: ImportRun) -> str:
    """What the run is doing now, for its progress page."""
    labels = RUN_ENGINES[ImportRun.Kind(run.kind)].labels
    return labels.get(run.phase, "Waiting to start")


def not_imported_counts(run: ImportRun) -> dict[str, int]:
    """The run's counts of bills left out, by status (Paid, Void, Draft), without paging state."""
    return {s.value: int(run.not_imported.get(s.value, 0)) for s in NOT_IMPORTED_STATUSES}


def _check_token(new: str | None, old: str | None) -> None:
    if new is not None and new == old:
        raise CodatError("Codat returned the same continuation token again; paging stopped.")


# --- The engine -------------------------------------------------------------------------------


class RunAttempt:
    """One attempt at a run: its phases run in order from the one the run stored."""

    kind: ClassVar[str]
    phases: ClassVar[type[StrEnum]]
    labels: ClassVar[dict[str, str]]
    # What the task records when the attempt crashes.
    unexpected: ClassVar[str]

    def __init__(self, *, run: ImportRun, client: CodatClient, lease: str = "") -> None:
        self.run = run
        self.client = client
        self.lease = lease
        self.company = run.company
        self.company_id = run.company.codat_company_id
        self.connection_id = run.connection.codat_connection_id

    @classmethod
    def drive(cls, *, run_id: int, lease: str | None = None) -> ImportRun:
        """Claim the run (one more attempt), then run its phases from the stored one.

        A run of this engine's kind is claimed when it is pending, already held by this lease (a
        retry of the same task), or stalled (its holder died). One that another attempt holds and
        is moving on is left to it. Raises CodatError (CodatUnavailable is retryable) or
        RefreshStopped and leaves the run running; the task decides when to give up."""
        lease = (lease or uuid.uuid4().hex)[:32]
        now = timezone.now()
        claimable = Q(status=ImportRun.Status.PENDING) | Q(lease=lease) | ImportRun.stalled(now)
        claimed = ImportRun.objects.filter(
            claimable, pk=run_id, status__in=ImportRun.ACTIVE, kind=cls.kind
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
                steps = attempt.steps()
                for phase in phases[start:]:
                    attempt._enter(phase)
                    if phase in steps:
                        steps[phase]()
        except _Superseded:
            pass
        run.refresh_from_db()
        return run

    def steps(self) -> dict[str, Callable[[], None]]:
        """The method each phase runs (DONE runs none)."""
        raise NotImplementedError

    def _enter(self, phase: StrEnum) -> None:
        if self.run.phase == phase:
            return
        if phase == "done":
            self._finish()
        else:
            # A note of the last attempt ("Retrying…") is stale once the run moves on.
            self._save_run({"phase": self.run.phase}, phase=phase, error="")

    def _finish(self, **changes: Any) -> None:
        self._save_run(
            {"phase": self.run.phase},
            phase="done",
            status=ImportRun.Status.SUCCEEDED,
            error="",
            finished_at=timezone.now(),
            **changes,
        )

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

    def _suppliers(self, query: str | None, *, audit: bool) -> None:
        while not self.run.suppliers_done:
            token = self.run.suppliers_token or None
            page = self.client.list_suppliers_page(
                self.company_id, self.connection_id, query=query, continuation_token=token
            )
            _check_token(page.continuation_token, token)
            with transaction.atomic():
                rows = mirror.store_suppliers(self.company, page.items, audit=audit)
                self._save_run(
                    {"suppliers_token": self.run.suppliers_token},
                    suppliers_token=page.continuation_token or "",
                    suppliers_done=page.continuation_token is None,
                    suppliers_imported=self.run.suppliers_imported + len(rows),
                )

    def _bills(self, query: str | None, *, new_only_if_unpaid: bool) -> None:
        while not self.run.bills_done:
            token = self.run.bills_token or None
            page = self.client.list_bills_page(
                self.company_id, self.connection_id, query=query, continuation_token=token
            )
            _check_token(page.continuation_token, token)
            with transaction.atomic():
                stored = mirror.store_bills(
                    self.company, page.items, new_only_if_unpaid=new_only_if_unpaid
                )
                self._save_run(
                    {"bills_token": self.run.bills_token},
                    bills_token=page.continuation_token or "",
                    bills_done=page.continuation_token is None,
                    bills_imported=self.run.bills_imported + len(stored),
                )


class Importer(RunAttempt):
    """The first-link import: company, mapping options, suppliers, every unpaid bill, and a count
    of the bills left out. Every write is keyed by (company, ledger id)."""

    kind = ImportRun.Kind.FIRST_LINK
    phases = ImportPhase
    labels = {
        ImportPhase.COMPANY: "Reading company details",
        ImportPhase.BILL_OPTIONS: "Reading accounts and tax rates",
        ImportPhase.PAYMENT_OPTIONS: "Reading bank accounts",
        ImportPhase.SUPPLIERS: "Importing suppliers",
        ImportPhase.BILLS: "Importing unpaid bills",
        ImportPhase.NOT_IMPORTED: "Counting bills that are not imported",
        ImportPhase.DONE: "Done",
    }
    unexpected = "The import stopped unexpectedly. Try again; if it keeps failing, contact support."

    def steps(self) -> dict[str, Callable[[], None]]:
        return {
            ImportPhase.COMPANY: self.company_info,
            ImportPhase.BILL_OPTIONS: self.bill_options,
            ImportPhase.PAYMENT_OPTIONS: self.payment_options,
            ImportPhase.SUPPLIERS: lambda: self._suppliers(None, audit=False),
            ImportPhase.BILLS: lambda: self._bills(None, new_only_if_unpaid=False),
            ImportPhase.NOT_IMPORTED: self.not_imported,
        }

    def company_info(self) -> None:
        info = self.client.get_company_information(self.company_id, self.connection_id)
        currency = (info.base_currency or "").upper()
        if currency and currency != self.company.base_currency:
            Company.objects.filter(pk=self.company.pk).update(base_currency=currency)
            self.company.base_currency = currency

    def bill_options(self) -> None:
        token: str | None = None
        while True:
            page = self.client.get_mapping_options_bills_page(
                self.company_id, self.connection_id, continuation_token=token
            )
            with transaction.atomic():
                mirror.store_options(self.company, accounts=page.accounts, tax_rates=page.tax_rates)
                self._save_run({})
            _check_token(page.continuation_token, token)
            if page.continuation_token is None:
                return
            token = page.continuation_token

    def payment_options(self) -> None:
        token: str | None = None
        while True:
            page = self.client.get_mapping_options_payments_page(
                self.company_id, self.connection_id, continuation_token=token
            )
            with transaction.atomic():
                mirror.store_options(self.company, bank_accounts=page.bank_accounts)
                self._save_run({})
            _check_token(page.continuation_token, token)
            if page.continuation_token is None:
                return
            token = page.continuation_token

    def not_imported(self) -> None:
        # Counted page by page, never held: a ledger can keep years of paid bills. The running
        # counts and the next page's token are stored together, like the bills' own paging; the
        # last page's counts are stored with the run's success, so a crash between the two
        # cannot count a page twice.
        counts = dict(self.run.not_imported)
        while self.run.phase != ImportPhase.DONE:
            token = counts.get("_token") or None
            page = self.client.list_bills_page(
                self.company_id,
                self.connection_id,
                query=NOT_IMPORTED_QUERY,
                continuation_token=token,
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


class Refresher(RunAttempt):
    """A refresh: the connection's status, the mapping options, then suppliers and bills changed
    since `run.modified_since` (all of them when there was no earlier run), then the connection's
    status again."""

    kind = ImportRun.Kind.REFRESH
    phases = RefreshPhase
    labels = {
        RefreshPhase.CONNECTION: "Checking the connection",
        RefreshPhase.OPTIONS: "Reading accounts, tax rates and bank accounts",
        RefreshPhase.SUPPLIERS: "Reading changed suppliers",
        RefreshPhase.BILLS: "Reading changed bills",
        RefreshPhase.RECHECK: "Checking the connection again",
        RefreshPhase.DONE: "Done",
    }
    unexpected = (
        "The refresh stopped unexpectedly. It will be tried again at the next scheduled refresh."
    )

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

    def steps(self) -> dict[str, Callable[[], None]]:
        return {
            RefreshPhase.CONNECTION: self.connection,
            RefreshPhase.OPTIONS: self.options,
            RefreshPhase.SUPPLIERS: lambda: self._suppliers(self.query, audit=True),
            RefreshPhase.BILLS: lambda: self._bills(self.query, new_only_if_unpaid=True),
            RefreshPhase.RECHECK: self.connection,
        }

    def connection(self) -> None:
        # Codat keeps serving cached data on a revoked connection, so reads alone never show it:
        # its status is read before and after the data, and a refresh that finds access gone
        # stops (what it read so far is kept; it was the ledger's data).
        try:
            remote = self.client.get_connection(self.company_id, self.connection_id)
        except (CodatAuthError, CodatNotFound) as exc:
            raise RefreshStopped(
                f"The connection could not be read ({exc.message}). Reconnect to resume."
            ) from exc
        connection = connection_status_store(connection=self.run.connection, remote=remote)
        if remote.status != codat.ConnectionStatus.LINKED:
            raise RefreshStopped(reconnect_message(connection))

    def options(self) -> None:
        bills = self.client.get_mapping_options_bills(
            self.company_id, self.connection_id, status_query=ALL_OPTION_STATUSES
        )
        payments = self.client.get_mapping_options_payments(
            self.company_id, self.connection_id, status_query=ALL_OPTION_STATUSES
        )
        with transaction.atomic():
            mirror.store_options(
                self.company,
                accounts=bills.accounts,
                tax_rates=bills.tax_rates,
                bank_accounts=payments.bank_accounts,
            )


RUN_ENGINES: dict[ImportRun.Kind, type[RunAttempt]] = {
    ImportRun.Kind.FIRST_LINK: Importer,
    ImportRun.Kind.REFRESH: Refresher,
}


def payables_import_run(*, run_id: int, lease: str | None = None) -> ImportRun:
    """Run (or resume) a first-link import; `lease` names this attempt (the task passes its id,
    which its retries keep)."""
    return Importer.drive(run_id=run_id, lease=lease)


def payables_refresh_run(*, run_id: int, lease: str | None = None) -> ImportRun:
    """Run (or resume) a refresh; `lease` as for `payables_import_run`."""
    return Refresher.drive(run_id=run_id, lease=lease)
