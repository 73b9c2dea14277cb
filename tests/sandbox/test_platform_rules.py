"""Each platform's rules (codat.platforms), as the sandbox enforces them through the raw API: the
same small ledger (tests.sandbox.payables_data) answering as each of the six platforms."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from codat.platforms import (
    FREEAGENT,
    NETSUITE,
    PLATFORMS,
    QUICKBOOKS_ONLINE,
    SAGE_INTACCT,
    XERO,
    ZOHO_BOOKS,
    ArchivedSupplierUpdate,
    IdFormat,
    PlatformRules,
    SupplierCurrency,
    SupplierNameOnUpdate,
)
from sandbox.ids import INTERNAL_ID_START, LONG_NUMBER_START
from sandbox.models import LedgerConnection
from tests.sandbox.payables_data import (
    ARCHIVED_SUPPLIER,
    EXPENSE_ACCOUNT,
    GBP_BANK,
    SUPPLIER,
    USD_SUPPLIER,
    add_reference_data,
    bill_body,
    messages,
    store_bill,
)

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def connection(linked_connection: LedgerConnection) -> LedgerConnection:
    add_reference_data(linked_connection)
    return linked_connection


@pytest.fixture
def as_platform(connection: LedgerConnection, payables_path: str) -> Any:
    """as_platform(rules) -> the /payables path of the ledger answering as that platform."""

    def switch(rules: PlatformRules) -> str:
        connection.platform_key = rules.key
        connection.save(update_fields=["platform_key"])
        return payables_path

    return switch


def line(**fields: Any) -> dict[str, Any]:
    base = {
        "description": "Consulting",
        "unitAmount": 100,
        "quantity": 1,
        "taxAmount": 20,
        "accountRef": {"id": EXPENSE_ACCOUNT},
        "taxRateRef": {"id": "INPUT2"},
    }
    return {key: value for key, value in (base | fields).items() if value is not ...}


def post_bill(ledger: httpx.Client, path: str, **overrides: Any) -> httpx.Response:
    return ledger.post(f"{path}/bills", json=bill_body(**overrides))


# --- Ids ------------------------------------------------------------------------------------------


def _looks_like(fmt: IdFormat, record_id: str) -> bool:
    if fmt is IdFormat.GUID:
        return bool(GUID.match(record_id))
    if fmt is IdFormat.INTERNAL_ID:
        return record_id.isdigit() and int(record_id) > INTERNAL_ID_START
    if fmt is IdFormat.LONG_NUMBER:
        return record_id.isdigit() and int(record_id) > LONG_NUMBER_START
    return record_id.isdigit() and int(record_id) < INTERNAL_ID_START


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_new_records_get_the_platforms_ids(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)
    supplier = ledger.post(
        f"{path}/suppliers",
        json={"supplierName": "Ids Ltd", "status": "Active", "defaultCurrency": "GBP"},
    )
    bill = post_bill(ledger, path, lineItems=[_valid_line(rules)])
    bank = ledger.post(
        f"{path}/bankAccounts",
        json={
            "name": "Ids account",
            "accountType": "Debit",
            "accountNumber": "12345678",
            "currency": "GBP",
            "nominalCode": "1099",
        },
    )

    assert supplier.status_code == bill.status_code == bank.status_code == 201, (
        supplier.text + bill.text + bank.text
    )
    assert _looks_like(rules.ids.suppliers, supplier.json()["id"])
    assert _looks_like(rules.ids.bills, bill.json()["id"])
    assert _looks_like(rules.ids.bank_accounts, bank.json()["id"])
    if rules.ids.suppliers in (IdFormat.INTERNAL_ID, IdFormat.LONG_NUMBER):
        # One sequence for every record type: a supplier and a bill never share an id.
        assert supplier.json()["id"] != bill.json()["id"]


def _valid_line(rules: PlatformRules) -> dict[str, Any]:
    if not rules.tax.takes_rate:
        return line(taxRateRef=...)
    return line()


# --- Bills ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_the_reference_limit_is_the_platforms(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)
    longest = rules.max_reference_length
    lines = [_valid_line(rules)]

    fits = post_bill(ledger, path, reference="r" * longest, lineItems=lines)
    too_long = post_bill(ledger, path, reference="r" * (longest + 1), lineItems=lines)

    assert fits.status_code == 201, fits.text
    assert messages(too_long) == [f"`Reference Length` must be less than or equal to `{longest}`."]


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_an_unknown_supplier_is_named_in_the_platforms_words(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)

    response = post_bill(ledger, path, supplierRef={"id": "999"}, lineItems=[_valid_line(rules)])

    assert messages(response) == [rules.messages.supplier_not_found.format(id="999")]


def test_the_texts_are_the_documented_ones() -> None:
    # docs update-bill.md, software-specific errors, verbatim.
    assert XERO.messages.supplier_not_found == "`SupplierRef Id` was not found in Xero."
    assert FREEAGENT.messages.supplier_not_found == "`Supplier Ref Id` was not found in FreeAgent."
    assert NETSUITE.messages.supplier_not_found == "`Supplier Ref` was not found in NetSuite."
    assert SAGE_INTACCT.messages.supplier_not_found.format(id="V1") == (
        "The Supplier with Id `V1` was not found."
    )
    assert ZOHO_BOOKS.messages.supplier_not_found == "`SupplierRef Id` was not found in ZohoBooks."
    assert NETSUITE.messages.account_not_found.format(label="Account Ref") == (
        "`Account Ref` was not found in NetSuite."
    )


def test_freeagent_takes_tax_amounts_only(ledger: httpx.Client, as_platform: Any) -> None:
    path = as_platform(FREEAGENT)

    with_rate = post_bill(ledger, path, lineItems=[line()])
    amount_only = post_bill(ledger, path, lineItems=[line(taxRateRef=None)])

    assert messages(with_rate) == [FREEAGENT.messages.tax_rate_not_allowed]
    assert amount_only.status_code == 201, amount_only.text
    stored = amount_only.json()["lineItems"][0]
    assert "taxRateRef" not in stored  # the spec's billTaxRateRef is an object, never null
    assert stored["totalAmount"] == 120


def test_freeagent_takes_at_most_40_lines(ledger: httpx.Client, as_platform: Any) -> None:
    path = as_platform(FREEAGENT)
    amount_only = line(taxRateRef=None)

    forty = post_bill(ledger, path, lineItems=[amount_only] * 40)
    forty_one = post_bill(ledger, path, lineItems=[amount_only] * 41)

    assert forty.status_code == 201, forty.text
    assert messages(forty_one) == ["`Line Items` must contain at most `40` lines in FreeAgent."]


@pytest.mark.parametrize("rules", [NETSUITE, SAGE_INTACCT], ids=lambda r: r.key)
def test_netsuite_and_intacct_want_the_rate_and_the_amount(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)

    no_amount = post_bill(ledger, path, lineItems=[line(taxAmount=...)])
    no_rate = post_bill(ledger, path, lineItems=[line(taxRateRef=...)])

    assert messages(no_amount) == ["`Tax Amount` must not be empty."]
    assert messages(no_rate) == ["`Tax Rate Ref` must not be empty."]


@pytest.mark.parametrize("rules", [XERO, QUICKBOOKS_ONLINE], ids=lambda r: r.key)
def test_xero_and_qbo_want_a_rate_on_every_line(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)

    untaxed = post_bill(ledger, path, lineItems=[line(taxRateRef=..., taxAmount=0)])
    no_amount = post_bill(ledger, path, lineItems=[line(taxAmount=...)])

    assert messages(untaxed) == ["`Tax Rate Ref` must not be empty."]
    assert no_amount.status_code == 201, no_amount.text


def test_zoho_wants_a_rate_only_on_a_taxed_line(ledger: httpx.Client, as_platform: Any) -> None:
    path = as_platform(ZOHO_BOOKS)

    untaxed = post_bill(ledger, path, lineItems=[line(taxRateRef=..., taxAmount=0)])
    taxed = post_bill(ledger, path, lineItems=[line(taxRateRef=..., taxAmount=5)], reference="B")

    assert untaxed.status_code == 201, untaxed.text
    assert "taxRateRef" not in untaxed.json()["lineItems"][0]
    assert messages(taxed) == ["`Tax Rate Ref` must not be empty."]


def test_zoho_refuses_a_due_date_before_the_issue_date(
    ledger: httpx.Client, as_platform: Any
) -> None:
    path = as_platform(ZOHO_BOOKS)
    backwards = {"issueDate": "2024-03-10T00:00:00", "dueDate": "2024-03-09T00:00:00"}
    same_day = {"issueDate": "2024-03-10T00:00:00", "dueDate": "2024-03-10T00:00:00"}

    refused = post_bill(ledger, path, **backwards)
    taken = post_bill(ledger, path, **same_day)

    assert messages(refused) == ["`dueDate` must be after `issueDate`."]
    assert taken.status_code == 201, taken.text
    # Xero takes the same dates (no such rule there).
    assert post_bill(ledger, as_platform(XERO), **backwards).status_code == 201


def test_zoho_refuses_a_reference_the_supplier_has_used(
    ledger: httpx.Client, as_platform: Any, connection: LedgerConnection
) -> None:
    path = as_platform(ZOHO_BOOKS)
    first = post_bill(ledger, path, reference="INV-7")

    again = post_bill(ledger, path, reference="INV-7")
    other_supplier = post_bill(
        ledger, path, reference="INV-7", supplierRef={"id": USD_SUPPLIER}, currency="USD"
    )
    # Updating the bill itself with its own reference is no clash.
    update = ledger.put(f"{path}/bills/{first.json()['id']}", json=bill_body(reference="INV-7"))

    assert first.status_code == 201
    assert messages(again) == ["Reference has already been used for this supplier"]
    assert other_supplier.status_code == 201, other_supplier.text
    assert update.status_code == 200, update.text


def test_zoho_names_a_negative_total_its_way(ledger: httpx.Client, as_platform: Any) -> None:
    path = as_platform(ZOHO_BOOKS)

    response = post_bill(ledger, path, lineItems=[line(unitAmount=-200, taxAmount=0)])

    assert messages(response) == ["The total amount due cannot be negative."]


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_bill_currency_against_the_suppliers(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    # USD_SUPPLIER bills in USD; a GBP bill for it is refused where the platform ties them.
    path = as_platform(rules)

    response = post_bill(
        ledger, path, supplierRef={"id": USD_SUPPLIER}, lineItems=[_valid_line(rules)]
    )

    if rules.bill_currency_matches_supplier:
        assert messages(response) == [
            rules.messages.currency_not_suppliers.format(currency="GBP", supplier_currency="USD")
        ]
    else:
        assert response.status_code == 201, response.text


def test_intacct_says_a_paid_bill_can_no_longer_be_updated(
    ledger: httpx.Client, as_platform: Any, connection: LedgerConnection
) -> None:
    path = as_platform(SAGE_INTACCT)
    store_bill(connection, "77", status="PartiallyPaid")

    response = ledger.put(f"{path}/bills/77", json=bill_body())

    assert messages(response) == [
        "This bill has been paid or partially paid and can no longer be updated."
    ]


# --- Payments ---------------------------------------------------------------------------------------


def test_qbo_books_a_foreign_payment_without_a_rate_at_1(
    ledger: httpx.Client, as_platform: Any, connection: LedgerConnection
) -> None:
    # spec BillPayment.currencyRate: "If currency rate value is left null, a rate of 1 will be
    # used by QBO by default."
    path = as_platform(QUICKBOOKS_ONLINE)
    store_bill(connection, "5", currency="USD", currencyRate=None, supplierRef={"id": SUPPLIER})

    paid = ledger.post(
        f"{path}/bills/5/payment",
        json={"amount": 10, "date": "2024-03-01", "accountRef": {"id": GBP_BANK}},
    )

    assert paid.status_code == 201, paid.text
    assert paid.json()["currencyRate"] == 1


@pytest.mark.parametrize(
    "rules", [r for r in PLATFORMS if r is not QUICKBOOKS_ONLINE], ids=lambda r: r.key
)
def test_the_others_refuse_a_foreign_payment_without_a_rate(
    ledger: httpx.Client, as_platform: Any, connection: LedgerConnection, rules: PlatformRules
) -> None:
    path = as_platform(rules)
    store_bill(connection, "6", currency="EUR", currencyRate=None)

    refused = ledger.post(
        f"{path}/bills/6/payment",
        json={"amount": 10, "date": "2024-03-01", "accountRef": {"id": GBP_BANK}},
    )

    assert refused.status_code == 400
    assert "`Currency Rate` must not be empty" in messages(refused)[0]


# --- Attachments ------------------------------------------------------------------------------------


def _upload(ledger: httpx.Client, path: str, content_type: str | None) -> httpx.Response:
    part: tuple[str, bytes] | tuple[str, bytes, str] = (
        ("invoice.pdf", b"%PDF-1.4 test")
        if content_type is None
        else ("invoice.pdf", b"%PDF-1.4 test", content_type)
    )
    return ledger.post(f"{path}/bills/1/attachments", files={"file": part})


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_only_qbo_refuses_a_file_sent_as_octet_stream(
    ledger: httpx.Client, as_platform: Any, connection: LedgerConnection, rules: PlatformRules
) -> None:
    path = as_platform(rules)
    store_bill(connection, "1")

    generic = _upload(ledger, path, "application/octet-stream")
    typed = _upload(ledger, path, "application/pdf")

    assert typed.status_code == 201, typed.text
    if rules.refuses_generic_upload:
        assert messages(generic) == [rules.messages.generic_upload]
    else:
        assert generic.status_code == 201, generic.text
        assert generic.json()["contentType"] == "application/pdf"


# --- Suppliers --------------------------------------------------------------------------------------


def _put_supplier(ledger: httpx.Client, path: str, supplier_id: str, **body: Any) -> httpx.Response:
    return ledger.put(f"{path}/suppliers/{supplier_id}", json={"status": "Active", **body})


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_an_update_without_a_name_does_what_the_platform_does(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)

    with_contact = _put_supplier(ledger, path, SUPPLIER, contactName="Sarah Johnson")
    with_neither = _put_supplier(ledger, path, SUPPLIER)

    kind = rules.supplier_name_on_update
    if kind is SupplierNameOnUpdate.KEEPS_NAME:
        assert with_contact.json()["supplierName"] == "DIISR - Small Business Services"
        assert with_neither.json()["supplierName"] == "DIISR - Small Business Services"
    elif kind is SupplierNameOnUpdate.CONTACT_NAME:
        assert with_contact.json()["supplierName"] == "Sarah Johnson"
        assert messages(with_neither) == [rules.messages.supplier_name_missing]
    else:  # NetSuite would clear it; the spec's Supplier cannot be nameless
        assert (
            messages(with_contact)
            == messages(with_neither)
            == ["`Supplier Name` must not be empty."]
        )


def test_netsuite_ignores_the_contact_name_on_update(
    ledger: httpx.Client, as_platform: Any
) -> None:
    path = as_platform(NETSUITE)

    response = _put_supplier(ledger, path, SUPPLIER, supplierName="Renamed", contactName="Bo Li")

    assert response.status_code == 200, response.text
    assert response.json()["contactName"] is None


def test_intacct_keeps_one_address(ledger: httpx.Client, as_platform: Any) -> None:
    path = as_platform(SAGE_INTACCT)
    addresses = [
        {"type": "Billing", "line1": "1 High St", "city": "Leeds", "country": "GB"},
        {"type": "Delivery", "line1": "2 Low St", "city": "York", "country": "GB"},
    ]

    response = _put_supplier(ledger, path, SUPPLIER, supplierName="Two Sites", addresses=addresses)

    assert [a["line1"] for a in response.json()["addresses"]] == ["1 High St"]


def test_freeagent_suppliers_are_always_in_the_base_currency(
    ledger: httpx.Client, as_platform: Any
) -> None:
    path = as_platform(FREEAGENT)

    created = ledger.post(
        f"{path}/suppliers",
        json={"supplierName": "Euro GmbH", "status": "Active", "defaultCurrency": "EUR"},
    )
    updated = _put_supplier(
        ledger, path, created.json()["id"], supplierName="Euro GmbH", defaultCurrency="USD"
    )

    assert created.json()["defaultCurrency"] == "GBP"
    assert updated.json()["defaultCurrency"] == "GBP"


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_an_archived_supplier_update(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)

    response = ledger.put(
        f"{path}/suppliers/{ARCHIVED_SUPPLIER}",
        json={"supplierName": "Back Again Ltd", "status": "Archived"},
    )

    kind = rules.archived_supplier_update
    if kind is ArchivedSupplierUpdate.REFUSED:
        assert messages(response) == [rules.messages.archived_supplier.format(id=ARCHIVED_SUPPLIER)]
    elif kind is ArchivedSupplierUpdate.IGNORED_UNLESS_ACTIVE:
        assert response.json()["supplierName"] == "Gone Away Ltd"
    else:
        assert response.json()["supplierName"] == "Back Again Ltd"
        assert response.json()["status"] == "Archived"


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_a_null_currency_on_update(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)

    response = _put_supplier(ledger, path, USD_SUPPLIER, supplierName="Acme Cloud Inc")

    expected = {True: "USD", False: None}[rules.supplier_currency_null_keeps]
    if rules.supplier_currency is SupplierCurrency.BASE_ONLY:
        expected = "GBP"
    assert response.json()["defaultCurrency"] == expected


# --- Bank accounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.key)
def test_bank_account_types_and_codes(
    ledger: httpx.Client, as_platform: Any, rules: PlatformRules
) -> None:
    path = as_platform(rules)

    def create(**fields: Any) -> httpx.Response:
        body = {"name": "Card", "accountType": "Credit", "accountNumber": "4242", "currency": "GBP"}
        return ledger.post(f"{path}/bankAccounts", json=body | fields)

    card = create(nominalCode="1201")
    no_code = create(name="Current 2", accountType="Debit")

    if "Credit" in rules.creatable_bank_account_types:
        assert card.status_code == 201, card.text
    else:
        assert messages(card) == [rules.messages.bank_account_type.format(account_type="credit")]
    if rules.bank_account_code_required:
        assert messages(no_code) == ["`Nominal Code` must not be empty."]
    else:
        assert no_code.status_code == 201, no_code.text
