"""get-mapping-options-bills and get-mapping-options-payments: statusQuery, paging, Xero masking."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from sandbox.api.records import save_document
from sandbox.models import Dataset, LedgerConnection
from tests.sandbox.payables_data import (
    ARCHIVED_ACCOUNT,
    ARCHIVED_BANK,
    EUR_BANK,
    EXPENSE_ACCOUNT,
    GBP_BANK,
    SUPPORT_ACCOUNT,
    USD_BANK,
    add_reference_data,
    as_decimal,
    bank_doc,
)

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def connection(linked_connection: LedgerConnection) -> LedgerConnection:
    add_reference_data(linked_connection)
    return linked_connection


@pytest.fixture
def bills_options(connection: LedgerConnection, payables_path: str) -> str:
    return f"{payables_path}/mappingOptions/bills"


@pytest.fixture
def payments_options(connection: LedgerConnection, payables_path: str) -> str:
    return f"{payables_path}/mappingOptions/payments"


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


# --- Bills: accounts and tax rates --------------------------------------------------------------


def test_bill_options_default_to_active_accounts_and_tax_rates(
    ledger: httpx.Client, bills_options: str
) -> None:
    response = ledger.get(bills_options)

    assert response.status_code == 200
    body = as_decimal(response)
    assert ids(body["accounts"]) == [EXPENSE_ACCOUNT, SUPPORT_ACCOUNT]
    assert ids(body["taxRates"]) == ["INPUT2", "NONE"]
    assert body["pagination"] == {}
    assert body["accounts"][0] == {
        "id": EXPENSE_ACCOUNT,
        "nominalCode": "429",
        "name": "General Expenses",
        "type": "Expense",
        "currency": "GBP",
        "status": "Active",
        "sourceModifiedDate": "2024-01-10T09:00:00Z",
    }
    assert body["taxRates"][0] == {
        "id": "INPUT2",
        "name": "20% (VAT on Expenses)",
        "code": "INPUT2",
        "effectiveTaxRate": Decimal("20.00"),
        "totalTaxRate": Decimal("20.00"),
        "status": "Active",
        "sourceModifiedDate": "2024-01-10T09:00:00Z",
    }


def test_status_query_archived_returns_only_archived(
    ledger: httpx.Client, bills_options: str
) -> None:
    body = ledger.get(bills_options, params={"statusQuery": "status=Archived"}).json()

    assert ids(body["accounts"]) == [ARCHIVED_ACCOUNT]
    assert ids(body["taxRates"]) == ["INPUT"]


def test_status_query_active_or_archived_returns_everything(
    ledger: httpx.Client, bills_options: str
) -> None:
    body = ledger.get(
        bills_options, params={"statusQuery": "status=Active||status=Archived"}
    ).json()

    assert len(body["accounts"]) == 3
    assert len(body["taxRates"]) == 3


def test_status_query_is_the_parameter_name_not_query(
    ledger: httpx.Client, bills_options: str
) -> None:
    # `query` is no parameter of this operation: it is ignored, and the default applies.
    body = ledger.get(bills_options, params={"query": "status=Archived"}).json()

    assert ids(body["accounts"]) == [EXPENSE_ACCOUNT, SUPPORT_ACCOUNT]


def test_status_query_may_name_other_option_properties(
    ledger: httpx.Client, bills_options: str
) -> None:
    body = ledger.get(bills_options, params={"statusQuery": "status=Active&&code=NONE"}).json()

    # Accounts have no `code`: a missing property matches nothing but `!=`.
    assert (body["accounts"], ids(body["taxRates"])) == ([], ["NONE"])


def test_malformed_status_query_is_400(ledger: httpx.Client, bills_options: str) -> None:
    malformed = ledger.get(bills_options, params={"statusQuery": "status="})
    unknown = ledger.get(bills_options, params={"statusQuery": "colour=Blue"})

    assert malformed.status_code == 400
    assert malformed.json()["error"] == "Error parsing query - Malformed query."
    assert unknown.status_code == 400
    assert unknown.json()["error"] == (
        "Error parsing query - Could not resolve property colour on MappingOptions"
    )


def test_bill_options_page_over_accounts_then_tax_rates(
    ledger: httpx.Client, bills_options: str, connection: LedgerConnection
) -> None:
    # 150 more accounts and 60 more tax rates: 152 + 62 active items make three pages.
    for number in range(150):
        save_document(
            connection,
            Dataset.ACCOUNTS,
            {"id": f"acc-{number:03d}", "nominalCode": str(500 + number), "name": f"Account {number}",
             "type": "Expense", "currency": "GBP", "status": "Active"},
        )  # fmt: skip
    for number in range(60):
        save_document(
            connection,
            Dataset.TAX_RATES,
            {"id": f"rate-{number:02d}", "name": f"Rate {number}", "code": f"R{number}",
             "effectiveTaxRate": 0, "totalTaxRate": 0, "status": "Active"},
        )  # fmt: skip

    pages = [ledger.get(bills_options).json()]
    while "continuationToken" in pages[-1]["pagination"]:
        token = pages[-1]["pagination"]["continuationToken"]
        pages.append(ledger.get(bills_options, params={"continuationToken": token}).json())

    shape = [(len(page["accounts"]), len(page["taxRates"])) for page in pages]
    assert shape == [(100, 0), (52, 48), (0, 14)]
    accounts = [a for page in pages for a in ids(page["accounts"])]
    rates = [r for page in pages for r in ids(page["taxRates"])]
    assert accounts == [EXPENSE_ACCOUNT, SUPPORT_ACCOUNT] + [f"acc-{n:03d}" for n in range(150)]
    assert rates == ["INPUT2", "NONE"] + [f"rate-{n:02d}" for n in range(60)]


def test_bill_options_token_belongs_to_its_status_query(
    ledger: httpx.Client, bills_options: str, connection: LedgerConnection
) -> None:
    for number in range(120):
        save_document(
            connection,
            Dataset.ACCOUNTS,
            {"id": f"acc-{number:03d}", "currency": "GBP", "status": "Active"},
        )
    token = ledger.get(bills_options).json()["pagination"]["continuationToken"]

    other = ledger.get(
        bills_options, params={"continuationToken": token, "statusQuery": "status=Archived"}
    )
    garbage = ledger.get(bills_options, params={"continuationToken": "%%%"})

    assert other.status_code == 400
    assert garbage.status_code == 400


def test_bill_options_on_unknown_company_is_404(ledger: httpx.Client) -> None:
    response = ledger.get(
        "/companies/8a210b68-6988-11ed-a1eb-0242ac120002/connections/"
        "2e9d2c44-f675-40ba-8049-353bfcb5e171/payables/mappingOptions/bills"
    )

    assert response.status_code == 404
    assert response.json()["error"] == (
        "No company was found with ID 8a210b68-6988-11ed-a1eb-0242ac120002"
    )


# --- Payments: bank accounts --------------------------------------------------------------------


def test_payment_options_default_to_active_bank_accounts(
    ledger: httpx.Client, payments_options: str
) -> None:
    response = ledger.get(payments_options)

    assert response.status_code == 200
    body = response.json()
    assert ids(body["bankAccounts"]) == [GBP_BANK, USD_BANK, EUR_BANK]
    assert body["bankAccounts"][0] == {
        "id": GBP_BANK,
        "name": "Current",
        "accountNumber": "12345678",
        "nominalCode": "090",
        "sortCode": "40-47-84",
        "currency": "GBP",
        "status": "Active",
        "accountType": "Debit",
        "sourceModifiedDate": "2024-01-10T09:00:00Z",
    }
    assert body["pagination"] == {}


def test_payment_options_archived(ledger: httpx.Client, payments_options: str) -> None:
    body = ledger.get(payments_options, params={"statusQuery": "status=Archived"}).json()

    assert ids(body["bankAccounts"]) == [ARCHIVED_BANK]


@pytest.mark.parametrize(
    ("currency", "sort_code", "number", "shown"),
    [
        # Xero (spec bankAccountMappingOption): GBP numbers show only when they make 14 digits.
        ("GBP", "40-47-84", "12345678", ("40-47-84", "12345678")),
        ("GBP", "404784", "1234 5678", ("404784", "1234 5678")),
        ("GBP", "40-47-84", "1234567", (None, None)),
        ("GBP", None, "4929", (None, None)),
        # Other currencies: the full account number, never a sort code.
        ("USD", "40-47-84", "GB33BUKB20201555555555", (None, "GB33BUKB20201555555555")),
    ],
)
def test_xero_masks_uk_numbers_that_do_not_make_14_digits(
    ledger: httpx.Client,
    payments_options: str,
    connection: LedgerConnection,
    currency: str,
    sort_code: str | None,
    number: str,
    shown: tuple[str | None, str | None],
) -> None:
    account = bank_doc("probe", "Probe", currency, sortCode=sort_code, accountNumber=number)
    save_document(connection, Dataset.BANK_ACCOUNTS, account)

    listed = ledger.get(payments_options).json()["bankAccounts"]

    probe = next(a for a in listed if a["id"] == "probe")
    assert (probe["sortCode"], probe["accountNumber"]) == shown


def test_qbo_shows_bank_numbers_as_stored(
    ledger: httpx.Client, payments_options: str, connection: LedgerConnection
) -> None:
    connection.platform_key = "qhyg"
    connection.save()
    save_document(
        connection,
        Dataset.BANK_ACCOUNTS,
        bank_doc("probe", "Probe", "GBP", sortCode="40-47-84", accountNumber="1234567"),
    )

    listed = ledger.get(payments_options).json()["bankAccounts"]

    probe = next(a for a in listed if a["id"] == "probe")
    assert (probe["sortCode"], probe["accountNumber"]) == ("40-47-84", "1234567")


def test_payment_options_query_sees_what_is_served(
    ledger: httpx.Client, payments_options: str, connection: LedgerConnection
) -> None:
    save_document(
        connection,
        Dataset.BANK_ACCOUNTS,
        bank_doc("masked", "Masked", "GBP", sortCode="11-22-33", accountNumber="1234567"),
    )

    # The masked account's sort code is not served, so it cannot be found by it.
    found = ledger.get(payments_options, params={"statusQuery": "sortCode=11-22-33"}).json()

    assert found["bankAccounts"] == []


def test_payment_options_page_100_at_a_time(
    ledger: httpx.Client, payments_options: str, connection: LedgerConnection
) -> None:
    for number in range(120):
        save_document(connection, Dataset.BANK_ACCOUNTS, bank_doc(f"bank-{number:03d}", "B", "GBP"))

    first = ledger.get(payments_options).json()
    token = first["pagination"]["continuationToken"]
    second = ledger.get(payments_options, params={"continuationToken": token}).json()

    assert (len(first["bankAccounts"]), len(second["bankAccounts"])) == (100, 23)
    assert second["pagination"] == {}


def test_new_bank_account_documents_appear_among_the_options(
    ledger: httpx.Client, payments_options: str, connection: LedgerConnection
) -> None:
    # What create-bank-account stores (a BankAccount document) is what the options serve.
    save_document(
        connection,
        Dataset.BANK_ACCOUNTS,
        {
            "id": "new-bank",
            "nominalCode": "22",
            "name": "New account",
            "accountType": "Debit",
            "accountNumber": "0120 0440",
            "sortCode": "50-50-50",
            "currency": "GBP",
            "status": "Active",
            "sourceModifiedDate": "2024-05-01T10:00:00Z",
        },
    )

    listed = ledger.get(payments_options).json()["bankAccounts"]

    assert listed[-1] == {
        "id": "new-bank",
        "name": "New account",
        "accountNumber": "0120 0440",
        "nominalCode": "22",
        "sortCode": "50-50-50",
        "currency": "GBP",
        "status": "Active",
        "accountType": "Debit",
        "sourceModifiedDate": "2024-05-01T10:00:00Z",
    }
