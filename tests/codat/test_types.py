from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from codat import exact_json
from codat.errors import CodatError
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
    BillStatus,
    Company,
    CompanyInformation,
    CompanyRequest,
    Connection,
    ConnectionStatus,
    DataConnectionErrorStatus,
    NumberedPage,
    Page,
    PaymentMappingOptions,
    RecordRef,
    SourceType,
    Supplier,
    SupplierPrototype,
    SupplierRef,
    SupplierStatus,
    TrackingRef,
    TrackingRefDataType,
    format_datetime,
    parse_datetime,
    parse_list,
)
from tests.codat import examples


def load(text: str) -> object:
    return exact_json.loads(text)


def load_object(text: str) -> dict[str, object]:
    data = load(text)
    assert isinstance(data, dict)
    return data


def floats_in(value: object, path: str = "$") -> list[str]:
    """Paths of every float reachable from a parsed result."""
    if isinstance(value, float):
        return [path]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            found
            for f in dataclasses.fields(value)
            for found in floats_in(getattr(value, f.name), f"{path}.{f.name}")
        ]
    if isinstance(value, tuple | list):
        return [found for i, item in enumerate(value) for found in floats_in(item, f"{path}[{i}]")]
    return []


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-04-23T00:00:00", datetime(2023, 4, 23, tzinfo=UTC)),
        ("2022-10-23T00:00:00.000Z", datetime(2022, 10, 23, tzinfo=UTC)),
        ("2022-10-23T00:00:00Z", datetime(2022, 10, 23, tzinfo=UTC)),
        (
            "2021-11-15T01:00:00+01:00",
            datetime(2021, 11, 15, 1, tzinfo=timezone(timedelta(hours=1))),
        ),
        (
            "2021-11-15T01:00:00-05:00",
            datetime(2021, 11, 15, 1, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("2022-10-27T10:22:43.6464237Z", datetime(2022, 10, 27, 10, 22, 43, 646423, tzinfo=UTC)),
        ("2024-02-22T14:46:43.99Z", datetime(2024, 2, 22, 14, 46, 43, 990000, tzinfo=UTC)),
        ("2022-10-23", datetime(2022, 10, 23, tzinfo=UTC)),
    ],
)
def test_parse_datetime_accepts_every_form_in_the_spec(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)

    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_parse_datetime_returns_naive_values_as_aware_utc() -> None:
    parsed = parse_datetime("2019-05-13T00:00:00")

    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text", ["", "23/10/2022", "2022-W01", "20221023", "2022-10-23 00:00", "2024-09-01T23:59:99Z"]
)
def test_parse_datetime_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"ISO-8601|second"):
        parse_datetime(text)


def test_format_datetime_writes_dates_as_unqualified_midnight() -> None:
    assert format_datetime(date(2023, 4, 23)) == "2023-04-23T00:00:00"


def test_format_datetime_writes_aware_datetimes_in_utc() -> None:
    value = datetime(2022, 10, 23, 1, 0, tzinfo=timezone(timedelta(hours=1)))

    assert format_datetime(value) == "2022-10-23T00:00:00.000Z"


def test_format_datetime_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2022, 10, 23))


# -- JSON in and out ---------------------------------------------------------------------------


def test_loads_reads_every_fraction_as_decimal() -> None:
    data = load('{"amount": 100.10, "rate": 1e-9, "count": 3}')

    assert data == {"amount": Decimal("100.10"), "rate": Decimal("1e-9"), "count": 3}
    assert isinstance(data, dict)
    assert type(data["amount"]) is Decimal
    assert str(data["amount"]) == "100.10"


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', "not json", '{"a": 1'])
def test_loads_refuses_what_is_not_json(text: str) -> None:
    with pytest.raises(CodatError, match="not valid JSON"):
        load(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("100.10"), "100.10"),
        (Decimal("0.1"), "0.1"),
        (Decimal("7267.2"), "7267.2"),
        (Decimal("1E+2"), "100"),
        (Decimal("1.234567891"), "1.234567891"),
        (Decimal("-0.00"), "-0.00"),
        (Decimal("12345678901234567890.0001"), "12345678901234567890.0001"),
    ],
)
def test_dumps_writes_decimals_as_exact_json_numbers(value: Decimal, expected: str) -> None:
    text = exact_json.dumps({"amount": value})

    assert text == f'{{"amount":{expected}}}'
    assert json.loads(text, parse_float=Decimal)["amount"] == value


