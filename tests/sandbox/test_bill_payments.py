"""create-bill-payment through the raw API: arithmetic, statuses, currencies, idempotency, races."""

from __future__ import annotations

import re
import threading
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.db import connections

from sandbox.api.bills import bill_payments
from sandbox.api.records import get_document, save_document
from sandbox.models import Dataset, LedgerConnection, LedgerRecord
from sandbox.routers import SANDBOX_ALIAS
from sandbox.transport import sandbox_transport
from tests.sandbox.conftest import SANDBOX_BASE_URL, auth_header
from tests.sandbox.payables_data import (
    ARCHIVED_BANK,
    EUR_BANK,
    GBP_BANK,
    SUPPLIER,
    USD_BANK,
    add_reference_data,
    as_decimal,
    bank_doc,
    bill_body,
    create_bill,
    messages,
    send,
    store_bill,
    supplier_doc,
)
from tests.sandbox.spec_gaps import allow_docs_only_statuses
from tests.services import service_missing

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def connection(linked_connection: LedgerConnection) -> LedgerConnection:
    add_reference_data(linked_connection)
    return linked_connection


@pytest.fixture
def bill(ledger: httpx.Client, payables_path: str, connection: LedgerConnection) -> dict:
    """An Open GBP bill of 2160.00 for SUPPLIER, created through the API."""
    return create_bill(ledger, payables_path)


@pytest.fixture
def pay_path(payables_path: str, bill: dict) -> str:
    return f"{payables_path}/bills/{bill['id']}/payment"


def payment(amount: Any = "100.00", account: str = GBP_BANK, **fields: Any) -> dict[str, Any]:
    return {
        "amount": Decimal(amount) if isinstance(amount, str) else amount,
        "date": "2024-03-01T00:00:00.000Z",
        "accountRef": {"id": account},
        **fields,
    }


