"""Every CodatClient method against Prism serving Codat's official spec (STYLE bullet 30).

Prism validates each request (path, method, query, headers, body) against the spec and reports any
mismatch in `sl-violations`; it answers with the spec's own examples, which the client must parse.

Spec-example defects found (the client is right and stays strict; the tests pin the defect):
- list-bills 200 "Bills": the first bill's `currencyRate` is the string "1," while the schema says
  number (Prism reports it as a response violation too). No valid list-bills example exists, so
  list-bills is exercised for its request and its 409, and the 200 must fail to parse.
- create-bill-payment 201: Prism answers with the `BillPayment` schema's own `example`, which has
  no `id` (a payment-prototype example). The operation's named example "Bill payment" is complete
  and is requested with `Prefer: example=Bill payment`.
- list-connections 200 "Connections": `_links.next` is always present, and the /payables examples
  always carry a continuation token, so a static mock never reaches a last page: walking them
  all must stop (the client's repeated-token guard), and generators are read with islice.
"""

from __future__ import annotations

import io
import itertools
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from codat.client import CodatClient
from codat.errors import (
    CodatAuthError,
    CodatConflict,
    CodatError,
    CodatNotFound,
    CodatRejected,
    CodatUnavailable,
)
from codat.types import (
    Account,
    Address,
    AddressType,
    Attachment,
    BankAccount,
    BankAccountPrototype,
    BankAccountType,
    Bill,
    BillLineItemPrototype,
    BillMappingOptions,
    BillPayment,
    BillPaymentPrototype,
    BillPrototype,
    Company,
    CompanyInformation,
    CompanyRequest,
    Connection,
    NumberedPage,
    Page,
    PaymentMappingOptions,
    RecordRef,
    Supplier,
    SupplierPrototype,
    SupplierRef,
    TaxRate,
    TrackingRef,
    TrackingRefDataType,
)
from tests.contract.prism import PrismLog, SpecOperation

pytestmark = pytest.mark.prism

COMPANY = str(uuid.uuid4())
CONNECTION = str(uuid.uuid4())
ATTACHMENT = str(uuid.uuid4())
KEY = str(uuid.uuid4())
# A free-form platform id that needs quoting; Prism must still route it to the bill operations.
BILL = "INV/2024 #7"

# What billpay calls. The spec's other operations are listed with the reason billpay skips them.
BILLPAY_OPERATIONS = frozenset(
    {
        "list-companies",
        "create-company",
        "get-company",
        "delete-company",
        "list-connections",
        "create-connection",
        "get-connection",
        "unlink-connection",
        "delete-connection",
        "get-company-information",
        "get-mapping-options-bills",
        "get-mapping-options-payments",
        "list-bills",
        "create-bill",
        "update-bill",
        "upload-bill-attachment",
        "list-bill-attachments",
        "download-bill-attachment",
        "create-bill-payment",
        "list-suppliers",
        "create-supplier",
        "update-supplier",
        "create-bank-account",
    }
)
NOT_USED_BY_BILLPAY = {
    "replace-company": "billpay never renames or re-tags a Codat company",
    "update-company": "billpay never renames or re-tags a Codat company",
}

# Response-side violations Prism reports about the spec's own examples (see the module docstring).
SPEC_EXAMPLE_DEFECTS = {
    "list-bills": {("response", "body", "results", "0", "currencyRate")},
}


def bill_prototype() -> BillPrototype:
    """The spec's "Create bill" request example, as billpay would build it."""
    return BillPrototype(
        reference="bill_b8qmmj4ksf1suax",
        supplier_ref=SupplierRef("1262c350-fe0f-40ec-aeff-41c95b4a45af"),
        issue_date=date(2023, 4, 23),
        due_date=date(2023, 5, 23),
        currency="GBP",
        currency_rate=Decimal("1.000000001"),
        line_items=(
            BillLineItemPrototype(
                description="Stationery charges",
                unit_amount=Decimal("32.10"),
                quantity=Decimal(8),
                tax_amount=Decimal("51.36"),
                total_amount=Decimal("308.16"),
                account_ref=RecordRef("cba6527d-f102-4538-b421-e483233e9d5a"),
                tax_rate_ref=RecordRef("INPUT2"),
                tracking_refs=(
                    TrackingRef(
                        "dba3d4da-f9ed-4eee-8e0b-452d11fdb1fa",
                        TrackingRefDataType.TRACKING_CATEGORIES,
                        is_billable=False,
                    ),
                ),
            ),
        ),
    )


