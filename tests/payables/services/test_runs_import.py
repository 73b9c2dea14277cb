"""The first-link import against the in-process sandbox ledger."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from unittest import mock

import httpx
import pytest
from django.utils import timezone

from accounts.models import Company, Connection
from billpay.ledger import codat_client
from codat.errors import CodatUnavailable
from payables.models import (
    Account,
    BankAccount,
    Bill,
    BillLineItem,
    ImportRun,
    Supplier,
    TaxRate,
)
from payables.services.runs import Importer, ImportPhase, not_imported_counts, payables_import_run
from payables.tasks import payables_import
from sandbox.models import Dataset, Fault, LedgerRecord
from sandbox.services import fault_inject
from tests.ledger_company import UNPAID, seeded
from tests.payables.factories import ImportRunFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def snapshot(company: Company) -> dict[str, list[tuple[Any, ...]]]:
    """Every imported value except when it was read."""
    ledger_fields = ("codat_id", "source_modified_at")
    return {
        "suppliers": list(
            Supplier.objects.for_company(company)
            .order_by("codat_id")
            .values_list(*ledger_fields, "name", "status", "balance", "addresses", "pk")
        ),
        "bills": list(
            Bill.objects.for_company(company)
            .order_by("codat_id")
            .values_list(
                *ledger_fields,
                "supplier_id",
                "reference",
                "issue_date",
                "due_date",
                "currency",
                "status",
                "total_amount",
                "amount_due",
                "search_text",
                "pk",
            )
        ),
        "lines": list(
            BillLineItem.objects.filter(bill__company=company)
            .order_by("bill__codat_id", "position")
            .values_list("bill__codat_id", "position", "description", "quantity", "total_amount")
        ),
        "accounts": list(Account.objects.for_company(company).order_by("codat_id").values_list()),
        "tax_rates": list(TaxRate.objects.for_company(company).order_by("codat_id").values_list()),
        "bank_accounts": list(
            BankAccount.objects.for_company(company).order_by("codat_id").values_list()
        ),
    }


def without_read_times(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[Any]]:
    # Mapping options' values_list() include last_read_at, which is meant to change.
    return {
        key: [tuple(v for v in row if not hasattr(v, "tzinfo") or v is None) for row in values]
        for key, values in rows.items()
    }


def test_import_brings_in_every_unpaid_bill_with_lines_suppliers_and_options(ledger) -> None:
    s = seeded(bills=120, suppliers=15)

    run = payables_import_run(run_id=s.new_run().pk)

    documents = s.unpaid_documents()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.phase == ImportPhase.DONE
    assert run.error == ""
    assert run.finished_at is not None
    assert run.attempts == 1
    bills = Bill.objects.for_company(s.company)
    assert bills.count() == len(documents) == sum(s.summary.bills_by_status[x] for x in UNPAID)
    assert set(bills.values_list("status", flat=True)) <= set(UNPAID)
    assert run.bills_imported == len(documents)
    assert BillLineItem.objects.filter(bill__company=s.company).count() == sum(
        len(d["lineItems"]) for d in documents
    )
    assert Supplier.objects.for_company(s.company).count() == s.summary.suppliers
    assert run.suppliers_imported == s.summary.suppliers
    with codat_client() as client:
        cid, conn = s.company.codat_company_id, s.connection.codat_connection_id
        bill_options = client.get_mapping_options_bills(cid, conn)
        payment_options = client.get_mapping_options_payments(cid, conn)
    assert sorted(Account.objects.for_company(s.company).values_list("codat_id", flat=True)) == (
        sorted(a.id for a in bill_options.accounts)
    )
    assert sorted(TaxRate.objects.for_company(s.company).values_list("codat_id", flat=True)) == (
        sorted(t.id for t in bill_options.tax_rates)
    )
    assert sorted(
        BankAccount.objects.for_company(s.company).values_list("codat_id", flat=True)
    ) == sorted(b.id for b in payment_options.bank_accounts)
    assert bill_options.accounts
    assert bill_options.tax_rates
    assert payment_options.bank_accounts
    s.company.refresh_from_db()
    assert s.company.base_currency == "EUR"
    assert not bills.filter(supplier=None).exists()


def test_import_copies_each_bill_exactly(ledger) -> None:
    s = seeded(bills=40, suppliers=5)

    payables_import_run(run_id=s.new_run().pk)

    for document in s.unpaid_documents():
        bill = Bill.objects.for_company(s.company).get(codat_id=document["id"])
        assert bill.supplier is not None
        assert bill.supplier.codat_id == bill.supplier_codat_id == document["supplierRef"]["id"]
        assert bill.reference == (document.get("reference") or "")
        assert bill.issue_date.isoformat() == document["issueDate"][:10]
        assert bill.due_date.isoformat() == document["dueDate"][:10]
        assert bill.currency == document["currency"]
        assert bill.total_amount == Decimal(str(document["totalAmount"]))
        assert bill.amount_due == Decimal(str(document["amountDue"]))
        lines = list(bill.line_items.all())
        assert [line.description for line in lines] == [
            line.get("description") or "" for line in document["lineItems"]
        ]
        assert [line.total_amount for line in lines] == [
            Decimal(str(line["totalAmount"])) for line in document["lineItems"]
        ]
        assert bill.search_text.startswith(bill.supplier_name.lower())
        for line in lines:
            assert line.description.lower() in bill.search_text


def test_import_counts_the_bills_it_leaves_out(ledger) -> None:
    s = seeded(bills=150, suppliers=10)

    run = payables_import_run(run_id=s.new_run().pk)

    expected = {status: s.summary.bills_by_status[status] for status in ("Paid", "Void", "Draft")}
    assert not_imported_counts(run) == expected
    assert run.not_imported == expected  # no paging state is left behind
    assert sum(expected.values()) > 0
    assert not Bill.objects.for_company(s.company).exclude(status__in=UNPAID).exists()


def test_running_twice_changes_nothing(ledger) -> None:
    s = seeded(bills=130, suppliers=12)
    payables_import_run(run_id=s.new_run().pk)
    first = snapshot(s.company)

    run = payables_import_run(run_id=s.new_run().pk)

    assert run.status == ImportRun.Status.SUCCEEDED
    assert without_read_times(snapshot(s.company)) == without_read_times(first)
    assert len(first["bills"]) == len(s.unpaid_documents())


def test_a_second_import_picks_up_changes_in_the_ledger(ledger) -> None:
    s = seeded(bills=20, suppliers=3)
    payables_import_run(run_id=s.new_run().pk)
    record = LedgerRecord.objects.get(
        connection=s.ledger,
        dataset=Dataset.BILLS,
        record_id=s.unpaid_documents()[0]["id"],
    )
    document = json.loads(record.document)
    document["reference"] = "CHANGED-1"
    document["lineItems"] = document["lineItems"][:1]
    document["lineItems"][0]["description"] = "Brand new widgets"
    record.document = json.dumps(document)
    record.save()

    payables_import_run(run_id=s.new_run().pk)

    bill = Bill.objects.for_company(s.company).get(codat_id=document["id"])
    assert bill.reference == "CHANGED-1"
    assert [line.description for line in bill.line_items.all()] == ["Brand new widgets"]
    assert "brand new widgets" in bill.search_text


def test_import_resumes_after_a_failure_midway(ledger) -> None:
    s = seeded(bills=320, suppliers=20, statuses=UNPAID)
    unpaid = len(s.unpaid_documents())
    assert unpaid == 320  # four pages of 100, so the failure hits a later page
    run = s.new_run()

    def break_second_page(request: httpx.Request) -> None:
        is_bills = request.url.path.endswith("/payables/bills")
        if is_bills and "continuationToken" in request.url.params and not Fault.objects.exists():
            # The client retries a GET twice: three failures exhaust it.
            fault_inject(
                kind=Fault.Kind.SERVER_ERROR,
                path_contains="/payables/bills",
                method="GET",
                times=3,
            )

    ledger.before = break_second_page
    # The task's retry keeps its task id, so it holds the same lease.
    with pytest.raises(CodatUnavailable):
        payables_import_run(run_id=run.pk, lease="task-1")

    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING
    assert run.phase == ImportPhase.BILLS
    assert run.suppliers_done
    assert not run.bills_done
    assert run.bills_token
    assert run.bills_imported == 100
    assert Bill.objects.for_company(s.company).count() == 100
    stored_token = run.bills_token
    ledger.clear()

    run = payables_import_run(run_id=run.pk, lease="task-1")

    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.attempts == 2
    assert run.bills_imported == unpaid
    assert Bill.objects.for_company(s.company).count() == unpaid
    unpaid_pages = [u for u in ledger.bills_requests() if "query" not in u.params]
    # Resumed at the page that failed: the first page was not fetched again, nor anything before.
    assert unpaid_pages[0].params["continuationToken"] == stored_token
    assert all("continuationToken" in u.params for u in unpaid_pages)
    assert len(unpaid_pages) == (unpaid - 1) // 100
    assert not [u for u in ledger.requests if not u.path.endswith("/payables/bills")]


def test_import_completes_with_every_bill_under_random_429_and_500(ledger) -> None:
    s = seeded(bills=300, suppliers=30)
    for kind in (Fault.Kind.RATE_LIMIT, Fault.Kind.SERVER_ERROR):
        fault_inject(kind=kind, probability=Decimal("0.3"), retry_after_seconds=0)
    run = s.new_run()

    failures = 0
    for _attempt in range(100):
        try:
            # Each retry of the one Celery task holds the same lease (its task id).
            run = payables_import_run(run_id=run.pk, lease="task-1")
            break
        except CodatUnavailable:
            failures += 1
    Fault.objects.update(active=False)

    documents = s.unpaid_documents()
    assert run.status == ImportRun.Status.SUCCEEDED
    # Faults fired: some requests were sent more than once (by the client or by a new attempt).
    assert len(ledger.requests) > len({str(url) for url in ledger.requests})
    assert run.attempts == failures + 1
    assert sorted(Bill.objects.for_company(s.company).values_list("codat_id", flat=True)) == sorted(
        d["id"] for d in documents
    )
    assert run.bills_imported == len(documents)
    assert BillLineItem.objects.filter(bill__company=s.company).count() == sum(
        len(d["lineItems"]) for d in documents
    )
    assert Supplier.objects.for_company(s.company).count() == s.summary.suppliers
    expected = {status: s.summary.bills_by_status[status] for status in ("Paid", "Void", "Draft")}
    assert not_imported_counts(run) == expected


def test_a_finished_run_is_not_run_again(ledger) -> None:
    s = seeded(bills=5, suppliers=2)
    run = ImportRunFactory(company=s.company, status=ImportRun.Status.SUCCEEDED)

    again = payables_import_run(run_id=run.pk)

    assert again.status == ImportRun.Status.SUCCEEDED
    assert again.attempts == 0
    assert ledger.requests == []
    assert not Bill.objects.exists()


class TestTask:
    def test_it_imports(self, ledger) -> None:
        s = seeded(bills=10, suppliers=2)
        run = s.new_run()

        payables_import.apply(args=(run.pk,))

        run.refresh_from_db()
        assert run.status == ImportRun.Status.SUCCEEDED
        assert Bill.objects.for_company(s.company).count() == len(s.unpaid_documents())

    def test_it_retries_when_the_ledger_is_busy_and_then_succeeds(self, ledger) -> None:
        s = seeded(bills=10, suppliers=2)
        # Three 429s exhaust the client's own retries once; the Celery retry then goes through.
        fault_inject(
            kind=Fault.Kind.RATE_LIMIT,
            path_contains="/payables/suppliers",
            times=3,
            retry_after_seconds=0,
        )
        run = s.new_run()

        result = payables_import.apply(args=(run.pk,))

        run.refresh_from_db()
        assert result.successful()
        assert run.status == ImportRun.Status.SUCCEEDED
        assert run.attempts == 2
        assert run.error == ""
        assert Supplier.objects.for_company(s.company).count() == s.summary.suppliers

    def test_it_marks_the_run_failed_after_exhausting_retries(self, ledger) -> None:
        s = seeded(bills=10, suppliers=2)
        fault_inject(kind=Fault.Kind.SERVER_ERROR, path_contains="/payables/suppliers")
        run = s.new_run()

        # Eagerly, each Celery retry runs at once (countdowns are not waited for).
        result = payables_import.apply(args=(run.pk,))

        run.refresh_from_db()
        assert result.failed()
        assert isinstance(result.result, CodatUnavailable)
        assert run.status == ImportRun.Status.FAILED
        assert run.error == result.result.message
        assert run.error
        assert run.attempts == 1 + payables_import.max_retries
        assert run.finished_at is not None
        assert run.phase == ImportPhase.SUPPLIERS

    def test_a_rejected_request_fails_at_once_with_the_ledgers_message(self, ledger) -> None:
        s = seeded(bills=3, suppliers=1)
        Connection.objects.filter(pk=s.connection.pk).update(
            codat_connection_id="00000000-0000-0000-0000-000000000000"
        )
        run = s.new_run()

        payables_import.apply(args=(run.pk,))

        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED
        assert run.attempts == 1
        assert run.error
        assert "Traceback" not in run.error

    def test_an_unexpected_error_fails_the_run_with_a_safe_message(self, ledger) -> None:
        s = seeded(bills=3, suppliers=1)
        run = s.new_run()

        with mock.patch("payables.services.mirror.store_bills", side_effect=RuntimeError("boom")):
            result = payables_import.apply(args=(run.pk,))

        run.refresh_from_db()
        assert result.failed()
        assert run.status == ImportRun.Status.FAILED
        assert run.error == Importer.unexpected


def test_an_attempt_that_lost_its_run_to_a_resume_writes_nothing(
    ledger, settings, enqueued_import
) -> None:
    from payables.services.imports import import_runs_resume_stalled

    s = seeded(bills=320, suppliers=20, statuses=UNPAID)
    unpaid = len(s.unpaid_documents())
    run = s.new_run()
    resumed: list[tuple[int, int]] = []

    def resume_while_the_second_page_is_read(request: httpx.Request) -> None:
        # The old worker looked dead (a long pause): the sweeper resumed the run meanwhile.
        is_bills = request.url.path.endswith("/payables/bills")
        if is_bills and "continuationToken" in request.url.params and not resumed:
            later = timezone.now() + dt.timedelta(seconds=settings.IMPORT_STALL_SECONDS + 1)
            resumed.append(import_runs_resume_stalled(now=later))
            enqueued_import.assert_called_once_with(run.pk)

    ledger.before = resume_while_the_second_page_is_read
    old = payables_import_run(run_id=run.pk, lease="old-attempt")

    assert resumed == [(1, 0)]
    # The old attempt's page was refused (its upsert rolled back with it): nothing moved on.
    assert old.status == ImportRun.Status.PENDING
    assert old.lease == ""
    assert old.bills_imported == 100
    assert Bill.objects.for_company(s.company).count() == 100
    ledger.before = None

    run = payables_import_run(run_id=run.pk, lease="new-attempt")

    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.lease == "new-attempt"
    assert run.bills_imported == unpaid
    assert Bill.objects.for_company(s.company).count() == unpaid


def test_a_live_attempt_is_not_taken_over_by_another_task(ledger) -> None:
    s = seeded(bills=5, suppliers=2, statuses=UNPAID)
    run = s.new_run()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, lease="holder", progressed_at=timezone.now()
    )

    other = payables_import_run(run_id=run.pk, lease="intruder")

    assert other.status == ImportRun.Status.RUNNING
    assert other.lease == "holder"
    assert other.attempts == 0
    assert not ledger.bills_requests()
