"""bill_create against the in-process sandbox ledger: created once, stored locally, never half-done."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from payables.errors import BillError, LedgerUnavailable
from payables.models import Bill, BillLineItem, BillSubmission, TaxRate
from payables.services.bills import (
    BillLineInput,
    bill_create,
    line_tax,
    supplier_last_coding,
    tax_rate_valid_for_account,
)
from sandbox.models import Fault
from sandbox.services import fault_inject, faults_clear
from tests.accounts.factories import CompanyFactory
from tests.ledger_company import LedgerCompany
from tests.payables.factories import AccountFactory, TaxRateFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def create(linked: LedgerCompany, key: uuid.UUID | None = None, **changes: object) -> Bill:
    args: dict[str, object] = {
        "company": linked.company,
        "supplier": linked.supplier(),
        "reference": "INV-2001",
        "issue_date": dt.date(2026, 3, 1),
        "due_date": dt.date(2026, 3, 31),
        "currency": "GBP",
        "lines": [
            BillLineInput(
                description="Toner",
                quantity=Decimal(3),
                unit_amount=Decimal("19.99"),
                account=linked.account("461"),
                tax_rate=linked.tax_rate("INPUT2"),
            )
        ],
        "idempotency_key": key or uuid.uuid4(),
    }
    args.update(changes)
    return bill_create(**args)  # type: ignore[arg-type]


def test_bill_is_created_open_in_the_ledger_and_stored_with_its_lines(
    linked: LedgerCompany,
) -> None:
    before = linked.ledger_bill_count()

    bill = create(linked)

    assert linked.ledger_bill_count() == before + 1
    document = next(d for d in linked.documents("bills") if d["id"] == bill.codat_id)
    assert document["status"] == "Open"
    assert document["reference"] == "INV-2001"
    # 3 x 19.99 = 59.97, VAT 20% = 11.994 -> 11.99
    assert document["totalAmount"] == Decimal("71.96")
    assert bill.status == Bill.Status.OPEN
    assert bill.total_amount == bill.amount_due == Decimal("71.96")
    assert bill.supplier == linked.supplier()
    line = BillLineItem.objects.get(bill=bill)
    assert (line.quantity, line.unit_amount, line.tax_amount) == (
        Decimal(3),
        Decimal("19.99"),
        Decimal("11.99"),
    )
    assert line.account_codat_id == linked.account("461").codat_id
    assert line.tax_rate_codat_id == "INPUT2"


def test_the_same_key_twice_creates_one_bill(linked: LedgerCompany) -> None:
    key = uuid.uuid4()
    before = linked.ledger_bill_count()

    first = create(linked, key)
    second = create(linked, key)

    assert first.pk == second.pk
    assert linked.ledger_bill_count() == before + 1
    assert BillSubmission.objects.filter(key=key).count() == 1


def test_a_lost_answer_retried_with_the_same_key_creates_one_bill(linked: LedgerCompany) -> None:
    key = uuid.uuid4()
    before = linked.ledger_bill_count()
    local_before = Bill.objects.count()
    fault_inject(kind=Fault.Kind.LOST_RESPONSE, method="POST", path_contains="/bills", times=1)

    with pytest.raises(LedgerUnavailable) as caught:
        create(linked, key)

    # The ledger did the write but the answer never came: nothing local yet, the key is kept.
    assert caught.value.same_key_safe
    assert linked.ledger_bill_count() == before + 1
    assert Bill.objects.count() == local_before
    bill = create(linked, key)
    assert linked.ledger_bill_count() == before + 1
    assert Bill.objects.count() == local_before + 1
    assert Bill.objects.get(pk=bill.pk).reference == "INV-2001"


def test_ledger_down_creates_nothing_and_a_retry_works(linked: LedgerCompany) -> None:
    before, local_before = linked.ledger_bill_count(), Bill.objects.count()
    fault_inject(kind=Fault.Kind.UNAVAILABLE, method="POST", path_contains="/bills")

    with pytest.raises(LedgerUnavailable) as caught:
        create(linked)

    assert "did not answer" in caught.value.message
    # A 503 is kept by Codat under its key: the next attempt must use a new one.
    assert not caught.value.same_key_safe
    assert linked.ledger_bill_count() == before
    assert Bill.objects.count() == local_before
    faults_clear()
    create(linked)
    assert linked.ledger_bill_count() == before + 1
    assert Bill.objects.count() == local_before + 1


def test_ledger_validation_errors_map_to_the_field(linked: LedgerCompany) -> None:
    before = linked.ledger_bill_count()

    with pytest.raises(BillError) as caught:
        create(linked, reference="R" * 256)

    assert caught.value.field_errors["reference"] == [
        "`Reference Length` must be less than or equal to `255`."
    ]
    assert linked.ledger_bill_count() == before


def test_bad_input_is_refused_before_the_ledger(linked: LedgerCompany) -> None:
    before = linked.ledger_bill_count()
    line = BillLineInput(
        description="x",
        quantity=Decimal(-1),
        unit_amount=Decimal(5),
        account=linked.archived_account(),
        tax_rate=linked.tax_rate("INPUT"),  # archived
    )

    with pytest.raises(BillError) as caught:
        create(linked, lines=[line], due_date=dt.date(2026, 2, 1))

    errors = caught.value.field_errors
    assert errors["due_date"] == ["The due date cannot be before the issue date."]
    assert "Each quantity must be greater than zero." in errors["__all__"]
    assert any("is not active" in e for e in errors["__all__"])
    assert any("is not valid for account" in e for e in errors["__all__"])
    assert linked.ledger_bill_count() == before


def test_sales_tax_rates_are_not_valid_on_expense_accounts() -> None:
    # Unsaved rows: a pure function needs no ledger (Xero's codes and names, as seeded).
    company = CompanyFactory.build(pk=1)
    purchase = TaxRateFactory.build(company=company, code="INPUT2", name="20% (VAT on Expenses)")
    sales = TaxRateFactory.build(company=company, code="OUTPUT2", name="20% (VAT on Income)")
    account = AccountFactory.build(
        company=company, nominal_code="461", name="Printing & Stationery"
    )

    assert tax_rate_valid_for_account(purchase, account)
    assert not tax_rate_valid_for_account(sales, account)


def test_line_tax_rounds_half_up_to_the_currency_minor_unit() -> None:
    rate = TaxRate(effective_tax_rate=Decimal(20))  # unsaved: a pure function needs no ledger
    assert line_tax(Decimal(1), Decimal("0.025"), rate, "GBP") == Decimal("0.01")
    assert line_tax(Decimal(1), Decimal("1003"), rate, "JPY") == Decimal("201")


def test_the_supplier_last_used_coding_is_its_latest_line(linked: LedgerCompany) -> None:
    supplier = linked.supplier()
    create(linked, supplier=supplier, issue_date=dt.date(2099, 1, 1), due_date=dt.date(2099, 2, 1))

    assert supplier_last_coding(supplier) == (linked.account("461").codat_id, "INPUT2")


def test_the_scheduled_refresh_archives_options_the_ledger_dropped(linked: LedgerCompany) -> None:
    from unittest import mock

    from payables.models import Account, TaxRate
    from payables.tasks import mapping_options_refresh, mapping_options_refresh_all
    from sandbox.models import LedgerRecord

    account = linked.account("461")
    LedgerRecord.objects.filter(
        connection=linked.ledger, dataset="accounts", record_id=account.codat_id
    ).delete()
    TaxRate.objects.filter(company=linked.company, code="INPUT2").update(status="Archived")

    with mock.patch.object(mapping_options_refresh, "delay") as enqueue:
        assert mapping_options_refresh_all() == 1
    enqueue.assert_called_once_with(linked.company.pk)
    mapping_options_refresh.apply(args=[linked.company.pk]).get()

    assert Account.objects.get(pk=account.pk).status == "Archived"
    assert linked.tax_rate("INPUT2").status == "Active"  # the ledger still lists it as active
