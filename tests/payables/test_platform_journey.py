"""The whole journey on each of the six platforms, through billpay's own services and views against
the sandbox ledger playing that platform: create the company, connect and consent, the first-link
import, the inbox, a new supplier, a new bill with an attachment, paid in part and then in full,
and a refresh that mirrors what changed in the platform.

Nothing here is hard-coded for one platform's chart: the account, tax rate, currency and bank
account are chosen from what the ledger serves, and each platform's own outcomes (its record ids,
its supplier and bill currencies, its tax rule) are checked against codat.platforms' table.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Company, Connection, User
from accounts.services import company_create, connection_create
from codat.money import quantize
from codat.platforms import PLATFORMS, IdFormat, PlatformRules, SupplierCurrency, Tax
from payables.errors import BillError
from payables.models import Attachment, BankAccount, Bill, ImportRun, MappingStatus, Payment
from payables.services.attachments import attachment_upload
from payables.services.bills import (
    BillLineInput,
    bill_create,
    bill_currencies,
    expense_accounts,
    tax_rates_for_account,
)
from payables.services.payments import bill_pay
from payables.services.runs import payables_import_run, payables_refresh_run
from payables.services.suppliers import supplier_create
from payables.services.sync import payables_refresh_start
from sandbox.api.bills import bill_payments
from sandbox.api.records import get_document
from sandbox.models import Dataset, LedgerAttachment, LedgerConnection, LedgerRecord
from sandbox.services import platform_record_edit
from tests.accounts.factories import UserFactory
from tests.payables.pdfs import make_pdf

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

# What each id format looks like (codat.platforms.IdFormat), read from the platforms' own ids.
ID_SHAPES = {
    IdFormat.GUID: r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    IdFormat.COUNTER: r"[1-9][0-9]*",
    IdFormat.INTERNAL_ID: r"[1-9][0-9]{2,}",
    IdFormat.LONG_NUMBER: r"[1-9][0-9]{15,}",
}


@pytest.fixture(autouse=True)
def small_platform(settings: Any, tmp_path: Path) -> None:
    # The demo data a first consent finds: enough for several unpaid bills and suppliers.
    settings.SANDBOX_LINK_SEED_BILLS = 12
    settings.SANDBOX_LINK_SEED_SUPPLIERS = 4
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }


def _local(url: str) -> str:
    """The path and query of an absolute URL, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _looks_like(fmt: IdFormat, record_id: str) -> bool:
    return re.fullmatch(ID_SHAPES[fmt], record_id) is not None


def _ledger_bill(ledger: LedgerConnection, bill: Bill) -> dict[str, Any]:
    document = get_document(ledger, Dataset.BILLS, bill.codat_id)
    assert document is not None, f"bill {bill.codat_id} is not in the ledger"
    return document


def _inbox_bills(client: Client) -> set[int]:
    response = client.get("/")
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'<tr data-bill="(\d+)">', response.content.decode())}


def _ledger_unpaid(ledger: LedgerConnection) -> set[str]:
    ids = LedgerRecord.objects.filter(connection=ledger, dataset=Dataset.BILLS).values_list(
        "record_id", flat=True
    )
    documents = [get_document(ledger, Dataset.BILLS, i) for i in ids]
    return {d["id"] for d in documents if d and d["status"] in ("Open", "PartiallyPaid")}


def journey_bill_lines(company: Company, rules: PlatformRules) -> list[BillLineInput]:
    """One line the platform takes: an active expense account from the ledger's chart and, where
    the platform's tax rule takes a rate, a purchase rate valid for it (a taxed one first, so the
    bill carries tax); FreeAgent takes no rate (Tax.AMOUNT_ONLY)."""
    account = expense_accounts(company).order_by("nominal_code", "name", "id").first()
    assert account is not None, "the ledger serves no active expense account"
    tax_rate = None
    if rules.tax.takes_rate:
        rates = sorted(
            tax_rates_for_account(account),
            key=lambda rate: (not rate.effective_tax_rate, rate.code, rate.pk),
        )
        assert rates, f"no tax rate is valid on {account}"
        tax_rate = rates[0]
    return [
        BillLineInput(
            description="Replacement parts, journey test",
            quantity=Decimal(2),
            unit_amount=Decimal("60.00"),
            account=account,
            tax_rate=tax_rate,
        )
    ]


def _pay(company: Company, bill: Bill, bank: BankAccount, amount: Decimal) -> Payment:
    bill.refresh_from_db()
    payment = bill_pay(
        company=company,
        bill=bill,
        bank_account=bank,
        amount=amount,
        paid_on=dt.date.today(),
        idempotency_key=uuid.uuid4(),
        amount_due=bill.amount_due,
    )
    assert payment.status == Payment.Status.SUCCEEDED, payment.last_error
    bill.refresh_from_db()
    return payment