def test_dumps_writes_the_other_json_types() -> None:
    value = {"s": 'a "quoted" £ line\n', "n": None, "t": True, "f": False, "i": 3, "l": [1, (2,)]}

    text = exact_json.dumps(value)

    assert json.loads(text) == {**value, "l": [1, [2]]}


@pytest.mark.parametrize("value", [0.1, {"amount": 22.5}, [1.0]])
def test_dumps_refuses_floats(value: object) -> None:
    with pytest.raises(TypeError, match="Decimal"):
        exact_json.dumps(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_dumps_refuses_decimals_json_cannot_hold(value: Decimal) -> None:
    with pytest.raises(ValueError, match="JSON number"):
        exact_json.dumps(value)


@pytest.mark.parametrize("value", [b"bytes", {1: "non-string key"}, object()])
def test_dumps_refuses_values_json_cannot_hold(value: object) -> None:
    with pytest.raises(TypeError):
        exact_json.dumps(value)


# -- results -----------------------------------------------------------------------------------


def test_bill_parses_the_spec_example_with_decimal_money() -> None:
    bill = Bill.from_json(load(examples.CREATED_BILL))

    assert bill.id == "bill-1029932"
    assert bill.supplier_ref == SupplierRef(
        id="1262c350-fe0f-40ec-aeff-41c95b4a45af", supplier_name="DIISR - Small Business Services"
    )
    assert bill.issue_date == datetime(2023, 4, 23, tzinfo=UTC)
    assert bill.status is BillStatus.OPEN
    assert bill.total_amount == Decimal("7267.2")
    assert type(bill.total_amount) is Decimal
    assert type(bill.amount_due) is Decimal
    stationery = bill.line_items[2]
    assert stationery.tax_amount == Decimal("51.2")
    assert stationery.total_amount == Decimal("307.2")
    # JSON integers become Decimal too.
    assert stationery.unit_amount == Decimal(32)
    assert type(stationery.unit_amount) is Decimal
    assert type(stationery.quantity) is Decimal
    assert stationery.account_ref == RecordRef("cba6527d-f102-4538-b421-e483233e9d5a")
    assert stationery.tax_rate_ref == RecordRef("INPUT2")
    assert stationery.tracking_refs == (
        TrackingRef(
            id="dba3d4da-f9ed-4eee-8e0b-452d11fdb1fa",
            data_type=TrackingRefDataType.TRACKING_CATEGORIES,
        ),
    )
    assert bill.currency_rate is None
    assert floats_in(bill) == []


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (
            lambda d: NumberedPage.from_json(d, Company.from_json, path="Companies"),
            "LIST_COMPANIES",
        ),
        (
            lambda d: NumberedPage.from_json(d, Company.from_json, path="Companies"),
            "LIST_COMPANIES_MANY",
        ),
        (Company.from_json, "CREATE_COMPANY"),
        (Company.from_json, "GET_COMPANY"),
        (
            lambda d: NumberedPage.from_json(d, Connection.from_json, path="Connections"),
            "LIST_CONNECTIONS",
        ),
        (Connection.from_json, "CONNECTION"),
        (CompanyInformation.from_json, "COMPANY_INFORMATION"),
        (BillMappingOptions.from_json, "BILL_MAPPING_OPTIONS"),
        (PaymentMappingOptions.from_json, "PAYMENT_MAPPING_OPTIONS"),
        (Bill.from_json, "CREATED_BILL"),
        (Bill.from_json, "UPDATED_BILL"),
        (Attachment.from_json, "ATTACHMENT"),
        (lambda d: parse_list(d, Attachment.from_json, path="Attachments"), "ATTACHMENTS"),
        (BillPayment.from_json, "BILL_PAYMENT"),
        (lambda d: Page.from_json(d, Supplier.from_json, path="Suppliers"), "LIST_SUPPLIERS"),
        (Supplier.from_json, "SUPPLIER"),
        (BankAccount.from_json, "BANK_ACCOUNT"),
    ],
)
def test_every_spec_example_parses_without_a_float(parse: object, text: str) -> None:
    assert callable(parse)

    result = parse(load(getattr(examples, text)))

    assert floats_in(result) == []