def pay(ledger: httpx.Client, path: str, body: Any, key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else None
    return send(ledger, "POST", path, body, headers=headers)


def stored_bill(connection: LedgerConnection, bill_id: str) -> dict[str, Any]:
    found = get_document(connection, Dataset.BILLS, bill_id)
    assert found is not None
    return found


def balance(connection: LedgerConnection) -> Decimal:
    supplier = get_document(connection, Dataset.SUPPLIERS, SUPPLIER)
    assert supplier is not None
    return supplier["balance"]


# --- The happy path -----------------------------------------------------------------------------


def test_payment_answers_201_with_the_bill_payment(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection
) -> None:
    response = pay(ledger, pay_path, payment("100.50", reference="Paid by billpay"))

    assert response.status_code == 201
    body = as_decimal(response)
    assert GUID.match(body["id"])
    assert body == {
        "id": body["id"],
        "amount": Decimal("100.50"),
        "date": "2024-03-01T00:00:00",
        "reference": "Paid by billpay",
        "accountRef": {"id": GBP_BANK},
        "currencyRate": 1,
    }
    assert bill_payments(connection, bill["id"]) == [body]
    record = LedgerRecord.objects.get(connection=connection, dataset=Dataset.BILL_PAYMENTS)
    assert record.parent_id == bill["id"]


def test_partial_then_full_payment_moves_the_bill_to_partially_paid_then_paid(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection
) -> None:
    first = pay(ledger, pay_path, payment("1000.01"))
    after_first = stored_bill(connection, bill["id"])
    second = pay(ledger, pay_path, payment("1159.99"))
    after_second = stored_bill(connection, bill["id"])

    assert first.status_code == second.status_code == 201
    assert after_first["status"] == "PartiallyPaid"
    assert after_first["amountDue"] == Decimal("1159.99")
    assert after_second["status"] == "Paid"
    assert after_second["amountDue"] == 0
    assert after_second["totalAmount"] == Decimal("2160.00")
    assert after_second["sourceModifiedDate"] >= bill["sourceModifiedDate"]
    assert [p["amount"] for p in bill_payments(connection, bill["id"])] == [
        Decimal("1000.01"),
        Decimal("1159.99"),
    ]


def test_a_paid_bill_leaves_the_default_list_but_is_found_by_status(
    ledger: httpx.Client, payables_path: str, pay_path: str, bill: dict
) -> None:
    pay(ledger, pay_path, payment("2160.00"))

    default = ledger.get(f"{payables_path}/bills")
    paid = ledger.get(f"{payables_path}/bills", params={"query": "status=Paid"})

    assert default.json()["results"] == []
    assert [b["id"] for b in paid.json()["results"]] == [bill["id"]]
    assert paid.json()["results"][0]["amountDue"] == 0


def test_a_partly_paid_bill_stays_in_the_default_list(
    ledger: httpx.Client, payables_path: str, pay_path: str, bill: dict
) -> None:
    pay(ledger, pay_path, payment("60.00"))

    listed = ledger.get(f"{payables_path}/bills").json()["results"]

    assert [(b["id"], b["status"], b["amountDue"]) for b in listed] == [
        (bill["id"], "PartiallyPaid", 2100)
    ]


def test_payments_reduce_the_suppliers_balance(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection
) -> None:
    assert balance(connection) == Decimal("2160.00")

    pay(ledger, pay_path, payment("160.00"))
    pay(ledger, pay_path, payment("2000.00"))

    assert balance(connection) == 0


# --- Refusals -----------------------------------------------------------------------------------


def test_empty_payment_reports_every_missing_field(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection
) -> None:
    response = pay(ledger, pay_path, {})

    assert response.status_code == 400
    assert messages(response) == [
        "`Amount` must not be empty.",
        "`Date` must not be empty.",
        "`Account Ref` must not be empty.",
    ]
    assert response.json()["validation"]["errors"][0]["validatorName"] == "BillPayment"
    assert stored_bill(connection, bill["id"]) == bill


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (payment(accountRef={}), "`Account Ref Id` must not be empty."),
        (payment(date="yesterday"), "`Date` must be a valid date."),
        ({**payment(), "amount": "12.5"}, "`Amount` must be a number."),
        (payment("0"), "`Amount` must be greater than `0`."),
        (payment("-5.00"), "`Amount` must be greater than `0`."),
        (payment("10.005"), "`Amount` must have at most 2 decimal places for GBP."),
        (payment("2160.01"), "`Amount` must be less than or equal to the amount due `2160.00`."),
        (payment(account="no-such-account"), "`Account Ref` was not found in Xero."),
        (payment(account=ARCHIVED_BANK), "`Account Ref` is archived in Xero."),
        (payment(currencyRate=0), "`Currency Rate` must be greater than `0`."),
        (
            payment(currencyRate=Decimal("1.0000000001")),
            "`Currency Rate` must have at most 9 decimal places.",
        ),
        (
            payment(account=USD_BANK),
            "The payment account's currency `USD` must be the bill's currency `GBP` or the "
            "base currency `GBP`.",
        ),
    ],
)
def test_payment_refused_with_a_message(
    ledger: httpx.Client,
    pay_path: str,
    bill: dict,
    connection: LedgerConnection,
    body: dict,
    message: str,
) -> None:
    response = pay(ledger, pay_path, body)

    assert response.status_code == 400
    assert messages(response) == [message]
    assert bill_payments(connection, bill["id"]) == []
    assert stored_bill(connection, bill["id"])["amountDue"] == Decimal("2160.00")
    assert balance(connection) == Decimal("2160.00")


def test_overpaying_after_a_partial_payment_is_refused(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection
) -> None:
    pay(ledger, pay_path, payment("2000.00"))

    response = pay(ledger, pay_path, payment("160.01"))

    assert messages(response) == ["`Amount` must be less than or equal to the amount due `160.00`."]
    assert stored_bill(connection, bill["id"])["amountDue"] == Decimal("160.00")


