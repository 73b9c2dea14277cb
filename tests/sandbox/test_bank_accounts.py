"""create-bank-account: validation, Xero's rules, and the BankAccount the ledger keeps."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from sandbox.api.records import get_document, save_document
from sandbox.models import Dataset, LedgerCompany, LedgerConnection

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

# The spec's request example.
SPEC_EXAMPLE = {
    "nominalCode": "22",
    "name": "Plutus - Payables - Bank Account 12",
    "accountNumber": "0120 0440",
    "sortCode": "50-50-50",
    "currency": "GBP",
    "accountType": "Debit",
}


def account_body(**overrides: Any) -> dict[str, Any]:
    return {**SPEC_EXAMPLE, **overrides}


def messages(response: httpx.Response) -> list[str]:
    return [item["message"] for item in response.json()["validation"]["errors"]]


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


def test_create_bank_account_answers_the_spec_example(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    response = ledger.post(f"{payables_path}/bankAccounts", json=SPEC_EXAMPLE)

    assert response.status_code == 201
    account = response.json()
    assert list(account) == [
        "id",
        "nominalCode",
        "name",
        "accountType",
        "accountNumber",
        "sortCode",
        "currency",
        "status",
        "sourceModifiedDate",
    ]
    assert str(uuid.UUID(account["id"])) == account["id"]
    assert {k: account[k] for k in SPEC_EXAMPLE} == SPEC_EXAMPLE
    assert account["status"] == "Active"
    assert account["sourceModifiedDate"].endswith("Z")


def test_created_bank_account_is_kept_in_the_bank_accounts_dataset(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    # The payment mapping options serve this dataset, so the account shows up there.
    account = ledger.post(f"{payables_path}/bankAccounts", json=SPEC_EXAMPLE).json()

    assert get_document(linked_connection, Dataset.BANK_ACCOUNTS, account["id"]) == account


def test_created_bank_account_appears_in_the_payment_mapping_options(
    ledger: httpx.Client, payables_path: str
) -> None:
    account = ledger.post(f"{payables_path}/bankAccounts", json=SPEC_EXAMPLE).json()

    options = ledger.get(f"{payables_path}/mappingOptions/payments").json()

    [option] = [o for o in options["bankAccounts"] if o["id"] == account["id"]]
    assert option["name"] == SPEC_EXAMPLE["name"]
    assert option["accountNumber"] == SPEC_EXAMPLE["accountNumber"]
    assert option["status"] == "Active"


def test_masked_numbers_stay_masked_in_the_mapping_options(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    account = ledger.post(
        f"{payables_path}/bankAccounts", json=account_body(accountNumber="123", sortCode=None)
    ).json()

    options = ledger.get(f"{payables_path}/mappingOptions/payments").json()

    [option] = [o for o in options["bankAccounts"] if o["id"] == account["id"]]
    assert option["accountNumber"] is None
    # Stored as given: only what Xero shows is masked.
    stored = get_document(linked_connection, Dataset.BANK_ACCOUNTS, account["id"])
    assert stored is not None
    assert stored["accountNumber"] == "123"


def test_create_bank_account_requires_name_type_number_and_currency(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.post(f"{payables_path}/bankAccounts", json={"sortCode": "50-50-50"})

    assert response.status_code == 400
    assert messages(response) == [
        "`Name` must not be empty.",
        "`Account Type` must not be empty.",
        "`Account Number` must not be empty.",
        "`Currency` must not be empty.",
    ]
    assert response.json()["validation"]["errors"][0]["validatorName"] == "BankAccount"


def test_xero_cannot_create_a_credit_account(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.post(f"{payables_path}/bankAccounts", json=account_body(accountType="Credit"))

    assert response.status_code == 400
    assert messages(response) == [
        "Xero cannot create credit accounts: `Account Type` must be `Debit`."
    ]


@pytest.mark.parametrize("account_type", ["Unknown", "Savings", "debit"])
def test_create_bank_account_refuses_other_account_types(
    ledger: httpx.Client, payables_path: str, account_type: str
) -> None:
    response = ledger.post(
        f"{payables_path}/bankAccounts", json=account_body(accountType=account_type)
    )

    assert response.status_code == 400
    assert messages(response) == ["`Account Type` must be one of `Debit`, `Credit`."]


@pytest.mark.parametrize(
    ("currency", "message"),
    [
        ("GB", "`Currency Length` must be equal to `3`."),
        ("POUND", "`Currency Length` must be equal to `3`."),
        ("£££", "No currency exists for code `£££`."),
    ],
)
def test_create_bank_account_needs_a_three_letter_currency(
    ledger: httpx.Client, payables_path: str, currency: str, message: str
) -> None:
    response = ledger.post(f"{payables_path}/bankAccounts", json=account_body(currency=currency))

    assert response.status_code == 400
    assert messages(response) == [message]


def test_create_bank_account_upper_cases_the_currency(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.post(f"{payables_path}/bankAccounts", json=account_body(currency="gbp"))

    assert response.json()["currency"] == "GBP"


def test_xero_hides_gbp_numbers_that_are_not_a_uk_sort_code_and_account_number(
    ledger: httpx.Client, payables_path: str
) -> None:
    # Spec, BankAccount.accountNumber/sortCode: shown for GBP only when they make 14 digits.
    response = ledger.post(
        f"{payables_path}/bankAccounts", json=account_body(accountNumber="123", sortCode=None)
    )

    assert response.status_code == 201
    assert response.json()["accountNumber"] is None
    assert response.json()["sortCode"] is None


def test_xero_shows_the_full_number_and_no_sort_code_for_other_currencies(
    ledger: httpx.Client, payables_path: str
) -> None:
    response = ledger.post(
        f"{payables_path}/bankAccounts",
        json=account_body(currency="EUR", accountNumber="DE89370400440532013000"),
    )

    assert response.json()["accountNumber"] == "DE89370400440532013000"
    assert response.json()["sortCode"] is None


def test_xero_refuses_a_name_or_code_already_in_the_chart_of_accounts(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    save_document(
        linked_connection,
        Dataset.ACCOUNTS,
        {
            "id": "acc-1",
            "nominalCode": "22",
            "name": "Sales",
            "currency": "GBP",
            "status": "Active",
        },
    )
    ledger.post(f"{payables_path}/bankAccounts", json=account_body(nominalCode="90", name="Main"))

    by_name = ledger.post(
        f"{payables_path}/bankAccounts", json=account_body(nominalCode="91", name="main")
    )
    by_code = ledger.post(f"{payables_path}/bankAccounts", json=account_body(name="New"))

    assert messages(by_name) == ["Please enter a unique Name."]
    assert messages(by_code) == ["Please enter a unique Code."]


def test_qbo_creates_credit_accounts_with_numeric_ids(ledger: httpx.Client, qbo_path: str) -> None:
    card = ledger.post(
        f"{qbo_path}/bankAccounts",
        json=account_body(accountType="Credit", name="Card", currency="USD", accountNumber="4242"),
    )
    bank = ledger.post(
        f"{qbo_path}/bankAccounts",
        json=account_body(name="Checking", currency="USD", accountNumber="1"),
    )

    assert (card.status_code, bank.status_code) == (201, 201)
    assert (card.json()["id"], bank.json()["id"]) == ("1", "2")
    # QuickBooks keeps the numbers as given.
    assert card.json()["accountNumber"] == "4242"
    assert card.json()["sortCode"] == "50-50-50"


def test_qbo_refuses_a_duplicate_account_name(ledger: httpx.Client, qbo_path: str) -> None:
    ledger.post(f"{qbo_path}/bankAccounts", json=account_body(name="Checking"))

    response = ledger.post(f"{qbo_path}/bankAccounts", json=account_body(name="CHECKING"))

    assert response.status_code == 400
    assert messages(response) == [
        "Another account is already using this name. Please use a different name."
    ]


def test_create_bank_account_is_refused_on_a_deauthorized_connection(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    linked_connection.status = LedgerConnection.Status.DEAUTHORIZED
    linked_connection.save()

    response = ledger.post(f"{payables_path}/bankAccounts", json=SPEC_EXAMPLE)

    assert response.status_code == 400
    assert "Deauthorized" in response.json()["error"]
    assert not linked_connection.records.exists()
