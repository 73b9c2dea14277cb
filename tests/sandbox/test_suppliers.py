"""Suppliers: list-suppliers, create-supplier, update-supplier, in Xero's and QuickBooks' flavours."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.utils import timezone

from sandbox.api.base import dumps, loads
from sandbox.api.records import get_document, save_document
from sandbox.models import Dataset, IdempotencyRecord, LedgerCompany, LedgerConnection

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def supplier_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "supplierName": "Northridge Office Supplies",
        "contactName": "Sarah Johnson",
        "emailAddress": "sarah.johnson@northridgesupplies.co.uk",
        "phone": "+44 (0)1223 322410",
        "addresses": [
            {
                "type": "Billing",
                "line1": "Flat 1",
                "line2": "2 Dennis Avenue",
                "city": "London",
                "region": "Camden",
                "country": "GB",
                "postalCode": "EC1N 7TE",
            }
        ],
        "status": "Active",
        "defaultCurrency": "GBP",
    }
    body.update(overrides)
    return body


def messages(response: httpx.Response) -> list[str]:
    return [item["message"] for item in response.json()["validation"]["errors"]]


def create(ledger: httpx.Client, path: str, **overrides: Any) -> dict[str, Any]:
    response = ledger.post(f"{path}/suppliers", json=supplier_body(**overrides))
    assert response.status_code == 201, response.text
    return loads(response.content)


@pytest.fixture
def qbo_path(ledger_company: LedgerCompany) -> str:
    connection = LedgerConnection.objects.create(
        company=ledger_company,
        platform_key="qhyg",
        status=LedgerConnection.Status.LINKED,
        seeded=True,
        base_currency="USD",
    )
    return f"/companies/{ledger_company.id}/connections/{connection.id}/payables"


# --- create-supplier ----------------------------------------------------------------------------


def test_create_supplier_answers_201_with_a_xero_guid_and_zero_balance(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    before = timezone.now().replace(microsecond=0)
    response = ledger.post(f"{payables_path}/suppliers", json=supplier_body())

    assert response.status_code == 201
    supplier = loads(response.content)
    assert str(uuid.UUID(supplier["id"])) == supplier["id"]
    assert supplier["balance"] == 0
    assert dt.datetime.fromisoformat(supplier["sourceModifiedDate"]) >= before
    expected = supplier_body()
    for key, value in expected.items():
        assert supplier[key] == value
    assert get_document(linked_connection, Dataset.SUPPLIERS, supplier["id"]) == supplier


def test_create_supplier_ignores_a_client_balance(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.post(
        f"{payables_path}/suppliers",
        content=dumps(supplier_body(balance=Decimal("999.99"))),
        headers={"content-type": "application/json"},
    )

    assert loads(response.content)["balance"] == 0


def test_create_supplier_clears_what_is_not_sent(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.post(
        f"{payables_path}/suppliers", json={"supplierName": "Bare Ltd", "status": "Active"}
    )

    supplier = response.json()
    assert response.status_code == 201
    assert supplier["contactName"] is None
    assert supplier["emailAddress"] is None
    assert supplier["addresses"] == []
    assert supplier["defaultCurrency"] is None


def test_create_supplier_requires_name_and_status(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.post(f"{payables_path}/suppliers", json={"contactName": "Nobody"})

    assert response.status_code == 400
    assert response.json()["error"] == "Error processing request - not valid."
    assert messages(response) == [
        "`Supplier Name` must not be empty.",
        "`Status` must not be empty.",
    ]


def test_create_supplier_refuses_a_blank_name(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.post(f"{payables_path}/suppliers", json=supplier_body(supplierName="   "))

    assert response.status_code == 400
    assert messages(response) == ["`Supplier Name` must not be empty."]


@pytest.mark.parametrize("status", ["Unknown", "active", "Deleted"])
def test_create_supplier_refuses_a_status_outside_active_and_archived(
    ledger: httpx.Client, payables_path: str, status: str
) -> None:
    response = ledger.post(f"{payables_path}/suppliers", json=supplier_body(status=status))

    assert response.status_code == 400
    assert messages(response) == ["`Status` must be one of `Active`, `Archived`."]


@pytest.mark.parametrize(
    ("currency", "message"),
    [
        ("GBPX", "`Default Currency Length` must be equal to `3`."),
        ("G1P", "No currency exists for code `G1P`."),
    ],
)
def test_create_supplier_refuses_a_bad_currency(
    ledger: httpx.Client, payables_path: str, currency: str, message: str
) -> None:
    response = ledger.post(
        f"{payables_path}/suppliers", json=supplier_body(defaultCurrency=currency)
    )

    assert response.status_code == 400
    assert messages(response) == [message]


def test_create_supplier_refuses_a_body_that_is_not_an_object(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.post(f"{payables_path}/suppliers", json=["Northridge"])

    assert response.status_code == 400
    assert messages(response) == ["The request body must be a JSON object."]


def test_create_supplier_refuses_a_body_that_is_not_json(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.post(
        f"{payables_path}/suppliers",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


def test_xero_refuses_an_invalid_email(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.post(
        f"{payables_path}/suppliers", json=supplier_body(emailAddress="not an email")
    )

    assert response.status_code == 400
    assert messages(response) == ["Email address must be valid."]


def test_xero_refuses_a_duplicate_name_whatever_its_case(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    create(ledger, payables_path, supplierName="Northridge Office Supplies")

    response = ledger.post(
        f"{payables_path}/suppliers",
        json=supplier_body(supplierName="  NORTHRIDGE office  supplies "),
    )

    assert response.status_code == 400
    [message] = messages(response)
    assert "is already assigned to another contact" in message
    assert "must be unique" in message
    assert linked_connection.records.filter(dataset=Dataset.SUPPLIERS).count() == 1


def test_xero_lets_a_new_supplier_reuse_an_archived_suppliers_name(
    ledger: httpx.Client, payables_path: str
) -> None:
    create(ledger, payables_path, supplierName="Old Name Ltd", status="Archived")

    response = ledger.post(
        f"{payables_path}/suppliers", json=supplier_body(supplierName="Old Name Ltd")
    )

    assert response.status_code == 201


def test_qbo_create_supplier_gets_a_numeric_id_and_the_home_currency(
    ledger: httpx.Client, qbo_path: str
) -> None:
    first = create(ledger, qbo_path, supplierName="First", defaultCurrency=None)
    second = create(ledger, qbo_path, supplierName="Second", defaultCurrency="EUR")

    assert first["id"] == "1"
    assert second["id"] == "2"
    assert first["defaultCurrency"] == "USD"
    assert second["defaultCurrency"] == "EUR"


def test_qbo_refuses_a_duplicate_display_name(ledger: httpx.Client, qbo_path: str) -> None:
    create(ledger, qbo_path, supplierName="Acme")

    response = ledger.post(f"{qbo_path}/suppliers", json=supplier_body(supplierName="acme"))

    assert response.status_code == 400
    assert "The name supplied already exists" in messages(response)[0]


# --- list-suppliers -----------------------------------------------------------------------------


def test_list_suppliers_returns_active_and_archived_by_default(
    ledger: httpx.Client, payables_path: str
) -> None:
    # The spec's side of the spec/docs disagreement (codat-api.md §3).
    active = create(ledger, payables_path, supplierName="Active Ltd")
    archived = create(ledger, payables_path, supplierName="Archived Ltd", status="Archived")

    response = ledger.get(f"{payables_path}/suppliers")

    assert response.status_code == 200
    body = loads(response.content)
    assert body == {"results": [active, archived], "pagination": {}}


def test_list_suppliers_filters_by_status(ledger: httpx.Client, payables_path: str) -> None:
    create(ledger, payables_path, supplierName="Active Ltd")
    archived = create(ledger, payables_path, supplierName="Archived Ltd", status="Archived")

    response = ledger.get(f"{payables_path}/suppliers", params={"query": "status=Archived"})

    assert [s["id"] for s in response.json()["results"]] == [archived["id"]]


def test_list_suppliers_filters_by_source_modified_date(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    old = supplier_body(supplierName="Old Ltd")
    save_document(
        linked_connection,
        Dataset.SUPPLIERS,
        {"id": "old", **old, "balance": 0, "sourceModifiedDate": "2023-12-01T00:00:00Z"},
    )
    new = create(ledger, payables_path, supplierName="New Ltd")

    response = ledger.get(
        f"{payables_path}/suppliers",
        params={"query": "sourceModifiedDate>2023-12-15T00:00:00.000Z&&status=Active"},
    )

    assert [s["id"] for s in response.json()["results"]] == [new["id"]]


def test_list_suppliers_refuses_an_unknown_property(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.get(f"{payables_path}/suppliers", params={"query": "colour=blue"})

    assert response.status_code == 400
    assert response.json()["error"] == (
        "Error parsing query - Could not resolve property colour on Supplier"
    )


def test_list_suppliers_refuses_a_malformed_query(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.get(f"{payables_path}/suppliers", params={"query": "{status=Active"})

    assert response.status_code == 400
    assert response.json()["error"] == "Error parsing query - Malformed query."


def test_list_suppliers_pages_with_continuation_tokens(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    for number in range(205):
        save_document(
            linked_connection,
            Dataset.SUPPLIERS,
            {"id": f"s{number:03}", "supplierName": f"Supplier {number}", "status": "Active"},
        )

    seen: list[str] = []
    tokens: list[str] = []
    params: dict[str, str] = {}
    while True:
        body = ledger.get(f"{payables_path}/suppliers", params=params).json()
        seen.extend(s["id"] for s in body["results"])
        token = body["pagination"].get("continuationToken")
        if token is None:
            break
        tokens.append(token)
        params = {"continuationToken": token}

    assert seen == [f"s{n:03}" for n in range(205)]
    assert len(tokens) == 2
    assert "page" not in ledger.get(f"{payables_path}/suppliers").json()


def test_list_suppliers_refuses_a_token_that_is_not_its_own(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.get(f"{payables_path}/suppliers", params={"continuationToken": "garbage!"})

    assert response.status_code == 400


def test_list_suppliers_answers_409_while_the_initial_read_runs(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    linked_connection.data_ready_at = timezone.now() + dt.timedelta(minutes=5)
    linked_connection.save()

    response = ledger.get(f"{payables_path}/suppliers")

    assert response.status_code == 409
    assert response.json()["error"] == "The data set has not been requested."


# --- update-supplier ----------------------------------------------------------------------------


def test_update_supplier_replaces_every_field_and_keeps_the_balance(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    supplier = create(ledger, payables_path)
    # The balance is the ledger's: bills and payments move it, clients cannot.
    save_document(
        linked_connection,
        Dataset.SUPPLIERS,
        {**supplier, "balance": Decimal("250.10"), "sourceModifiedDate": "2024-01-01T00:00:00Z"},
    )

    response = ledger.put(
        f"{payables_path}/suppliers/{supplier['id']}",
        json={"supplierName": "Northridge Ltd", "status": "Active", "balance": 5},
    )

    assert response.status_code == 200
    updated = loads(response.content)
    assert updated["id"] == supplier["id"]
    assert updated["supplierName"] == "Northridge Ltd"
    assert updated["contactName"] is None
    assert updated["emailAddress"] is None
    assert updated["phone"] is None
    assert updated["addresses"] == []
    assert updated["defaultCurrency"] is None
    assert updated["balance"] == Decimal("250.10")
    assert updated["sourceModifiedDate"] > "2024-01-01T00:00:00Z"
    assert get_document(linked_connection, Dataset.SUPPLIERS, supplier["id"]) == updated


def test_update_supplier_answers_404_for_an_unknown_supplier(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.put(f"{payables_path}/suppliers/nope", json=supplier_body())

    assert response.status_code == 404
    assert response.json()["error"] == "No data available for suppliers for ID nope"


def test_xero_update_cannot_clear_the_name(ledger: httpx.Client, payables_path: str) -> None:
    # docs suppliers.md (Xero): a null or empty supplierName keeps the existing name.
    supplier = create(ledger, payables_path)
    url = f"{payables_path}/suppliers/{supplier['id']}"

    omitted = ledger.put(url, json={"status": "Active"})
    emptied = ledger.put(url, json={"status": "Active", "supplierName": "", "contactName": None})

    assert omitted.status_code == emptied.status_code == 200
    assert omitted.json()["supplierName"] == supplier["supplierName"]
    assert emptied.json()["supplierName"] == supplier["supplierName"]


def test_xero_update_refuses_another_suppliers_name(
    ledger: httpx.Client, payables_path: str
) -> None:
    create(ledger, payables_path, supplierName="Taken Ltd")
    supplier = create(ledger, payables_path, supplierName="Mine Ltd")

    response = ledger.put(
        f"{payables_path}/suppliers/{supplier['id']}",
        json=supplier_body(supplierName="taken ltd"),
    )

    assert response.status_code == 400
    assert "is already assigned to another contact" in messages(response)[0]


def test_xero_update_may_keep_the_suppliers_own_name(
    ledger: httpx.Client, payables_path: str
) -> None:
    supplier = create(ledger, payables_path, supplierName="Mine Ltd")

    response = ledger.put(
        f"{payables_path}/suppliers/{supplier['id']}", json=supplier_body(supplierName="MINE LTD")
    )

    assert response.status_code == 200
    assert response.json()["supplierName"] == "MINE LTD"


def test_xero_update_refuses_an_archived_supplier(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    supplier = create(ledger, payables_path, status="Archived")

    response = ledger.put(f"{payables_path}/suppliers/{supplier['id']}", json=supplier_body())

    assert response.status_code == 400
    assert "must be unarchived in Xero" in messages(response)[0]
    stored = get_document(linked_connection, Dataset.SUPPLIERS, supplier["id"])
    assert stored is not None
    assert stored["status"] == "Archived"


def test_update_supplier_is_not_idempotent(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    # The spec declares no Idempotency-Key on update-supplier: a key is ignored, both calls run.
    supplier = create(ledger, payables_path)
    url = f"{payables_path}/suppliers/{supplier['id']}"
    headers = {"Idempotency-Key": str(uuid.uuid4())}

    first = ledger.put(url, json=supplier_body(phone="1"), headers=headers)
    second = ledger.put(url, json=supplier_body(phone="2"), headers=headers)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["phone"] == "2"
    assert "idempotent-replayed" not in second.headers
    assert not IdempotencyRecord.objects.filter(key=headers["Idempotency-Key"]).exists()


def test_qbo_update_refuses_a_changed_currency(ledger: httpx.Client, qbo_path: str) -> None:
    supplier = create(ledger, qbo_path, defaultCurrency="EUR")

    response = ledger.put(
        f"{qbo_path}/suppliers/{supplier['id']}", json=supplier_body(defaultCurrency="GBP")
    )

    assert response.status_code == 400
    assert "cannot be changed in QuickBooks Online" in messages(response)[0]


@pytest.mark.parametrize("currency", [None, "EUR"])
def test_qbo_update_keeps_the_currency_when_sent_null_or_unchanged(
    ledger: httpx.Client, qbo_path: str, currency: str | None
) -> None:
    supplier = create(ledger, qbo_path, defaultCurrency="EUR")

    response = ledger.put(
        f"{qbo_path}/suppliers/{supplier['id']}",
        json=supplier_body(defaultCurrency=currency, phone="555"),
    )

    assert response.status_code == 200
    assert response.json()["defaultCurrency"] == "EUR"
    assert response.json()["phone"] == "555"


def test_qbo_update_of_an_archived_supplier_is_ignored_unless_it_reactivates(
    ledger: httpx.Client, qbo_path: str
) -> None:
    supplier = create(ledger, qbo_path, status="Archived", phone="1")
    url = f"{qbo_path}/suppliers/{supplier['id']}"

    ignored = ledger.put(url, json=supplier_body(status="Archived", phone="2"))
    reactivated = ledger.put(url, json=supplier_body(status="Active", phone="3"))

    assert ignored.status_code == 200
    assert ignored.json()["phone"] == "1"
    assert reactivated.json()["phone"] == "3"
    assert reactivated.json()["status"] == "Active"