@pytest.mark.parametrize(
    ("status", "why"),
    [
        ("Paid", "it is already paid in full"),
        ("Void", "a voided bill cannot be paid"),
        ("Draft", "a draft bill must be approved (Open) before it can be paid"),
    ],
)
def test_paying_a_bill_that_is_not_outstanding_is_refused(
    ledger: httpx.Client,
    payables_path: str,
    connection: LedgerConnection,
    status: str,
    why: str,
) -> None:
    due = Decimal(0) if status in ("Paid", "Void") else Decimal("100.00")
    store_bill(connection, "b1", status=status, amountDue=due)

    response = pay(ledger, f"{payables_path}/bills/b1/payment", payment("10.00"))

    assert response.status_code == 400
    assert messages(response) == [f"Bill b1 is {status}: {why}."]
    assert bill_payments(connection, "b1") == []


def test_paying_an_unknown_bill_is_404(
    ledger: httpx.Client, payables_path: str, connection: LedgerConnection
) -> None:
    response = pay(ledger, f"{payables_path}/bills/nope/payment", payment())

    assert response.status_code == 404
    assert response.json()["error"] == "No data available for bills for ID nope"


# --- Currencies ---------------------------------------------------------------------------------


@pytest.fixture
def usd_bill(ledger: httpx.Client, payables_path: str, connection: LedgerConnection) -> dict:
    """A 2160.00 USD bill (rate 0.79 GBP per USD) for SUPPLIER, whose balance is in GBP."""
    response = send(
        ledger,
        "POST",
        f"{payables_path}/bills",
        bill_body(currency="USD", currencyRate=Decimal("0.79")),
    )
    assert response.status_code == 201
    return response.json()


def test_foreign_bill_paid_from_an_account_in_its_currency(
    ledger: httpx.Client, payables_path: str, usd_bill: dict
) -> None:
    path = f"{payables_path}/bills/{usd_bill['id']}/payment"

    without_rate = pay(ledger, path, payment("100.00", account=USD_BANK))
    with_rate = pay(ledger, path, payment("100.00", account=USD_BANK, currencyRate=Decimal("0.8")))

    assert without_rate.status_code == 201
    assert as_decimal(without_rate)["currencyRate"] == Decimal("0.79")  # the bill's rate
    assert with_rate.status_code == 201
    assert as_decimal(with_rate)["currencyRate"] == Decimal("0.8")


def test_foreign_bill_paid_from_a_base_currency_account_needs_a_rate(
    ledger: httpx.Client, payables_path: str, usd_bill: dict, connection: LedgerConnection
) -> None:
    path = f"{payables_path}/bills/{usd_bill['id']}/payment"

    without_rate = pay(ledger, path, payment("100.00", account=GBP_BANK))
    with_rate = pay(
        ledger, path, payment("100.00", account=GBP_BANK, currencyRate=Decimal("0.781"))
    )

    assert messages(without_rate) == [
        "`Currency Rate` must not be empty when the payment account's currency `GBP` differs "
        "from the bill's currency `USD`."
    ]
    assert with_rate.status_code == 201
    # amount stays in the bill's currency (spec BillPayment.amount); the rate converts it.
    assert as_decimal(with_rate)["amount"] == Decimal("100.00")
    assert as_decimal(with_rate)["currencyRate"] == Decimal("0.781")
    assert stored_bill(connection, usd_bill["id"])["amountDue"] == Decimal("2060.00")


def test_no_payment_between_two_non_base_currencies(
    ledger: httpx.Client, payables_path: str, usd_bill: dict
) -> None:
    path = f"{payables_path}/bills/{usd_bill['id']}/payment"

    response = pay(ledger, path, payment("100.00", account=EUR_BANK, currencyRate=Decimal("1.1")))

    assert messages(response) == [
        "The payment account's currency `EUR` must be the bill's currency `USD` or the base "
        "currency `GBP`."
    ]


def test_a_foreign_currency_payment_leaves_a_gbp_balance_alone(
    ledger: httpx.Client, payables_path: str, usd_bill: dict, connection: LedgerConnection
) -> None:
    pay(ledger, f"{payables_path}/bills/{usd_bill['id']}/payment", payment(account=USD_BANK))

    assert balance(connection) == 0