def test_company_parses_parents_subsidiaries_connections_and_tags() -> None:
    company = Company.from_json(load(examples.GET_COMPANY))
    tagged = Company.from_json(load(examples.CREATE_COMPANY))
    many = NumberedPage.from_json(load(examples.LIST_COMPANIES_MANY), Company.from_json, path="C")

    toft = many.items[1]
    assert [ref.name for ref in toft.reference_subsidiary_companies] == [
        "Toft stores UK",
        "Toft stores US",
    ]
    assert toft.description is None
    assert company.reference_parent_company is not None
    assert company.reference_parent_company.name == "Toft stores"
    assert company.reference_parent_company.portal_url == (
        "https://app.codat.io/companies/ab12c58d-a678-4ebf-a159-ae99e1807bd0/summary"
    )
    assert company.data_connections[0].status is ConnectionStatus.LINKED
    assert company.data_connections[0].source_type is SourceType.ACCOUNTING
    assert tagged.tags == {"region": "us"}
    with pytest.raises(TypeError):
        tagged.tags["region"] = "uk"  # type: ignore[index]


def test_connection_requires_the_fields_the_spec_requires() -> None:
    data = load_object(examples.CONNECTION)
    del data["linkUrl"]

    with pytest.raises(CodatError, match=r"Connection\.linkUrl is missing"):
        Connection.from_json(data)


def test_connection_integration_key_is_optional() -> None:
    data = load_object(examples.CONNECTION)
    del data["integrationKey"]

    assert Connection.from_json(data).integration_key is None


def test_required_field_that_is_null_is_named() -> None:
    data = load_object(examples.CREATED_BILL)
    data["totalAmount"] = None

    with pytest.raises(CodatError, match=r"Bill\.totalAmount must not be null"):
        Bill.from_json(data)


def test_money_sent_as_a_string_is_a_wrong_shape() -> None:
    page = load(examples.LIST_BILLS_AS_IN_SPEC)

    with pytest.raises(CodatError, match=r"Bills\.results\[0\]\.currencyRate must be a number"):
        Page.from_json(page, Bill.from_json, path="Bills")


@pytest.mark.parametrize("value", [True, "5", [5]])
def test_money_of_another_type_is_refused(value: object) -> None:
    data = load_object(examples.BILL_PAYMENT)
    data["amount"] = value

    with pytest.raises(CodatError, match=r"BillPayment\.amount must be a number"):
        BillPayment.from_json(data)


def test_unknown_enum_value_is_refused_with_the_allowed_values() -> None:
    data = load_object(examples.CREATED_BILL)
    data["status"] = "Settled"

    with pytest.raises(CodatError, match=r"Bill\.status must be one of Unknown, Open, .*'Settled'"):
        Bill.from_json(data)


def test_free_text_account_type_accepts_any_value() -> None:
    account = Account.from_json({"id": "1", "type": "SomethingNew", "status": "Archived"})

    assert account.type == "SomethingNew"


def test_unparseable_date_is_named() -> None:
    data = load_object(examples.SUPPLIER)
    data["sourceModifiedDate"] = "yesterday"

    with pytest.raises(CodatError, match=r"Supplier\.sourceModifiedDate must be an ISO-8601"):
        Supplier.from_json(data)


def test_nested_wrong_type_names_the_full_path() -> None:
    data = load_object(examples.CREATED_BILL)
    data["lineItems"] = [{"description": 5}]

    with pytest.raises(CodatError, match=r"Bill\.lineItems\[0\]\.description must be a string"):
        Bill.from_json(data)


@pytest.mark.parametrize("data", [[], "bill", 5, None])
def test_result_that_is_not_an_object_is_a_wrong_shape(data: object) -> None:
    with pytest.raises(CodatError, match=r"Bill must be an object"):
        Bill.from_json(data)


def test_list_pages_require_their_results() -> None:
    with pytest.raises(CodatError, match=r"Suppliers\.results is missing"):
        Page.from_json({"pagination": {}}, Supplier.from_json, path="Suppliers")


def test_continuation_token_is_none_on_the_last_page() -> None:
    page = Page.from_json({"results": [], "pagination": {}}, Supplier.from_json, path="Suppliers")

    assert page.continuation_token is None


def test_numbered_page_reads_its_next_link() -> None:
    page = NumberedPage.from_json(load(examples.LIST_CONNECTIONS), Connection.from_json, path="C")
    last = NumberedPage.from_json(load(examples.LIST_COMPANIES), Company.from_json, path="C")

    assert page.has_next is True
    assert last.has_next is False
    assert last.total_results == 1


def test_numbered_page_requires_paging_info() -> None:
    data = load_object(examples.LIST_COMPANIES)
    del data["_links"]

    with pytest.raises(CodatError, match=r"Companies\._links is missing"):
        NumberedPage.from_json(data, Company.from_json, path="Companies")


def test_reference_without_an_id_reads_as_none() -> None:
    data = load_object(examples.CREATED_BILL)
    data["lineItems"] = [{"accountRef": {}, "taxRateRef": None}]

    line = Bill.from_json(data).line_items[0]

    assert line.account_ref is None
    assert line.tax_rate_ref is None