@pytest.mark.parametrize("rules", PLATFORMS, ids=[rules.key for rules in PLATFORMS])
def test_the_whole_journey_on_each_platform(
    client: Client,
    rules: PlatformRules,
    enqueued_import: mock.MagicMock,
    enqueued_refresh: mock.MagicMock,
) -> None:
    user: User = UserFactory(email="ada@example.com")
    client.force_login(user)

    # --- Create the company, connect the platform, consent in the sandbox
    company = company_create(user=user, name="Lovelace Engines Ltd")
    connection = connection_create(company=company, platform_key=rules.key)
    assert (connection.platform_key, connection.platform_name) == (rules.key, rules.name)
    assert connection.status == Connection.Status.PENDING_AUTH
    consent_page = client.get(_local(connection.link_url))
    assert consent_page.status_code == 200
    assert f"Connect {rules.name}".encode() in consent_page.content
    allowed = client.post(_local(connection.link_url), {"decision": "allow"})
    landed = client.get(_local(allowed["Location"]))

    connection.refresh_from_db()
    assert connection.status == Connection.Status.LINKED
    ledger = LedgerConnection.objects.get(pk=connection.codat_connection_id)
    assert ledger.platform_key == rules.key
    company.refresh_from_db()
    # The company's base currency is its ledger's: the platform's home market's.
    assert company.base_currency == ledger.base_currency == rules.base_currency

    # --- The first-link import, run by its engine
    run = ImportRun.objects.get(company=company)
    assert landed["Location"] == f"/imports/{run.pk}/"
    enqueued_import.assert_called_once_with(run.pk)
    run = payables_import_run(run_id=run.pk)
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    # Every unpaid bill came in; the others are counted, by status.
    imported = list(Bill.objects.for_company(company))
    ledger_bill_ids = list(
        LedgerRecord.objects.filter(connection=ledger, dataset=Dataset.BILLS).values_list(
            "record_id", flat=True
        )
    )
    assert {bill.codat_id for bill in imported} == _ledger_unpaid(ledger) != set()
    assert len(imported) + sum(run.not_imported.values()) == len(ledger_bill_ids)
    assert all(_looks_like(rules.ids.bills, i) for i in ledger_bill_ids)

    # --- The inbox shows the unpaid bills
    assert _inbox_bills(client) == {bill.pk for bill in imported}

    # --- A new supplier in the base currency (FreeAgent's have no currency: it answers the base)
    base = company.base_currency
    asked = "" if rules.supplier_currency is SupplierCurrency.BASE_ONLY else base
    supplier = supplier_create(
        company=company,
        name="Babbage Difference Works",
        email_address="accounts@babbage.example",
        default_currency=asked,
    )
    assert _looks_like(rules.ids.suppliers, supplier.codat_id)
    assert supplier.default_currency == base
    assert get_document(ledger, Dataset.SUPPLIERS, supplier.codat_id)["supplierName"] == (
        "Babbage Difference Works"
    )

    # --- A new bill, in the supplier's currency where the platform demands it
    lines = journey_bill_lines(company, rules)
    reference = f"JRN-{rules.key}-0001"
    assert len(reference) <= rules.max_reference_length
    fields: dict[str, Any] = {
        "company": company,
        "supplier": supplier,
        "reference": reference,
        "issue_date": dt.date.today(),
        "due_date": dt.date.today() + dt.timedelta(days=30),
        "lines": lines,
    }
    if rules.bill_currency_matches_supplier:
        other = next(c for c in bill_currencies(company) if c != supplier.default_currency)
        with pytest.raises(BillError) as refused:
            bill_create(**fields, currency=other, idempotency_key=uuid.uuid4())
        errors = refused.value.field_errors.values()
        said = [refused.value.message, *(text for texts in errors for text in texts)]
        platform_says = rules.messages.currency_not_suppliers.format(
            currency=other, supplier_currency=supplier.default_currency
        )
        # The platform's own words, or billpay's naming the currency to choose.
        assert any(
            platform_says in text or f"choose {supplier.default_currency}" in text for text in said
        ), said
        assert not Bill.objects.for_company(company).filter(reference=reference).exists()
        assert LedgerRecord.objects.filter(connection=ledger, dataset=Dataset.BILLS).count() == (
            len(ledger_bill_ids)
        )
    bill = bill_create(**fields, currency=supplier.default_currency, idempotency_key=uuid.uuid4())

    assert _looks_like(rules.ids.bills, bill.codat_id)
    assert bill.codat_id not in ledger_bill_ids
    assert (bill.status, bill.currency, bill.supplier_id) == ("Open", base, supplier.pk)
    subtotal = Decimal("120.00")
    assert bill.total_amount == bill.amount_due > 0
    document = _ledger_bill(ledger, bill)
    assert document["supplierRef"]["id"] == supplier.codat_id
    assert document["currency"] == supplier.default_currency
    assert document["reference"] == reference
    (line,) = document["lineItems"]
    assert line["accountRef"]["id"] == lines[0].account.codat_id
    if rules.tax is Tax.AMOUNT_ONLY:
        assert line.get("taxRateRef") is None
        assert bill.total_amount == subtotal
    else:
        rate = lines[0].tax_rate
        assert rate is not None
        assert line["taxRateRef"]["id"] == rate.codat_id
        expected_tax = quantize(subtotal * (rate.effective_tax_rate or 0) / 100, base)
        assert bill.total_amount == subtotal + expected_tax

    # --- With an attachment, sent to the ledger
    pdf = make_pdf(["Babbage Difference Works", f"Invoice {reference}", "Total due: 144.00"])
    attachment = attachment_upload(
        bill=bill,
        upload=SimpleUploadedFile("invoice.pdf", pdf, content_type="application/pdf"),
    )
    assert attachment.sync_status == Attachment.SyncStatus.SYNCED, attachment.sync_error
    (stored,) = LedgerAttachment.objects.filter(connection=ledger, bill_id=bill.codat_id)
    assert (str(stored.id), stored.name, bytes(stored.content)) == (
        attachment.codat_id,
        "invoice.pdf",
        pdf,
    )

    # --- Pay part, then the rest, from a bank account in the bill's currency
    bank = (
        BankAccount.objects.for_company(company)
        .filter(status=MappingStatus.ACTIVE, currency=bill.currency)
        .order_by("id")
        .first()
    )
    assert bank is not None, f"the ledger serves no active {bill.currency} bank account"
    part = quantize(bill.amount_due / 3, bill.currency)
    first = _pay(company, bill, bank, part)
    assert (bill.status, bill.amount_due) == (Bill.Status.PARTIALLY_PAID, bill.total_amount - part)
    assert _ledger_bill(ledger, bill)["status"] == "PartiallyPaid"
    assert Decimal(str(_ledger_bill(ledger, bill)["amountDue"])) == bill.amount_due
    rest = bill.amount_due
    second = _pay(company, bill, bank, rest)
    assert (bill.status, bill.amount_due) == (Bill.Status.PAID, 0)
    document = _ledger_bill(ledger, bill)
    assert (document["status"], Decimal(str(document["amountDue"]))) == ("Paid", 0)
    recorded = bill_payments(ledger, bill.codat_id)
    assert [p["id"] for p in recorded] == [first.codat_id, second.codat_id]
    assert [Decimal(str(p["amount"])) for p in recorded] == [part, rest]
    assert {p["accountRef"]["id"] for p in recorded} == {bank.codat_id}
    assert all(_looks_like(rules.ids.payments, p.codat_id) for p in (first, second))
    if rules.ids.bills is IdFormat.INTERNAL_ID or rules.ids.bills is IdFormat.LONG_NUMBER:
        # One sequence numbers every record type: each new record's id is above the last one's.
        created = [supplier.codat_id, bill.codat_id, first.codat_id, second.codat_id]
        assert [int(i) for i in created] == sorted({int(i) for i in created})
    elif rules.ids.bills is IdFormat.COUNTER:
        # One sequence per record type: the bill after the platform's last one.
        assert int(bill.codat_id) == max(int(i) for i in ledger_bill_ids) + 1
    assert bill.pk not in _inbox_bills(client)

    # --- Someone pays an imported bill inside the platform; the refresh mirrors the ledger
    paid_there = Bill.objects.for_company(company).unpaid().order_by("id").first()
    assert paid_there is not None
    platform_record_edit(
        connection=ledger,
        dataset=Dataset.BILLS,
        record_id=paid_there.codat_id,
        changes={"status": "Paid", "amountDue": 0},
    )
    refresh = payables_refresh_start(company=company, connection=connection)
    enqueued_refresh.assert_called_once_with(refresh.pk)
    refresh = payables_refresh_run(run_id=refresh.pk)
    assert refresh.status == ImportRun.Status.SUCCEEDED, refresh.error
    assert refresh.bills_imported >= 1

    paid_there.refresh_from_db()
    assert (paid_there.status, paid_there.amount_due) == (Bill.Status.PAID, 0)
    for mirrored in Bill.objects.for_company(company):
        document = _ledger_bill(ledger, mirrored)
        assert (mirrored.status, mirrored.amount_due, mirrored.total_amount, mirrored.currency) == (
            document["status"],
            Decimal(str(document["amountDue"])),
            Decimal(str(document["totalAmount"])),
            document["currency"],
        ), mirrored.codat_id
    assert Bill.objects.for_company(company).count() == len(imported) + 1
    unpaid = Bill.objects.for_company(company).unpaid()
    assert {b.codat_id for b in unpaid} == _ledger_unpaid(ledger)
    assert _inbox_bills(client) == {b.pk for b in unpaid}
