"""A small, explicit ledger for the bills, payments and mapping-options tests.

Known ids, stored straight into the sandbox's records (not through the seed), so that each test can
say exactly what it expects. Documents are in the shapes the API serves.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import httpx

from sandbox.api.base import dumps
from sandbox.api.records import save_document
from sandbox.models import Dataset, LedgerConnection

# Ids from the spec's create-bill example, so the bodies below read like the spec's.
EXPENSE_ACCOUNT = "46f9461e-788b-4906-8b74-d1ea17f6dc10"
SUPPORT_ACCOUNT = "f96c9458-d724-47bf-8f74-a9d5726465ce"
ARCHIVED_ACCOUNT = "0b8d1d2f-9c35-4a56-8c07-0a0d2f3f5e01"
SUPPLIER = "1262c350-fe0f-40ec-aeff-41c95b4a45af"
OTHER_SUPPLIER = "7d1c2b3a-4e5f-4a6b-9c8d-0e1f2a3b4c5d"
ARCHIVED_SUPPLIER = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
USD_SUPPLIER = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
GBP_BANK = "3d5a8e00-d108-4045-8823-7f342676cffa"
USD_BANK = "8c1f0e2d-3b4a-4596-a7b8-c9d0e1f2a3b4"
EUR_BANK = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"
ARCHIVED_BANK = "6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e"


def supplier_doc(supplier_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": supplier_id,
        "supplierName": name,
        "contactName": "Sarah Johnson",
        "emailAddress": "sarah.johnson@example.co.uk",
        "phone": "01632 960123",
        "addresses": [],
        "status": "Active",
        "balance": Decimal("0.00"),
        "defaultCurrency": "GBP",
        "sourceModifiedDate": "2024-01-10T09:00:00Z",
        **fields,
    }


def bank_doc(bank_id: str, name: str, currency: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": bank_id,
        "nominalCode": "090",
        "name": name,
        "accountType": "Debit",
        "accountNumber": "12345678",
        "sortCode": "40-47-84",
        "currency": currency,
        "status": "Active",
        "sourceModifiedDate": "2024-01-10T09:00:00Z",
        **fields,
    }


def add_reference_data(connection: LedgerConnection) -> None:
    """Accounts, tax rates, bank accounts (GBP, USD, EUR, one Archived) and suppliers."""
    for account_id, code, name, status in (
        (EXPENSE_ACCOUNT, "429", "General Expenses", "Active"),
        (SUPPORT_ACCOUNT, "412", "Consulting", "Active"),
        (ARCHIVED_ACCOUNT, "430", "Charitable and Political Donations", "Archived"),
    ):
        save_document(
            connection,
            Dataset.ACCOUNTS,
            {
                "id": account_id,
                "nominalCode": code,
                "name": name,
                "type": "Expense",
                "currency": "GBP",
                "status": status,
                "sourceModifiedDate": "2024-01-10T09:00:00Z",
            },
        )
    for code, name, rate, status in (
        ("INPUT2", "20% (VAT on Expenses)", Decimal("20.00"), "Active"),
        ("NONE", "No VAT", Decimal("0.00"), "Active"),
        ("INPUT", "17.5% (VAT on Expenses)", Decimal("17.50"), "Archived"),
    ):
        save_document(
            connection,
            Dataset.TAX_RATES,
            {
                "id": code,
                "name": name,
                "code": code,
                "effectiveTaxRate": rate,
                "totalTaxRate": rate,
                "status": status,
                "sourceModifiedDate": "2024-01-10T09:00:00Z",
            },
        )
    save_document(connection, Dataset.BANK_ACCOUNTS, bank_doc(GBP_BANK, "Current", "GBP"))
    save_document(
        connection,
        Dataset.BANK_ACCOUNTS,
        bank_doc(USD_BANK, "USD Account", "USD", sortCode=None, accountNumber="US1234567890"),
    )
    save_document(
        connection,
        Dataset.BANK_ACCOUNTS,
        bank_doc(
            EUR_BANK, "EUR Account", "EUR", sortCode=None, accountNumber="IE64IRCE92050112345678"
        ),
    )
    save_document(
        connection,
        Dataset.BANK_ACCOUNTS,
        bank_doc(ARCHIVED_BANK, "Old Account", "GBP", status="Archived"),
    )
    save_document(
        connection, Dataset.SUPPLIERS, supplier_doc(SUPPLIER, "DIISR - Small Business Services")
    )
    save_document(
        connection, Dataset.SUPPLIERS, supplier_doc(OTHER_SUPPLIER, "Northridge Office Supplies")
    )
    save_document(
        connection,
        Dataset.SUPPLIERS,
        supplier_doc(ARCHIVED_SUPPLIER, "Gone Away Ltd", status="Archived"),
    )
    save_document(
        connection,
        Dataset.SUPPLIERS,
        supplier_doc(USD_SUPPLIER, "Acme Cloud Inc", defaultCurrency="USD"),
    )


_BILL = {
    "reference": "bill_b8qmmj4ksf1suax",
    "supplierRef": {"id": SUPPLIER},
    "issueDate": "2023-04-23T00:00:00",
    "dueDate": "2023-05-23T00:00:00",
    "currency": "GBP",
    "lineItems": [
        {
            "description": "Half day training - Microsoft Office",
            "unitAmount": 1800,
            "quantity": 1,
            "taxAmount": 360,
            "accountRef": {"id": EXPENSE_ACCOUNT},
            "taxRateRef": {"id": "INPUT2"},
        }
    ],
    "status": "Open",
}


def bill_body(**overrides: Any) -> dict[str, Any]:
    """A valid billPrototype (total 2160.00 GBP), with top-level fields replaced."""
    body = copy.deepcopy(_BILL)
    body.update(overrides)
    return body


def create_bill(ledger: httpx.Client, payables_path: str, **overrides: Any) -> dict[str, Any]:
    response = ledger.post(f"{payables_path}/bills", json=bill_body(**overrides))
    assert response.status_code == 201, response.text
    return as_decimal(response)


def store_bill(connection: LedgerConnection, bill_id: str, **fields: Any) -> dict[str, Any]:
    """A bill put straight into the ledger (any status), as if it came from the platform."""
    document: dict[str, Any] = {
        "id": bill_id,
        "reference": f"REF-{bill_id}",
        "supplierRef": {"id": SUPPLIER, "supplierName": "DIISR - Small Business Services"},
        "issueDate": "2024-01-01T00:00:00",
        "dueDate": "2024-02-01T00:00:00",
        "currency": "GBP",
        "currencyRate": Decimal(1),
        "lineItems": [],
        "status": "Open",
        "totalAmount": Decimal("100.00"),
        "amountDue": Decimal("100.00"),
        "sourceModifiedDate": "2024-01-01T10:00:00Z",
        **fields,
    }
    save_document(connection, Dataset.BILLS, document, parent_id=document["supplierRef"]["id"])
    return document


def messages(response: httpx.Response) -> list[str]:
    """The validation messages of a 400."""
    return [item["message"] for item in response.json()["validation"]["errors"]]


def as_decimal(response: httpx.Response) -> Any:
    """A response body with its numbers as Decimal (never float), as the ledger wrote them."""
    return json.loads(response.content, parse_float=Decimal)


def send(
    ledger: httpx.Client,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Send a JSON body whose numbers may be Decimal, written exactly (httpx's json= cannot)."""
    return ledger.request(
        method,
        path,
        content=dumps(body),
        headers={"content-type": "application/json", **(headers or {})},
    )
