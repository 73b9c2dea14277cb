"""list-bills, create-bill and update-bill through the raw API: filters, paging, §7 validation."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.utils import timezone

from sandbox.api.records import get_document
from sandbox.models import Dataset, LedgerConnection, LedgerRecord
from tests.sandbox.payables_data import (
    ARCHIVED_ACCOUNT,
    ARCHIVED_SUPPLIER,
    EXPENSE_ACCOUNT,
    OTHER_SUPPLIER,
    SUPPLIER,
    SUPPORT_ACCOUNT,
    USD_SUPPLIER,
    add_reference_data,
    as_decimal,
    bill_body,
    create_bill,
    messages,
    send,
    store_bill,
)
from tests.sandbox.spec_gaps import allow_docs_only_statuses

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def connection(linked_connection: LedgerConnection) -> LedgerConnection:
    add_reference_data(linked_connection)
    return linked_connection


@pytest.fixture
def bills_path(connection: LedgerConnection, payables_path: str) -> str:
    return f"{payables_path}/bills"


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [bill["id"] for bill in response.json()["results"]]


# --- list-bills: default filter and queries -----------------------------------------------------


@pytest.fixture
def one_of_each(connection: LedgerConnection) -> None:
    for status in ("Open", "PartiallyPaid", "Paid", "Void", "Draft"):
        due = {"Paid": Decimal(0), "Void": Decimal(0), "PartiallyPaid": Decimal(40)}
        store_bill(connection, status.lower(), status=status, amountDue=due.get(status, 100))


def test_list_without_query_returns_only_open_and_partially_paid(
    ledger: httpx.Client, bills_path: str, one_of_each: None
) -> None:
    response = ledger.get(bills_path)

    assert ids(response) == ["open", "partiallypaid"]
    assert response.json()["pagination"] == {}


@pytest.mark.parametrize("status", ["Paid", "Void", "Draft", "Open"])
def test_query_by_status_returns_bills_of_that_status(
    ledger: httpx.Client, bills_path: str, one_of_each: None, status: str
) -> None:
    assert ids(ledger.get(bills_path, params={"query": f"status={status}"})) == [status.lower()]


def test_query_with_or_and_braces(ledger: httpx.Client, bills_path: str, one_of_each: None) -> None:
    either = ledger.get(bills_path, params={"query": "status=Paid||status=Void"})
    grouped = ledger.get(bills_path, params={"query": "{status=Paid||status=Draft}&&amountDue>0"})

    assert ids(either) == ["paid", "void"]
    assert ids(grouped) == ["draft"]


def test_query_by_source_modified_date(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    store_bill(connection, "old", sourceModifiedDate="2023-12-14T10:00:00Z")
    store_bill(connection, "new", sourceModifiedDate="2023-12-16T10:00:00Z")
    store_bill(connection, "new-paid", status="Paid", sourceModifiedDate="2023-12-17T10:00:00Z")

    after = ledger.get(bills_path, params={"query": "sourceModifiedDate>2023-12-15T00:00:00.000Z"})
    open_after = ledger.get(
        bills_path,
        params={"query": "sourceModifiedDate>2023-12-15T00:00:00.000Z&&status=Open"},
    )

    assert ids(after) == ["new", "new-paid"]
    assert ids(open_after) == ["new"]


def test_query_by_supplier_ref(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    store_bill(connection, "mine")
    store_bill(
        connection, "theirs", supplierRef={"id": OTHER_SUPPLIER, "supplierName": "Northridge"}
    )

    by_id = ledger.get(bills_path, params={"query": f"supplierRef.id={OTHER_SUPPLIER}"})
    by_name = ledger.get(bills_path, params={"query": "supplierRef.supplierName~northridge"})

    assert ids(by_id) == ["theirs"]
    assert ids(by_name) == ["theirs"]


def test_malformed_query_is_400_in_codats_words(ledger: httpx.Client, bills_path: str) -> None:
    response = ledger.get(bills_path, params={"query": "status=Open&&"})

    assert response.status_code == 400
    assert response.json()["error"] == "Error parsing query - Malformed query."
    assert response.json()["service"] == "ClientsApi"


def test_unknown_property_is_400_naming_it(ledger: httpx.Client, bills_path: str) -> None:
    response = ledger.get(bills_path, params={"query": "isCompleted=true"})

    assert response.status_code == 400
    assert response.json()["error"] == (
        "Error parsing query - Could not resolve property isCompleted on Bill"
    )
    assert response.json()["service"] == "PullApi"


def test_list_answers_409_while_the_initial_sync_runs(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    connection.data_ready_at = timezone.now() + dt.timedelta(minutes=5)
    connection.save()

    response = ledger.get(bills_path)

    assert response.status_code == 409
    assert response.json()["error"] == "The data set has not been requested."


# --- list-bills: continuation tokens ------------------------------------------------------------


@pytest.fixture
def many_bills(connection: LedgerConnection) -> list[str]:
    """260 outstanding bills, with a Paid one after every tenth (filtered out of the default)."""
    made = []
    for number in range(260):
        store_bill(connection, f"b{number:03d}")
        made.append(f"b{number:03d}")
        if number % 10 == 0:
            store_bill(connection, f"paid{number:03d}", status="Paid", amountDue=Decimal(0))
    return made


def test_list_pages_100_at_a_time_until_the_token_is_gone(
    ledger: httpx.Client, bills_path: str, many_bills: list[str]
) -> None:
    first = ledger.get(bills_path)
    token = first.json()["pagination"]["continuationToken"]
    second = ledger.get(bills_path, params={"continuationToken": token})
    token2 = second.json()["pagination"]["continuationToken"]
    third = ledger.get(bills_path, params={"continuationToken": token2})

    assert [len(ids(page)) for page in (first, second, third)] == [100, 100, 60]
    assert ids(first) + ids(second) + ids(third) == many_bills
    assert "continuationToken" not in third.json()["pagination"]
    assert token != token2


def test_a_query_pages_too(ledger: httpx.Client, bills_path: str, many_bills: list[str]) -> None:
    query = {"query": "status=Open||status=Paid"}
    first = ledger.get(bills_path, params=query)
    token = first.json()["pagination"]["continuationToken"]
    rest = []
    while token:
        page = ledger.get(bills_path, params={**query, "continuationToken": token})
        rest += ids(page)
        token = page.json()["pagination"].get("continuationToken")

    assert len(ids(first)) == 100
    assert len(ids(first) + rest) == 260 + 26


def test_garbage_token_is_400(ledger: httpx.Client, bills_path: str) -> None:
    response = ledger.get(bills_path, params={"continuationToken": "not-a-token!"})

    assert response.status_code == 400
    assert "continuation token" in response.json()["error"]


def test_token_of_another_query_is_400(
    ledger: httpx.Client, bills_path: str, many_bills: list[str]
) -> None:
    token = ledger.get(bills_path).json()["pagination"]["continuationToken"]

    response = ledger.get(bills_path, params={"continuationToken": token, "query": "status=Open"})

    assert response.status_code == 400
    assert "another query" in response.json()["error"]


def test_token_is_opaque_base64(
    ledger: httpx.Client, bills_path: str, many_bills: list[str]
) -> None:
    token = ledger.get(bills_path).json()["pagination"]["continuationToken"]

    assert base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).startswith(b"{")


# --- create-bill ----------------------------------------------------------------------------------


def test_create_answers_201_with_the_bill_as_stored(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    before = timezone.now().replace(microsecond=0)
    response = ledger.post(bills_path, json=bill_body())

    assert response.status_code == 201
    bill = as_decimal(response)
    assert GUID.match(bill["id"])
    assert bill["supplierRef"] == {
        "id": SUPPLIER,
        "supplierName": "DIISR - Small Business Services",
    }
    assert bill["status"] == "Open"
    assert bill["issueDate"] == "2023-04-23T00:00:00"
    assert bill["currencyRate"] == 1
    assert bill["lineItems"][0]["totalAmount"] == Decimal("2160")
    assert bill["totalAmount"] == bill["amountDue"] == Decimal("2160")
    modified = dt.datetime.fromisoformat(bill["sourceModifiedDate"])
    assert before <= modified <= timezone.now()
    assert get_document(connection, Dataset.BILLS, bill["id"]) == bill
    record = LedgerRecord.objects.get(connection=connection, record_id=bill["id"])
    assert record.parent_id == SUPPLIER


def test_create_computes_totals_exactly_in_decimal(ledger: httpx.Client, bills_path: str) -> None:
    lines = [
        # 3 x 33.33 = 99.99, which float arithmetic gets wrong (99.99000000000001).
        {"unitAmount": Decimal("33.33"), "quantity": 3, "taxAmount": Decimal("20.00")},
        {"unitAmount": Decimal("0.10"), "quantity": Decimal("3"), "taxAmount": Decimal("0.06")},
        # A four-place unit price rounds half-up to pence: 0.3333 x 3 = 0.9999 -> 1.00.
        {"unitAmount": Decimal("0.3333"), "quantity": 3},
    ]
    body = bill_body(
        lineItems=[
            {**line, "accountRef": {"id": EXPENSE_ACCOUNT}, "taxRateRef": {"id": "INPUT2"}}
            for line in lines
        ]
    )

    response = send(ledger, "POST", bills_path, body)

    bill = as_decimal(response)
    assert response.status_code == 201, response.text
    assert [line["totalAmount"] for line in bill["lineItems"]] == [
        Decimal("119.99"),
        Decimal("0.36"),
        Decimal("1.00"),
    ]
    assert bill["lineItems"][2]["taxAmount"] == 0
    assert bill["totalAmount"] == Decimal("121.35")
    assert b"121.35" in response.content


def test_create_accepts_a_given_line_total_that_matches(
    ledger: httpx.Client, bills_path: str
) -> None:
    line = {**bill_body()["lineItems"][0], "totalAmount": 2160}

    response = ledger.post(bills_path, json=bill_body(lineItems=[line]))

    assert response.status_code == 201
    assert response.json()["totalAmount"] == 2160


def test_create_refuses_a_line_total_that_does_not_add_up(
    ledger: httpx.Client, bills_path: str
) -> None:
    line = {**bill_body()["lineItems"][0], "totalAmount": 2000}

    response = ledger.post(bills_path, json=bill_body(lineItems=[line]))

    assert response.status_code == 400
    assert messages(response) == [
        "`Total Amount` of a line must equal `Unit Amount` times `Quantity` plus "
        "`Tax Amount` (`2160.00`)."
    ]


def test_empty_bill_reports_every_missing_field_together(
    ledger: httpx.Client, bills_path: str
) -> None:
    response = ledger.post(bills_path, json={})

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Error processing request - not valid."
    assert messages(response) == [
        "`Supplier Ref` must not be empty.",
        "`Issue Date` must not be empty.",
        "`Due Date` must not be empty.",
        "`Currency` must not be empty.",
        "`Status` must not be empty.",
        "`Line Items` must not be empty.",
    ]
    assert body["validation"]["errors"][0]["validatorName"] == "Bill"


def _line(**fields: Any) -> dict[str, Any]:
    return {**bill_body()["lineItems"][0], **fields}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"supplierRef": {}}, "`Supplier Ref Id` must not be empty."),
        ({"supplierRef": {"id": ""}}, "`Supplier Ref Id` must not be empty."),
        ({"issueDate": ""}, "`Issue Date` must not be empty."),
        ({"dueDate": None}, "`Due Date` must not be empty."),
        ({"issueDate": "23/04/2023"}, "`Issue Date` must be a valid date."),
        ({"currency": ""}, "`Currency` must not be empty."),
        ({"currency": "GB"}, "`Currency Length` must be equal to `3`."),
        ({"currency": "POUND"}, "`Currency Length` must be equal to `3`."),
        ({"currencyRate": 0}, "`Currency Rate` must be greater than `0`."),
        ({"currencyRate": -1.5}, "`Currency Rate` must be greater than `0`."),
        ({"status": ""}, "`Status` must not be empty."),
        ({"status": "Draft"}, "`Status` must be equal to `Open`."),
        ({"status": "Paid"}, "`Status` must be equal to `Open`."),
        ({"lineItems": []}, "`Line Items` must not be empty."),
        ({"lineItems": None}, "`Line Items` must not be empty."),
        (
            {"lineItems": [_line(unitAmount=-5000, taxAmount=0)]},
            "Sum of `LineItems` must be greater than or equal to `0`.",
        ),
        ({"reference": "x" * 256}, "`Reference Length` must be less than or equal to `255`."),
        ({"supplierRef": {"id": "nobody"}}, "`SupplierRef Id` was not found in Xero."),
        ({"supplierRef": {"id": ARCHIVED_SUPPLIER}}, "`SupplierRef Id` is archived in Xero."),
        (
            {"lineItems": [_line(accountRef={"id": "no-such-account"})]},
            "`Account Ref` was not found in Xero.",
        ),
        (
            {"lineItems": [_line(accountRef={"id": ARCHIVED_ACCOUNT})]},
            "`Account Ref` is archived in Xero.",
        ),
        ({"lineItems": [_line(accountRef=None)]}, "`Account Ref` must not be empty."),
        ({"lineItems": [_line(taxRateRef=None)]}, "`Tax Rate Ref` must not be empty."),
        (
            {"lineItems": [_line(taxRateRef={"id": "INPUT9"})]},
            "`Tax Rate Ref` was not found in Xero.",
        ),
        (
            {"lineItems": [_line(taxRateRef={"id": "INPUT"})]},
            "`Tax Rate Ref` is archived in Xero.",
        ),
        ({"lineItems": [_line(unitAmount=None)]}, "`Unit Amount` must not be empty."),
        ({"lineItems": [_line(quantity="2")]}, "`Quantity` must be a number."),
        ({"lineItems": [_line(unitAmount=10**13)]}, "`Unit Amount` is out of range."),
        ({"currency": "XYZ"}, "No currency exists for code `XYZ`."),
        ({"currency": "JPY"}, "No currency exists for code `JPY`."),
    ],
)
def test_create_refuses_with_codats_message(
    ledger: httpx.Client,
    bills_path: str,
    connection: LedgerConnection,
    overrides: dict[str, Any],
    message: str,
) -> None:
    response = ledger.post(bills_path, json=bill_body(**overrides))

    assert response.status_code == 400
    assert messages(response) == [message]
    assert not LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS).exists()


def test_create_reports_several_faults_at_once(ledger: httpx.Client, bills_path: str) -> None:
    body = bill_body(
        supplierRef={"id": "nobody"},
        currency="XYZ",
        status="Void",
        reference="r" * 300,
        lineItems=[_line(accountRef={"id": "nope"}, taxRateRef=None)],
    )

    response = ledger.post(bills_path, json=body)

    assert sorted(messages(response)) == sorted(
        [
            "`Reference Length` must be less than or equal to `255`.",
            "`SupplierRef Id` was not found in Xero.",
            "No currency exists for code `XYZ`.",
            "`Status` must be equal to `Open`.",
            "`Account Ref` was not found in Xero.",
            "`Tax Rate Ref` must not be empty.",
        ]
    )


def test_create_accepts_currencies_of_the_bank_accounts(
    ledger: httpx.Client, bills_path: str
) -> None:
    usd = send(ledger, "POST", bills_path, bill_body(currency="USD", currencyRate=Decimal("0.79")))
    eur = ledger.post(bills_path, json=bill_body(currency="EUR"))

    assert usd.status_code == 201
    assert as_decimal(usd)["currencyRate"] == Decimal("0.79")
    assert eur.status_code == 201
    assert eur.json()["currencyRate"] is None  # foreign, and no rate given: no rate table


def test_create_ignores_fields_outside_the_prototype(ledger: httpx.Client, bills_path: str) -> None:
    # The docs' outdated snippet sends totals; the ledger computes its own.
    response = ledger.post(bills_path, json=bill_body(totalAmount=1, amountDue=1, subTotal=1))

    assert response.status_code == 201
    assert response.json()["totalAmount"] == 2160


def test_create_adds_the_bill_to_the_supplier_balance(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    create_bill(ledger, bills_path.removesuffix("/bills"))
    create_bill(ledger, bills_path.removesuffix("/bills"))
    create_bill(ledger, bills_path.removesuffix("/bills"), currency="USD")  # not GBP: unchanged

    supplier = get_document(connection, Dataset.SUPPLIERS, SUPPLIER)
    assert supplier is not None
    assert supplier["balance"] == Decimal("4320.00")


def test_create_shows_up_in_the_default_list(ledger: httpx.Client, bills_path: str) -> None:
    created = create_bill(ledger, bills_path.removesuffix("/bills"))

    assert ids(ledger.get(bills_path)) == [created["id"]]


def test_create_on_an_unlinked_connection_is_refused(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    connection.status = LedgerConnection.Status.UNLINKED
    connection.save()

    response = ledger.post(bills_path, json=bill_body())

    assert response.status_code == 400
    assert not LedgerRecord.objects.filter(dataset=Dataset.BILLS).exists()


def test_create_on_unknown_connection_is_404(
    ledger: httpx.Client, connection: LedgerConnection
) -> None:
    path = f"/companies/{connection.company_id}/connections/{uuid.uuid4()}/payables/bills"

    response = ledger.post(path, json=bill_body())

    assert response.status_code == 404
    assert response.json()["error"].startswith("Data connection ")


def test_create_replays_its_answer_for_the_same_idempotency_key(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}

    first = ledger.post(bills_path, json=bill_body(), headers=key)
    again = ledger.post(bills_path, json=bill_body(), headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS).count() == 1
    supplier = get_document(connection, Dataset.SUPPLIERS, SUPPLIER)
    assert supplier is not None
    assert supplier["balance"] == Decimal("2160.00")


def test_create_with_a_used_key_and_another_body_is_422(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection, settings: Any
) -> None:
    allow_docs_only_statuses(settings)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    ledger.post(bills_path, json=bill_body(), headers=key)

    response = ledger.post(bills_path, json=bill_body(reference="other"), headers=key)

    assert response.status_code == 422
    assert LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS).count() == 1


# --- Platform flavours --------------------------------------------------------------------------


@pytest.fixture
def qbo_path(connection: LedgerConnection) -> str:
    connection.platform_key = "qhyg"
    connection.save()
    return f"/companies/{connection.company_id}/connections/{connection.id}/payables/bills"


def test_qbo_limits_the_reference_to_21_characters(ledger: httpx.Client, qbo_path: str) -> None:
    too_long = ledger.post(qbo_path, json=bill_body(reference="x" * 22))
    fits = ledger.post(qbo_path, json=bill_body(reference="x" * 21))

    assert messages(too_long) == ["`Reference Length` must be less than or equal to `21`."]
    assert fits.status_code == 201


def test_qbo_bill_ids_are_sequential_numbers(ledger: httpx.Client, qbo_path: str) -> None:
    made = [ledger.post(qbo_path, json=bill_body()).json()["id"] for _ in range(11)]

    assert made == [str(n) for n in range(1, 12)]


def test_qbo_names_itself_and_wants_the_suppliers_currency(
    ledger: httpx.Client, qbo_path: str
) -> None:
    unknown = ledger.post(qbo_path, json=bill_body(supplierRef={"id": "x"}))
    wrong_currency = ledger.post(
        qbo_path, json=bill_body(supplierRef={"id": USD_SUPPLIER}, currency="GBP")
    )

    assert messages(unknown) == ["`SupplierRef Id` was not found in QuickBooks Online."]
    assert messages(wrong_currency) == [
        "Ensure that the currency of the bill matches the currency of the supplier."
    ]


# --- update-bill ----------------------------------------------------------------------------------


@pytest.fixture
def open_bill(ledger: httpx.Client, payables_path: str, connection: LedgerConnection) -> dict:
    return create_bill(ledger, payables_path)


def test_update_replaces_line_items_and_recomputes_totals(
    ledger: httpx.Client, bills_path: str, open_bill: dict, connection: LedgerConnection
) -> None:
    lines = [
        _line(unitAmount=2000, taxAmount=400),
        _line(unitAmount=4500, taxAmount=900, accountRef={"id": SUPPORT_ACCOUNT}),
    ]
    body = bill_body(reference="bill_updated_ref", dueDate="2023-06-01", lineItems=lines)

    response = ledger.put(f"{bills_path}/{open_bill['id']}", json=body)

    assert response.status_code == 200
    bill = response.json()
    assert bill["id"] == open_bill["id"]
    assert bill["reference"] == "bill_updated_ref"
    assert bill["dueDate"] == "2023-06-01T00:00:00"
    assert [line["totalAmount"] for line in bill["lineItems"]] == [2400, 5400]
    assert bill["totalAmount"] == bill["amountDue"] == 7800
    assert bill["sourceModifiedDate"] >= open_bill["sourceModifiedDate"]
    assert get_document(connection, Dataset.BILLS, open_bill["id"]) == as_decimal(response)
    assert LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS).count() == 1


def test_update_unknown_bill_is_404(ledger: httpx.Client, bills_path: str) -> None:
    response = ledger.put(f"{bills_path}/no-such-bill", json=bill_body())

    assert response.status_code == 404
    assert response.json()["error"] == "No data available for bills for ID no-such-bill"


@pytest.mark.parametrize("status", ["PartiallyPaid", "Paid", "Void", "Draft"])
def test_update_of_a_bill_that_is_not_open_is_400(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection, status: str
) -> None:
    stored = store_bill(connection, "b1", status=status)

    response = ledger.put(f"{bills_path}/b1", json=bill_body())

    assert response.status_code == 400
    assert messages(response) == [f"Bill b1 is {status}: only Open bills can be updated."]
    assert get_document(connection, Dataset.BILLS, "b1") == stored


def test_update_validates_like_create(
    ledger: httpx.Client, bills_path: str, open_bill: dict
) -> None:
    response = ledger.put(
        f"{bills_path}/{open_bill['id']}", json=bill_body(status="Paid", lineItems=[])
    )

    assert response.status_code == 400
    assert messages(response) == [
        "`Status` must be equal to `Open`.",
        "`Line Items` must not be empty.",
    ]


def test_update_moves_the_amount_between_supplier_balances(
    ledger: httpx.Client, bills_path: str, open_bill: dict, connection: LedgerConnection
) -> None:
    body = bill_body(
        supplierRef={"id": OTHER_SUPPLIER}, lineItems=[_line(unitAmount=100, taxAmount=20)]
    )

    response = ledger.put(f"{bills_path}/{open_bill['id']}", json=body)

    assert response.json()["supplierRef"]["supplierName"] == "Northridge Office Supplies"
    old = get_document(connection, Dataset.SUPPLIERS, SUPPLIER)
    new = get_document(connection, Dataset.SUPPLIERS, OTHER_SUPPLIER)
    assert old is not None
    assert new is not None
    assert (old["balance"], new["balance"]) == (Decimal("0.00"), Decimal("120.00"))


def test_update_keeps_what_was_settled_and_refuses_a_total_below_it(
    ledger: httpx.Client, bills_path: str, connection: LedgerConnection
) -> None:
    # An Open bill that the platform shows with 30.00 already settled (e.g. a credit allocated).
    store_bill(connection, "b1", totalAmount=Decimal("100.00"), amountDue=Decimal("70.00"))

    too_small = ledger.put(
        f"{bills_path}/b1", json=bill_body(lineItems=[_line(unitAmount=20, taxAmount=0)])
    )
    bigger = ledger.put(
        f"{bills_path}/b1", json=bill_body(lineItems=[_line(unitAmount=150, taxAmount=0)])
    )

    assert messages(too_small) == [
        "`Total Amount` must be greater than or equal to `30.00`, the amount already paid."
    ]
    assert bigger.status_code == 200
    assert (bigger.json()["totalAmount"], bigger.json()["amountDue"]) == (150, 120)
    assert bigger.json()["status"] == "PartiallyPaid"


def test_update_replays_for_the_same_idempotency_key(
    ledger: httpx.Client, bills_path: str, open_bill: dict, settings: Any
) -> None:
    allow_docs_only_statuses(settings)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    path = f"{bills_path}/{open_bill['id']}"

    first = ledger.put(path, json=bill_body(reference="v2"), headers=key)
    again = ledger.put(path, json=bill_body(reference="v2"), headers=key)
    other = ledger.put(path, json=bill_body(reference="v3"), headers=key)

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert other.status_code == 422


@pytest.mark.parametrize(
    ("platform_key", "line"),
    [
        # FreeAgent takes taxAmount only; Zoho Books a line without tax and without a rate.
        ("fbrh", _line(taxRateRef=None, taxAmount=36)),
        ("rwuv", _line(taxRateRef=None, taxAmount=0)),
    ],
)
def test_a_line_without_a_tax_rate_is_answered_without_taxRateRef(
    ledger: httpx.Client,
    payables_path: str,
    connection: LedgerConnection,
    platform_key: str,
    line: dict[str, Any],
) -> None:
    # The spec's taxRateRef is an object, never null: a line without one omits it.
    LedgerConnection.objects.filter(pk=connection.pk).update(platform_key=platform_key)

    created = create_bill(ledger, payables_path, lineItems=[line])

    assert "taxRateRef" not in created["lineItems"][0]
    stored = get_document(connection, Dataset.BILLS, created["id"])
    assert stored is not None
    assert "taxRateRef" not in stored["lineItems"][0]
    assert created["lineItems"][0]["taxAmount"] == line["taxAmount"]
