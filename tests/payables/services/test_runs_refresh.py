"""Incremental refresh against the in-process sandbox: only what changed, recorded, stoppable."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from urllib.parse import parse_qs

import httpx
import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditLogEntry, Connection
from payables.errors import RefreshStopped
from payables.models import Bill, ImportRun, Supplier
from payables.services.runs import payables_refresh_run
from payables.services.sync import (
    REFRESH_OVERLAP,
    Trigger,
    import_runs_expire_stuck,
    payables_refresh_start,
    refreshable_connections,
)
from payables.tasks import payables_refresh, payables_refresh_all
from sandbox.models import Dataset, LedgerConnection
from sandbox.services import connection_deauthorize, platform_record_edit
from tests.accounts.factories import ConnectionFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def refresh(imported, enqueued_refresh, trigger=Trigger.USER) -> ImportRun:
    run = payables_refresh_start(
        company=imported.company, connection=imported.connection, trigger=trigger
    )
    enqueued_refresh.assert_called_with(run.pk)
    payables_refresh(run.pk)
    run.refresh_from_db()
    return run


def test_refresh_asks_only_for_changes_since_the_last_run(
    imported, ledger, enqueued_refresh
) -> None:
    first = ImportRun.objects.get(company=imported.company)
    run = refresh(imported, enqueued_refresh)
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.kind == ImportRun.Kind.REFRESH
    assert run.trigger == "user"
    assert run.modified_since == first.started_at - REFRESH_OVERLAP
    assert run.started_at
    assert run.finished_at
    assert run.finished_at >= run.started_at
    (bills_url,) = ledger.paths("/payables/bills")
    query = parse_qs(bills_url.query.decode())["query"][0]
    assert query.startswith("sourceModifiedDate>")
    assert query.endswith("Z")
    # The seeded ledger has nothing modified since the import: nothing is read.
    assert (run.bills_imported, run.suppliers_imported) == (0, 0)


def test_bill_voided_and_paid_in_the_ledger_leave_the_inbox(imported, enqueued_refresh) -> None:
    voided, paid = [d for d in imported.documents(Dataset.BILLS) if d["status"] == "Open"][:2]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        platform_record_edit(
            connection=imported.ledger,
            dataset=Dataset.BILLS,
            record_id=voided["id"],
            changes={"status": "Void"},
        )
        platform_record_edit(
            connection=imported.ledger,
            dataset=Dataset.BILLS,
            record_id=paid["id"],
            changes={"status": "Paid", "amountDue": 0},
        )
        run = refresh(imported, enqueued_refresh)
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.bills_imported == 2
    bills = Bill.objects.for_company(imported.company)
    assert bills.get(codat_id=voided["id"]).status == Bill.Status.VOID
    assert bills.get(codat_id=paid["id"]).status == Bill.Status.PAID
    unpaid = set(bills.unpaid().values_list("codat_id", flat=True))
    assert voided["id"] not in unpaid
    assert paid["id"] not in unpaid


def test_supplier_changed_in_the_ledger_is_updated_and_audited(imported, enqueued_refresh) -> None:
    supplier = Supplier.objects.for_company(imported.company).first()
    assert supplier is not None
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        platform_record_edit(
            connection=imported.ledger,
            dataset=Dataset.SUPPLIERS,
            record_id=supplier.codat_id,
            changes={"emailAddress": "new@supplier.example", "contactName": "Nia Newman"},
        )
        run = refresh(imported, enqueued_refresh)
    assert run.suppliers_imported == 1
    supplier.refresh_from_db()
    assert supplier.email_address == "new@supplier.example"
    entry = AuditLogEntry.objects.get(company=imported.company, object_id=str(supplier.pk))
    assert entry.actor is None
    assert entry.action == "supplier.seen_changed"
    assert entry.after == {"contact_name": "Nia Newman", "email_address": "new@supplier.example"}
    assert set(entry.before or {}) == {"contact_name", "email_address"}
    # Seen again unchanged: no second entry.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        refresh(imported, enqueued_refresh)
    assert AuditLogEntry.objects.filter(company=imported.company).count() == 1


def test_deauthorized_connection_is_not_refreshed(imported, enqueued_refresh) -> None:
    connection_deauthorize(connection=imported.ledger)
    run = refresh(imported, enqueued_refresh)
    assert run.status == ImportRun.Status.FAILED
    assert "revoked" in run.error
    assert "Reconnect" in run.error
    imported.connection.refresh_from_db()
    assert imported.connection.status == Connection.Status.DEAUTHORIZED
    # From now on neither the schedule nor the user starts one.
    assert imported.connection not in refreshable_connections()
    with pytest.raises(RefreshStopped):
        payables_refresh_start(company=imported.company, connection=imported.connection)


def test_deauthorized_mid_refresh_stops_and_keeps_what_was_read(
    imported, ledger, enqueued_refresh
) -> None:
    bill = imported.ledger_document("Open")

    def revoke_after_bills(request: httpx.Request) -> None:
        if request.url.path.endswith("/payables/bills"):
            LedgerConnection.objects.filter(pk=imported.ledger.pk).update(
                status=LedgerConnection.Status.DEAUTHORIZED
            )

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        platform_record_edit(
            connection=imported.ledger,
            dataset=Dataset.BILLS,
            record_id=bill["id"],
            changes={"reference": "CHANGED-REF"},
        )
        ledger.before = revoke_after_bills
        run = refresh(imported, enqueued_refresh)
    assert run.status == ImportRun.Status.FAILED
    assert "revoked" in run.error
    assert run.bills_imported == 1
    assert (
        Bill.objects.get(company=imported.company, codat_id=bill["id"]).reference == "CHANGED-REF"
    )
    imported.connection.refresh_from_db()
    assert imported.connection.status == Connection.Status.DEAUTHORIZED


def test_a_failed_refresh_is_recorded_and_the_next_one_asks_from_the_last_success(
    imported, enqueued_refresh
) -> None:
    import_run = ImportRun.objects.get(company=imported.company)
    with mock.patch("payables.services.runs.Refresher.options", side_effect=RuntimeError("boom")):
        run = payables_refresh_start(company=imported.company, connection=imported.connection)
        with pytest.raises(RuntimeError):
            payables_refresh(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "unexpectedly" in run.error
    again = refresh(imported, enqueued_refresh)
    assert again.modified_since == import_run.started_at - REFRESH_OVERLAP


def test_refresh_all_queues_one_per_linked_connection(
    imported, other_company, enqueued_refresh
) -> None:
    ConnectionFactory(company=other_company, status=Connection.Status.DEAUTHORIZED)
    unlinked = ConnectionFactory(status=Connection.Status.UNLINKED)
    assert payables_refresh_all() == 2
    runs = ImportRun.objects.filter(kind=ImportRun.Kind.REFRESH)
    assert {r.company_id for r in runs} == {imported.company.pk, other_company.pk}
    assert {r.trigger for r in runs} == {"schedule"}
    assert not ImportRun.objects.filter(company=unlinked.company).exists()
    assert enqueued_refresh.call_count == 2


def test_refresh_reuses_a_live_run(imported, enqueued_refresh) -> None:
    first = payables_refresh_start(company=imported.company, connection=imported.connection)
    second = payables_refresh_start(company=imported.company, connection=imported.connection)
    assert first.pk == second.pk
    assert enqueued_refresh.call_count == 1


def test_stuck_runs_are_failed_so_the_company_is_not_blocked(
    imported, enqueued_refresh, settings
) -> None:
    settings.IMPORT_RUN_STUCK_SECONDS = 3600
    stuck = payables_refresh_start(company=imported.company, connection=imported.connection)
    assert import_runs_expire_stuck(now=timezone.now() + dt.timedelta(minutes=59)) == 0
    assert import_runs_expire_stuck(now=timezone.now() + dt.timedelta(minutes=61)) == 1
    stuck.refresh_from_db()
    assert stuck.status == ImportRun.Status.FAILED
    fresh = payables_refresh_start(company=imported.company, connection=imported.connection)
    assert fresh.pk != stuck.pk


def test_a_redelivered_refresh_does_not_run_twice(imported, enqueued_refresh) -> None:
    run = refresh(imported, enqueued_refresh)
    again = payables_refresh_run(run_id=run.pk)
    assert again.status == ImportRun.Status.SUCCEEDED
    assert again.attempts == 1


def test_a_bill_paid_through_the_api_by_another_app_is_picked_up(
    imported, enqueued_refresh
) -> None:
    from billpay.ledger import codat_client
    from codat.types import BillPaymentPrototype
    from payables.models import BankAccount

    bill = (
        Bill.objects.for_company(imported.company)
        .filter(status=Bill.Status.OPEN, currency="GBP")
        .first()
    )
    account = BankAccount.objects.for_company(imported.company).filter(currency="GBP").first()
    assert bill is not None
    assert account is not None
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        with codat_client() as client:
            client.create_bill_payment(
                imported.company.codat_company_id,
                imported.connection.codat_connection_id,
                bill.codat_id,
                BillPaymentPrototype(
                    amount=bill.amount_due, date=timezone.now(), account_id=account.codat_id
                ),
            )
        run = refresh(imported, enqueued_refresh)
    bill.refresh_from_db()
    assert run.bills_imported == 1
    assert bill.status == Bill.Status.PAID
    assert bill.amount_due == 0