def payment_prototype() -> BillPaymentPrototype:
    return BillPaymentPrototype(
        amount=Decimal("308.16"),
        date=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        account_id="7bda9f44sr56",
        reference="billpay payment",
        currency_rate=Decimal("1.25"),
    )


def supplier_prototype() -> SupplierPrototype:
    return SupplierPrototype(
        supplier_name="Northridge Office Supplies",
        contact_name="Sarah Johnson",
        email_address="sarah.johnson@northridgesupplies.co.uk",
        phone="+44 (0)1223 322410",
        addresses=(
            Address(
                type=AddressType.BILLING,
                line1="Flat 1",
                city="London",
                country="GB",
                postal_code="EC1N 7TE",
            ),
        ),
        default_currency="GBP",
    )


def bank_account_prototype() -> BankAccountPrototype:
    return BankAccountPrototype(
        name="Plutus - Payables - Bank Account 12",
        account_type=BankAccountType.DEBIT,
        account_number="0120 0440",
        currency="GBP",
        nominal_code="22",
        sort_code="50-50-50",
    )


@dataclass(frozen=True)
class Step:
    """One client call against Prism and what it must produce."""

    name: str
    operation_id: str
    call: Callable[[CodatClient], object]
    returns: type | None = None
    items: type | tuple[type, ...] | None = None
    prefer: str | None = None
    raises: type[CodatError] | None = None
    match: str | None = None
    requests: int = 1