def test_currency_decimals_follow_the_bills_currency(
    ledger: httpx.Client, payables_path: str, connection: LedgerConnection
) -> None:
    connection.base_currency = "JPY"
    connection.save()
    store_bill(
        connection, "yen", currency="JPY", totalAmount=Decimal(5000), amountDue=Decimal(5000)
    )
    path = f"{payables_path}/bills/yen/payment"
    save_document(
        connection, Dataset.BANK_ACCOUNTS, bank_doc("jpy-bank", "JPY", "JPY", sortCode=None)
    )

    fraction = pay(ledger, path, payment("100.5", account="jpy-bank"))
    whole = pay(ledger, path, payment(Decimal(5000), account="jpy-bank"))

    assert messages(fraction) == ["`Amount` must have at most 0 decimal places for JPY."]
    assert whole.status_code == 201
    assert stored_bill(connection, "yen")["status"] == "Paid"


# --- Idempotency ----------------------------------------------------------------------------------


def test_the_same_key_pays_once_and_replays_the_answer(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection
) -> None:
    key = str(uuid.uuid4())

    first = pay(ledger, pay_path, payment("500.00"), key=key)
    again = pay(ledger, pay_path, payment("500.00"), key=key)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(bill_payments(connection, bill["id"])) == 1
    assert stored_bill(connection, bill["id"])["amountDue"] == Decimal("1660.00")
    assert balance(connection) == Decimal("1660.00")


def test_a_used_key_with_another_body_is_422_and_pays_nothing(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection, settings: Any
) -> None:
    allow_docs_only_statuses(settings)
    key = str(uuid.uuid4())
    pay(ledger, pay_path, payment("500.00"), key=key)

    response = pay(ledger, pay_path, payment("600.00"), key=key)

    assert response.status_code == 422
    assert len(bill_payments(connection, bill["id"])) == 1


def test_a_refusal_is_replayed_too(
    ledger: httpx.Client, pay_path: str, bill: dict, connection: LedgerConnection
) -> None:
    key = str(uuid.uuid4())

    first = pay(ledger, pay_path, payment("9999.00"), key=key)
    again = pay(ledger, pay_path, payment("9999.00"), key=key)

    assert first.status_code == again.status_code == 400
    assert again.headers["idempotent-replayed"] == "true"


# --- Races (PostgreSQL: SELECT ... FOR UPDATE makes concurrent payments queue) ------------------


@pytest.mark.postgres
@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_concurrent_payments_can_never_overpay(linked_connection: LedgerConnection) -> None:
    if connections[SANDBOX_ALIAS].vendor != "postgresql":
        service_missing("PostgreSQL", "the sandbox database is not PostgreSQL")
    add_reference_data(linked_connection)
    store_bill(
        linked_connection, "race", totalAmount=Decimal("100.00"), amountDue=Decimal("100.00")
    )
    save_document(
        linked_connection,
        Dataset.SUPPLIERS,
        supplier_doc(SUPPLIER, "DIISR - Small Business Services", balance=Decimal("100.00")),
    )
    path = (
        f"/companies/{linked_connection.company_id}/connections/{linked_connection.id}"
        "/payables/bills/race/payment"
    )
    results: list[int] = []
    start = threading.Barrier(8)

    def attempt() -> None:
        try:
            with httpx.Client(
                base_url=SANDBOX_BASE_URL, transport=sandbox_transport(), headers=auth_header()
            ) as client:
                start.wait()
                results.append(pay(client, path, payment("30.00")).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # 3 x 30.00 fit into 100.00; a fourth would overpay.
    assert sorted(results) == [201] * 3 + [400] * 5
    bill = get_document(linked_connection, Dataset.BILLS, "race")
    assert bill is not None
    assert (bill["amountDue"], bill["status"]) == (Decimal("10.00"), "PartiallyPaid")
    assert len(bill_payments(linked_connection, "race")) == 3
    assert balance(linked_connection) == Decimal("10.00")
