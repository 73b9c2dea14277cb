"""billpay's Codat client against the sandbox ledger in-process: the same code that talks to Codat.

These walk the whole Bill Pay journey through `billpay.ledger.codat_client()`, so the client, the
factory and the emulator are proven to agree (every answer is also checked against the spec by
the suite-wide validator).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from billpay.ledger import codat_client, ledger_mode
from codat.client import CodatClient
from codat.errors import CodatConflict, CodatNotFound, CodatRejected, CodatUnavailable
from codat.types import (
    BankAccountPrototype,
    BankAccountType,
    BillLineItemPrototype,
    BillPaymentPrototype,
    BillPrototype,
    BillStatus,
    CompanyRequest,
    ConnectionStatus,
    RecordRef,
    SupplierPrototype,
    SupplierRef,
)
from sandbox import services
from sandbox.models import Fault, LedgerConnection, LedgerRecord

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def client() -> Iterator[CodatClient]:
    with codat_client() as client:
        yield client


@pytest.fixture
def linked(client: CodatClient, settings) -> tuple[str, str]:
    """A company whose Xero connection went through consent and holds seeded demo data."""
    settings.SANDBOX_LINK_SEED_BILLS = 30
    settings.SANDBOX_LINK_SEED_SUPPLIERS = 8
    company = client.create_company(CompanyRequest(name="Acme (Codat[1])"))
    connection = client.create_connection(company.id, "gbol")
    services.connection_consent(
        connection=LedgerConnection.objects.get(pk=connection.id), granted=True
    )
    return company.id, connection.id


def _open_bill_prototype(client: CodatClient, company_id: str, connection_id: str) -> BillPrototype:
    options = client.get_mapping_options_bills(company_id, connection_id)
    supplier = next(iter(client.list_suppliers(company_id, connection_id, query="status=Active")))
    account = next(a for a in options.accounts if a.currency in (None, "GBP"))
    tax_rate = options.tax_rates[0]
    return BillPrototype(
        supplier_ref=SupplierRef(id=supplier.id),
        issue_date=TODAY,
        due_date=TODAY + dt.timedelta(days=30),
        currency="GBP",
        reference="INV-1001",
        line_items=(
            BillLineItemPrototype(
                description="Widgets",
                unit_amount=Decimal("33.33"),
                quantity=Decimal(3),
                tax_amount=Decimal("20.00"),
                account_ref=RecordRef(id=account.id),
                tax_rate_ref=RecordRef(id=tax_rate.id),
            ),
        ),
    )


def test_the_embedded_default_is_the_sandbox_in_process() -> None:
    assert ledger_mode() == "in-process"


def test_onboarding_creates_company_and_links_connection(client: CodatClient) -> None:
    company = client.create_company(CompanyRequest(name="Acme (Codat[1])"))
    connection = client.create_connection(company.id, "gbol")

    assert company.name == "Acme Codat1"
    assert connection.status is ConnectionStatus.PENDING_AUTH
    assert connection.link_url.endswith(
        f"/companies/{company.id}/connections/{connection.id}/start"
    )

    services.connection_consent(
        connection=LedgerConnection.objects.get(pk=connection.id), granted=True
    )

    assert client.get_connection(company.id, connection.id).status is ConnectionStatus.LINKED
    assert [c.id for c in client.list_connections(company.id)] == [connection.id]
    assert company.id in {c.id for c in client.list_companies()}


def test_unlinking_keeps_data_readable_and_refuses_writes(
    client: CodatClient, linked: tuple[str, str]
) -> None:
    company_id, connection_id = linked

    unlinked = client.unlink_connection(company_id, connection_id)

    assert unlinked.status is ConnectionStatus.UNLINKED
    assert list(client.list_bills(company_id, connection_id))
    with pytest.raises(CodatRejected):
        client.create_bank_account(
            company_id,
            connection_id,
            BankAccountPrototype(
                name="Ops",
                account_type=BankAccountType.DEBIT,
                account_number="12345678",
                currency="GBP",
            ),
        )


def test_first_link_pulls_every_unpaid_bill_with_money_as_decimal(
    client: CodatClient, linked: tuple[str, str]
) -> None:
    company_id, connection_id = linked

    bills = list(client.list_bills(company_id, connection_id))
    stored_unpaid = [
        r
        for r in LedgerRecord.objects.filter(dataset="bills")
        if '"status":"Open"' in r.document or '"status":"PartiallyPaid"' in r.document
    ]

    assert len(bills) == len(stored_unpaid) > 0
    assert {b.status for b in bills} <= {BillStatus.OPEN, BillStatus.PARTIALLY_PAID}
    assert all(type(b.total_amount) is Decimal for b in bills)
    assert client.get_company_information(company_id, connection_id).base_currency == "GBP"


def test_create_update_attach_and_pay_a_bill(client: CodatClient, linked: tuple[str, str]) -> None:
    company_id, connection_id = linked
    prototype = _open_bill_prototype(client, company_id, connection_id)

    bill = client.create_bill(company_id, connection_id, prototype)
    assert bill.status is BillStatus.OPEN
    assert bill.total_amount == Decimal("119.99")

    updated = client.update_bill(
        company_id,
        connection_id,
        bill.id,
        BillPrototype(**{**_fields(prototype), "reference": "INV-1001-A"}),
    )
    assert updated.reference == "INV-1001-A"

    attachment = client.upload_bill_attachment(
        company_id,
        connection_id,
        bill.id,
        filename="invoice.pdf",
        content=b"%PDF-1.4 demo",
        content_type="application/pdf",
    )
    assert [a.id for a in client.list_bill_attachments(company_id, connection_id, bill.id)] == [
        attachment.id
    ]
    assert (
        client.download_bill_attachment(company_id, connection_id, bill.id, attachment.id)
        == b"%PDF-1.4 demo"
    )

    bank = next(
        b
        for b in client.get_mapping_options_payments(company_id, connection_id).bank_accounts
        if b.currency == "GBP"
    )
    client.create_bill_payment(
        company_id,
        connection_id,
        bill.id,
        BillPaymentPrototype(amount=Decimal("100.00"), date=TODAY, account_id=bank.id),
    )
    client.create_bill_payment(
        company_id,
        connection_id,
        bill.id,
        BillPaymentPrototype(amount=Decimal("19.99"), date=TODAY, account_id=bank.id),
    )

    paid = next(iter(client.list_bills(company_id, connection_id, query=f"id={bill.id}")))
    assert paid.status is BillStatus.PAID
    assert paid.amount_due == Decimal(0)
    assert bill.id not in {b.id for b in client.list_bills(company_id, connection_id)}


def _fields(prototype: BillPrototype) -> dict[str, object]:
    return {name: getattr(prototype, name) for name in prototype.__slots__}  # type: ignore[attr-defined]


def test_a_payment_retried_after_a_lost_response_is_recorded_once(
    client: CodatClient, linked: tuple[str, str]
) -> None:
    company_id, connection_id = linked
    bill = client.create_bill(
        company_id, connection_id, _open_bill_prototype(client, company_id, connection_id)
    )
    bank = client.get_mapping_options_payments(company_id, connection_id).bank_accounts[0]
    payment = BillPaymentPrototype(amount=Decimal("10.00"), date=TODAY, account_id=bank.id)
    key = str(uuid.uuid4())
    services.fault_inject(kind=Fault.Kind.LOST_RESPONSE, path_contains="/payment", times=1)

    with pytest.raises(CodatUnavailable):
        client.create_bill_payment(company_id, connection_id, bill.id, payment, idempotency_key=key)
    replayed = client.create_bill_payment(
        company_id, connection_id, bill.id, payment, idempotency_key=key
    )

    stored = LedgerRecord.objects.filter(dataset="billPayments", parent_id=bill.id)
    assert [r.record_id for r in stored] == [replayed.id]


def test_suppliers_are_created_and_replaced(client: CodatClient, linked: tuple[str, str]) -> None:
    company_id, connection_id = linked

    created = client.create_supplier(
        company_id,
        connection_id,
        SupplierPrototype(supplier_name="Northwind Traders", email_address="ap@northwind.test"),
    )
    replaced = client.update_supplier(
        company_id,
        connection_id,
        created.id,
        SupplierPrototype(supplier_name="Northwind Traders Ltd"),
    )

    assert replaced.supplier_name == "Northwind Traders Ltd"
    assert replaced.email_address is None
    with pytest.raises(CodatRejected) as refused:
        client.create_supplier(
            company_id, connection_id, SupplierPrototype(supplier_name="northwind traders ltd")
        )
    assert refused.value.form_messages()


def test_a_new_bank_account_is_a_payment_option_at_once(
    client: CodatClient, linked: tuple[str, str]
) -> None:
    company_id, connection_id = linked

    account = client.create_bank_account(
        company_id,
        connection_id,
        BankAccountPrototype(
            name="Payables EUR",
            account_type=BankAccountType.DEBIT,
            account_number="DE89370400440532013000",
            currency="EUR",
        ),
    )

    options = client.get_mapping_options_payments(company_id, connection_id)
    assert account.id in {b.id for b in options.bank_accounts}


def test_unknown_bill_is_not_found(client: CodatClient, linked: tuple[str, str]) -> None:
    company_id, connection_id = linked

    with pytest.raises(CodatNotFound):
        client.list_bill_attachments(company_id, connection_id, "no-such-bill")


def test_lists_answer_conflict_while_the_initial_read_runs(
    client: CodatClient, linked: tuple[str, str]
) -> None:
    company_id, connection_id = linked
    LedgerConnection.objects.filter(pk=connection_id).update(
        data_ready_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    )

    with pytest.raises(CodatConflict):
        list(client.list_bills(company_id, connection_id))


def test_get_retries_through_a_rate_limit(client: CodatClient, linked: tuple[str, str]) -> None:
    company_id, connection_id = linked
    services.fault_inject(
        kind=Fault.Kind.RATE_LIMIT,
        method="GET",
        path_contains="/info",
        times=1,
        retry_after_seconds=0,
    )

    info = client.get_company_information(company_id, connection_id)

    assert info.base_currency == "GBP"
    assert Fault.objects.get().remaining == 0