STEPS = [
    # -- companies
    Step(
        "list_companies_page",
        "list-companies",
        lambda c: c.list_companies_page(
            page=1, page_size=100, query="name~Test", order_by="-created", tags="region=uk"
        ),
        NumberedPage,
        Company,
    ),
    Step("list_companies", "list-companies", lambda c: list(c.list_companies()), list, Company),
    Step(
        "create_company",
        "create-company",
        lambda c: c.create_company(
            CompanyRequest("Technicalium", description="Web design", tags={"region": "us"})
        ),
        Company,
    ),
    Step("get_company", "get-company", lambda c: c.get_company(COMPANY), Company),
    Step("delete_company", "delete-company", lambda c: c.delete_company(COMPANY)),
    # -- connections
    Step(
        "list_connections_page",
        "list-connections",
        lambda c: c.list_connections_page(
            COMPANY, page=2, page_size=5, query="status=Linked", order_by="-created"
        ),
        NumberedPage,
        Connection,
    ),
    Step(
        "list_connections",
        "list-connections",
        lambda c: list(itertools.islice(c.list_connections(COMPANY, page_size=1), 2)),
        list,
        Connection,
        requests=2,
    ),
    Step(
        "create_connection",
        "create-connection",
        lambda c: c.create_connection(COMPANY, "gbol"),
        Connection,
    ),
    Step(
        "get_connection",
        "get-connection",
        lambda c: c.get_connection(COMPANY, CONNECTION),
        Connection,
    ),
    Step(
        "unlink_connection",
        "unlink-connection",
        lambda c: c.unlink_connection(COMPANY, CONNECTION),
        Connection,
    ),
    Step(
        "delete_connection",
        "delete-connection",
        lambda c: c.delete_connection(COMPANY, CONNECTION),
    ),
    # -- company information and mapping options
    Step(
        "get_company_information",
        "get-company-information",
        lambda c: c.get_company_information(COMPANY, CONNECTION),
        CompanyInformation,
    ),
    Step(
        "get_mapping_options_bills_page",
        "get-mapping-options-bills",
        lambda c: c.get_mapping_options_bills_page(
            COMPANY, CONNECTION, status_query="status=Active||status=Archived"
        ),
        BillMappingOptions,
    ),
    Step(
        "get_mapping_options_bills",
        "get-mapping-options-bills",
        lambda c: c.get_mapping_options_bills(COMPANY, CONNECTION, status_query="status=Active"),
        raises=CodatError,
        match="same continuation token",
        requests=2,
    ),
    Step(
        "get_mapping_options_payments_page",
        "get-mapping-options-payments",
        lambda c: c.get_mapping_options_payments_page(
            COMPANY, CONNECTION, continuation_token="eyJwYWdlIjoyfQ=="
        ),
        PaymentMappingOptions,
    ),
    Step(
        "get_mapping_options_payments",
        "get-mapping-options-payments",
        lambda c: c.get_mapping_options_payments(COMPANY, CONNECTION),
        raises=CodatError,
        match="same continuation token",
        requests=2,
    ),
    # -- bills
    Step(
        "list_bills_page",
        "list-bills",
        lambda c: c.list_bills_page(
            COMPANY,
            CONNECTION,
            query="sourceModifiedDate>2023-12-15T00:00:00.000Z&&status=Open",
            continuation_token="eyJwYWdlIjoyfQ==",
        ),
        raises=CodatError,
        match=r"Bills\.results\[0\]\.currencyRate must be a number",
    ),
    Step(
        "list_bills",
        "list-bills",
        lambda c: list(c.list_bills(COMPANY, CONNECTION)),
        raises=CodatError,
        match=r"currencyRate must be a number",
    ),
    Step(
        "list_bills_page_syncing",
        "list-bills",
        lambda c: c.list_bills_page(COMPANY, CONNECTION, query="status=Open"),
        prefer="code=409",
        raises=CodatConflict,
        match="The data set has not been requested",
    ),
    Step(
        "create_bill",
        "create-bill",
        lambda c: c.create_bill(COMPANY, CONNECTION, bill_prototype(), idempotency_key=KEY),
        Bill,
    ),
    Step(
        "update_bill",
        "update-bill",
        lambda c: c.update_bill(COMPANY, CONNECTION, BILL, bill_prototype()),
        Bill,
    ),
    Step(
        "upload_bill_attachment",
        "upload-bill-attachment",
        lambda c: c.upload_bill_attachment(
            COMPANY,
            CONNECTION,
            BILL,
            filename="receipt.pdf",
            content=io.BytesIO(b"%PDF-1.7 receipt"),
            content_type="application/pdf",
        ),
        Attachment,
    ),
    Step(
        "list_bill_attachments",
        "list-bill-attachments",
        lambda c: c.list_bill_attachments(COMPANY, CONNECTION, BILL),
        tuple,
        Attachment,
    ),
    Step(
        "download_bill_attachment",
        "download-bill-attachment",
        lambda c: c.download_bill_attachment(COMPANY, CONNECTION, BILL, ATTACHMENT),
        bytes,
    ),
    Step(
        "download_bill_attachment_to",
        "download-bill-attachment",
        lambda c: c.download_bill_attachment_to(
            COMPANY, CONNECTION, BILL, ATTACHMENT, io.BytesIO()
        ),
        int,
    ),
    Step(
        "create_bill_payment",
        "create-bill-payment",
        lambda c: c.create_bill_payment(
            COMPANY, CONNECTION, BILL, payment_prototype(), idempotency_key=KEY
        ),
        BillPayment,
        prefer="example=Bill payment",
    ),
    Step(
        "create_bill_payment_schema_example",
        "create-bill-payment",
        lambda c: c.create_bill_payment(COMPANY, CONNECTION, BILL, payment_prototype()),
        raises=CodatError,
        match=r"BillPayment\.id is missing",
    ),
    # -- suppliers and bank accounts
    Step(
        "list_suppliers_page",
        "list-suppliers",
        lambda c: c.list_suppliers_page(COMPANY, CONNECTION, query="status=Active"),
        Page,
        Supplier,
    ),
    Step(
        "list_suppliers",
        "list-suppliers",
        lambda c: list(itertools.islice(c.list_suppliers(COMPANY, CONNECTION), 2)),
        list,
        Supplier,
    ),
    Step(
        "create_supplier",
        "create-supplier",
        lambda c: c.create_supplier(COMPANY, CONNECTION, supplier_prototype()),
        Supplier,
    ),
    Step(
        "update_supplier",
        "update-supplier",
        lambda c: c.update_supplier(COMPANY, CONNECTION, "sup-10933920", supplier_prototype()),
        Supplier,
    ),
    Step(
        "create_bank_account",
        "create-bank-account",
        lambda c: c.create_bank_account(COMPANY, CONNECTION, bank_account_prototype()),
        BankAccount,
    ),
    # -- documented errors, answered with the spec's ErrorMessage examples
    Step(
        "get_company_not_found",
        "get-company",
        lambda c: c.get_company(COMPANY),
        prefer="code=404",
        raises=CodatNotFound,
        match="not found",
    ),
    Step(
        "get_connection_forbidden",
        "get-connection",
        lambda c: c.get_connection(COMPANY, CONNECTION),
        prefer="code=403",
        raises=CodatAuthError,
        match="outdated API key",
    ),
    Step(
        "create_bill_rejected",
        "create-bill",
        lambda c: c.create_bill(COMPANY, CONNECTION, bill_prototype()),
        prefer="code=400",
        raises=CodatRejected,
        match="not valid",
    ),
    Step(
        "create_bill_payment_in_flight",
        "create-bill-payment",
        lambda c: c.create_bill_payment(
            COMPANY, CONNECTION, BILL, payment_prototype(), idempotency_key=KEY
        ),
        prefer="code=409",
        raises=CodatConflict,
    ),
    Step(
        "list_suppliers_rate_limited",
        "list-suppliers",
        lambda c: c.list_suppliers_page(COMPANY, CONNECTION),
        prefer="code=429",
        raises=CodatUnavailable,
        match="too many requests",
        requests=3,
    ),
    Step(
        "create_bank_account_rate_limited",
        "create-bank-account",
        lambda c: c.create_bank_account(
            COMPANY, CONNECTION, bank_account_prototype(), idempotency_key=KEY
        ),
        prefer="code=429",
        raises=CodatUnavailable,
        requests=3,
    ),
    Step(
        "update_supplier_server_error",
        "update-supplier",
        lambda c: c.update_supplier(COMPANY, CONNECTION, "sup-1", supplier_prototype()),
        prefer="code=500",
        raises=CodatUnavailable,
        match="problem with our server",
    ),
]