def test_supplier_parses_addresses_and_decimal_balance() -> None:
    page = Page.from_json(load(examples.LIST_SUPPLIERS), Supplier.from_json, path="Suppliers")

    first = page.items[0]
    assert first.status is SupplierStatus.ACTIVE
    assert first.balance == Decimal(100)
    assert type(first.balance) is Decimal
    assert first.addresses[0].type is AddressType.BILLING
    assert first.addresses[0].postal_code == "93308"
    assert page.items[1].balance is None
    assert page.continuation_token == "eyJwYWdlIjoyLCJwYWdlU2l6ZSI6MTAwLCJwYWdlQ291bnQiOjExfQ=="


def test_mapping_options_parse_tax_rates_as_decimal() -> None:
    options = BillMappingOptions.from_json(load(examples.BILL_MAPPING_OPTIONS))

    assert options.tax_rates[0].effective_tax_rate == Decimal(20)
    assert type(options.tax_rates[0].effective_tax_rate) is Decimal
    assert options.accounts[0].type == "Liability"


def test_bank_account_parses_type_and_status() -> None:
    account = BankAccount.from_json(load(examples.BANK_ACCOUNT))

    assert account.account_type is BankAccountType.DEBIT
    assert account.sort_code == "50-50-50"
    assert account.source_modified_date == datetime(2024, 2, 22, 14, 46, 43, 990000, tzinfo=UTC)


# -- prototypes --------------------------------------------------------------------------------


def spec_request(text: str) -> object:
    return json.loads(text, parse_float=Decimal)


def stationery_line() -> BillLineItemPrototype:
    return BillLineItemPrototype(
        description="Stationery charges",
        unit_amount=Decimal(32),
        quantity=Decimal(8),
        tax_amount=Decimal("51.2"),
        total_amount=Decimal("307.2"),
        account_ref=RecordRef("cba6527d-f102-4538-b421-e483233e9d5a"),
        tax_rate_ref=RecordRef("INPUT2"),
        tracking_refs=(
            TrackingRef(
                "dba3d4da-f9ed-4eee-8e0b-452d11fdb1fa", TrackingRefDataType.TRACKING_CATEGORIES
            ),
        ),
    )


def test_bill_prototype_matches_the_spec_request_example() -> None:
    def line(
        description: str, unit: str, tax: str, total: str, account: str
    ) -> BillLineItemPrototype:
        return BillLineItemPrototype(
            description=description,
            unit_amount=Decimal(unit),
            quantity=Decimal(1),
            tax_amount=Decimal(tax),
            total_amount=Decimal(total),
            account_ref=RecordRef(account),
            tax_rate_ref=RecordRef("INPUT2"),
        )

    prototype = BillPrototype(
        reference="bill_b8qmmj4ksf1suax",
        supplier_ref=SupplierRef(
            "1262c350-fe0f-40ec-aeff-41c95b4a45af", "DIISR - Small Business Services"
        ),
        issue_date=date(2023, 4, 23),
        due_date=date(2023, 4, 23),
        currency="GBP",
        currency_rate=Decimal(1),
        line_items=(
            line(
                "Half day training - Microsoft Office",
                "1800",
                "360",
                "2160",
                "46f9461e-788b-4906-8b74-d1ea17f6dc10",
            ),
            line(
                "Desktop/network support via email & phone.Per month fixed fee for minimum "
                "20 hours/month.",
                "4000",
                "800",
                "4800",
                "f96c9458-d724-47bf-8f74-a9d5726465ce",
            ),
            stationery_line(),
        ),
    )

    sent = json.loads(exact_json.dumps(prototype.to_json()), parse_float=Decimal)

    assert sent == spec_request(examples.CREATE_BILL_REQUEST)


def test_bill_prototype_defaults_to_open_and_omits_what_is_unset() -> None:
    prototype = BillPrototype(
        supplier_ref=SupplierRef("4"),
        issue_date=date(2024, 1, 1),
        due_date=date(2024, 1, 31),
        currency="GBP",
        # A list is taken too, and stored as a tuple so the prototype stays immutable.
        line_items=[  # type: ignore[arg-type]
            BillLineItemPrototype(
                unit_amount=Decimal("10.00"), quantity=Decimal(1), account_ref=RecordRef("16")
            )
        ],
    )

    assert prototype.to_json() == {
        "supplierRef": {"id": "4"},
        "issueDate": "2024-01-01T00:00:00",
        "dueDate": "2024-01-31T00:00:00",
        "currency": "GBP",
        "lineItems": [
            {
                "unitAmount": Decimal("10.00"),
                "quantity": 1,
                "taxAmount": 0,
                "accountRef": {"id": "16"},
            }
        ],
        "status": "Open",
    }
    assert isinstance(prototype.line_items, tuple)