def check_result(step: Step, result: object) -> None:
    if step.returns is None:
        assert result is None
        return
    assert isinstance(result, step.returns), f"{step.name} returned {type(result).__name__}"
    if step.items is None:
        return
    items: Collection[object]
    if isinstance(result, NumberedPage | Page):
        items = result.items
    else:
        assert isinstance(result, list | tuple)
        items = result
    assert items, f"{step.name} returned no items to check"
    for item in items:
        assert isinstance(item, step.items), f"{step.name} item is {type(item).__name__}"


def run_step(step: Step, client: CodatClient, log: PrismLog) -> None:
    """Make the step's call, check its result, and check what Prism said about every request."""
    log.step, log.prefer = step.name, step.prefer
    first = len(log.exchanges)
    try:
        if step.raises is None:
            check_result(step, step.call(client))
        else:
            with pytest.raises(step.raises, match=step.match):
                step.call(client)
    finally:
        log.step, log.prefer = "-", None
    exchanges = log.exchanges[first:]
    assert len(exchanges) == step.requests, [e.raw_path for e in exchanges]
    for exchange in exchanges:
        assert exchange.operation_id == step.operation_id, exchange.raw_path
        known = SPEC_EXAMPLE_DEFECTS.get(step.operation_id, set())
        problems = [
            f"{v.get('severity')} {'.'.join(map(str, v.get('location', [])))}: {v.get('message')}"
            for v in exchange.violations
            if tuple(v.get("location", [])) not in known
        ]
        assert problems == [], f"{exchange.method} {exchange.raw_path}: {problems}"


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.name)
def test_client_call_satisfies_prism(
    prism_client: CodatClient, prism_log: PrismLog, step: Step
) -> None:
    run_step(step, prism_client, prism_log)


def test_mapping_options_pages_parse_every_option(prism_client: CodatClient) -> None:
    bills = prism_client.get_mapping_options_bills_page(COMPANY, CONNECTION)
    payments = prism_client.get_mapping_options_payments_page(COMPANY, CONNECTION)

    assert all(isinstance(account, Account) for account in bills.accounts)
    assert all(isinstance(rate, TaxRate) for rate in bills.tax_rates)
    assert bills.tax_rates[0].effective_tax_rate == Decimal(20)
    assert type(bills.tax_rates[0].effective_tax_rate) is Decimal
    assert all(isinstance(account, BankAccount) for account in payments.bank_accounts)
    assert bills.continuation_token == payments.continuation_token is not None


def test_keyed_write_retries_a_429_from_prism_with_the_same_key(
    prism_client: CodatClient, prism_log: PrismLog
) -> None:
    prism_log.prefer = "code=429"
    first = len(prism_log.exchanges)

    with pytest.raises(CodatUnavailable):
        prism_client.create_bill(COMPANY, CONNECTION, bill_prototype(), idempotency_key=KEY)

    prism_log.prefer = None
    keys = [exchange.idempotency_key for exchange in prism_log.exchanges[first:]]
    assert keys == [KEY, KEY, KEY]


def test_unkeyed_write_is_not_retried_by_prism_429(
    prism_client: CodatClient, prism_log: PrismLog
) -> None:
    prism_log.prefer = "code=429"
    first = len(prism_log.exchanges)

    with pytest.raises(CodatUnavailable):
        prism_client.update_supplier(COMPANY, CONNECTION, "sup-1", supplier_prototype())

    prism_log.prefer = None
    assert len(prism_log.exchanges[first:]) == 1


def test_spec_operations_are_all_accounted_for(spec_operations: tuple[SpecOperation, ...]) -> None:
    spec_ids = {operation.operation_id for operation in spec_operations}

    assert spec_ids == BILLPAY_OPERATIONS | set(NOT_USED_BY_BILLPAY)
    assert not BILLPAY_OPERATIONS & set(NOT_USED_BY_BILLPAY)


def test_every_billpay_operation_is_exercised_against_prism(
    prism_client: CodatClient, prism_log: PrismLog
) -> None:
    first = len(prism_log.exchanges)

    for step in STEPS:
        run_step(step, prism_client, prism_log)

    exercised = {exchange.operation_id for exchange in prism_log.exchanges[first:]}
    assert exercised == BILLPAY_OPERATIONS, sorted(map(str, BILLPAY_OPERATIONS ^ exercised))
    successes = {
        exchange.operation_id
        for exchange in prism_log.exchanges[first:]
        if 200 <= exchange.status <= 299
    }
    assert successes == BILLPAY_OPERATIONS


def test_prism_reports_a_request_that_breaks_the_spec(
    prism_client: CodatClient, prism_log: PrismLog
) -> None:
    first = len(prism_log.exchanges)

    # CompanyRequestBody.name has minLength 1; the client leaves such checks to the API.
    with pytest.raises(CodatRejected):
        prism_client.create_company(CompanyRequest(""))

    (exchange,) = prism_log.exchanges[first:]
    assert exchange.status == 400
    # Two violations of `name`: its minLength and its pattern.
    assert {tuple(v["location"]) for v in exchange.violations} == {("request", "body", "name")}