def test_bill_payment_prototype_matches_the_spec_request_example() -> None:
    prototype = BillPaymentPrototype(
        amount=Decimal(22),
        currency_rate=Decimal(1),
        date=datetime(2022, 10, 23, tzinfo=UTC),
        account_id="7bda9f44sr56",
        reference="Bill Payment against bill c13e37b6 dfaa-4894-b3be-9fe97bda9f44",
    )

    assert prototype.to_json() == spec_request(examples.BILL_PAYMENT_REQUEST)


def test_supplier_prototype_matches_the_spec_request_example() -> None:
    prototype = SupplierPrototype(
        supplier_name="Northridge Office Supplies",
        contact_name="Sarah Johnson",
        email_address="sarah.johnson@northridgesupplies.co.uk",
        phone="+44 (0)1223 322410",
        addresses=(
            Address(
                type=AddressType.BILLING,
                line1="Flat 1",
                line2="2 Dennis Avenue",
                city="London",
                region="Camden",
                country="GB",
                postal_code="EC1N 7TE",
            ),
        ),
        status=SupplierStatus.ACTIVE,
        default_currency="GBP",
    )

    assert prototype.to_json() == spec_request(examples.SUPPLIER_REQUEST)


def test_bank_account_prototype_matches_the_spec_request_example() -> None:
    prototype = BankAccountPrototype(
        nominal_code="22",
        name="Plutus - Payables - Bank Account 12",
        account_number="0120 0440",
        sort_code="50-50-50",
        currency="GBP",
        account_type=BankAccountType.DEBIT,
    )

    assert prototype.to_json() == spec_request(examples.BANK_ACCOUNT_REQUEST)


def test_company_request_sends_only_what_is_set() -> None:
    assert CompanyRequest("Technicalium").to_json() == {"name": "Technicalium"}
    assert CompanyRequest("T", description="d", tags={"region": "us"}).to_json() == {
        "name": "T",
        "description": "d",
        "tags": {"region": "us"},
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: BillPaymentPrototype(amount=22.5, date=date(2024, 1, 1), account_id="a"),  # type: ignore[arg-type]
        lambda: BillPaymentPrototype(
            amount=Decimal(1),
            date=date(2024, 1, 1),
            account_id="a",
            currency_rate=1.1,  # type: ignore[arg-type]
        ),
        lambda: BillLineItemPrototype(
            unit_amount=10,  # type: ignore[arg-type]
            quantity=Decimal(1),
            account_ref=RecordRef("1"),
        ),
    ],
)
def test_prototypes_refuse_anything_but_decimal_money(build: object) -> None:
    assert callable(build)

    with pytest.raises(TypeError, match="must be a Decimal"):
        build()


def test_prototypes_refuse_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        BillPaymentPrototype(
            amount=Decimal(1),
            date=datetime(2024, 1, 1),
            account_id="a",
        )


def test_supplier_ref_must_have_an_id() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        SupplierRef("")
    with pytest.raises(CodatError, match=r"supplierRef\.id must not be empty"):
        SupplierRef.from_json({"id": ""})


def test_results_are_frozen() -> None:
    bill = Bill.from_json(load(examples.CREATED_BILL))

    with pytest.raises(dataclasses.FrozenInstanceError):
        bill.total_amount = Decimal(0)  # type: ignore[misc]


def test_payment_account_ref_must_have_an_id() -> None:
    data = load_object(examples.BILL_PAYMENT)
    data["accountRef"] = {}

    with pytest.raises(CodatError, match=r"BillPayment\.accountRef\.id is missing"):
        BillPayment.from_json(data)


def test_connection_parses_its_data_connection_errors() -> None:
    data = load_object(examples.CONNECTION)
    data["dataConnectionErrors"] = [
        {
            "statusCode": "403",
            "statusText": "Forbidden",
            "errorMessage": "User cancelled.",
            "erroredOnUtc": "2022-10-27T09:53:29Z",
            "status": "Active",
            "resolvedOnUtc": None,
        }
    ]

    (error,) = Connection.from_json(data).data_connection_errors

    assert error.status_code == "403"
    assert error.error_message == "User cancelled."
    assert error.status is DataConnectionErrorStatus.ACTIVE
    assert error.resolved_on_utc is None
