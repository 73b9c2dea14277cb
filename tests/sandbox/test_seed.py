"""The deterministic demo data (sandbox.seed) and the sandbox_seed command."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sandbox.api.base import loads
from sandbox.api.bills import line_total
from sandbox.models import Dataset, LedgerCompany, LedgerConnection, LedgerRecord
from sandbox.seed import seed_company, seed_connection

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DAY = dt.date(2026, 6, 15)


def new_connection(name: str = "Seeded Ltd", **fields: Any) -> LedgerConnection:
    company = LedgerCompany.objects.create(name=name)
    return LedgerConnection.objects.create(
        company=company, platform_key="gbol", status=LedgerConnection.Status.LINKED, **fields
    )


def stored(connection: LedgerConnection, dataset: str | None = None) -> list[tuple[str, str, str]]:
    """(dataset, record id, document) in insertion order."""
    rows = LedgerRecord.objects.filter(connection=connection).order_by("id")
    if dataset:
        rows = rows.filter(dataset=dataset)
    return list(rows.values_list("dataset", "record_id", "document"))


def docs(connection: LedgerConnection, dataset: str) -> list[dict[str, Any]]:
    return [loads(raw) for _d, _id, raw in stored(connection, dataset)]


@pytest.fixture
def ledger_200() -> LedgerConnection:
    """200 bills, 30 suppliers, seed 7, on a fixed day."""
    connection = new_connection()
    seed_connection(connection, bills=200, suppliers=30, seed=7, today=DAY)
    return connection


# --- Determinism ----------------------------------------------------------------------------------


def test_same_seed_and_day_give_identical_documents() -> None:
    first, second = new_connection("One Ltd"), new_connection("Two Ltd")

    seed_connection(first, bills=80, suppliers=12, seed=42, today=DAY)
    seed_connection(second, bills=80, suppliers=12, seed=42, today=DAY)

    assert stored(first) == stored(second)
    assert len(stored(first)) > 80 + 12


def test_another_seed_gives_other_documents() -> None:
    first, second = new_connection("One Ltd"), new_connection("Two Ltd")

    seed_connection(first, bills=20, suppliers=5, seed=1, today=DAY)
    seed_connection(second, bills=20, suppliers=5, seed=2, today=DAY)

    assert stored(first, Dataset.BILLS) != stored(second, Dataset.BILLS)


def test_summary_counts_what_was_written() -> None:
    connection = new_connection()

    summary = seed_connection(connection, bills=60, suppliers=15, seed=3, today=DAY)

    counts = Counter(
        LedgerRecord.objects.filter(connection=connection).values_list("dataset", flat=True)
    )
    assert (summary.bills, summary.suppliers) == (60, 15)
    assert counts[Dataset.BILLS] == 60
    assert counts[Dataset.SUPPLIERS] == 15
    assert counts[Dataset.ACCOUNTS] == summary.accounts
    assert counts[Dataset.TAX_RATES] == summary.tax_rates
    assert counts[Dataset.BANK_ACCOUNTS] == summary.bank_accounts
    assert counts[Dataset.BILL_PAYMENTS] == summary.payments
    assert sum(summary.bills_by_status.values()) == 60
    by_status = Counter(b["status"] for b in docs(connection, Dataset.BILLS))
    assert by_status == Counter({k: v for k, v in summary.bills_by_status.items() if v})


# --- Realism --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bills", [5, 6, 60])
def test_every_status_is_present(bills: int) -> None:
    connection = new_connection()

    summary = seed_connection(connection, bills=bills, suppliers=3, seed=bills, today=DAY)

    assert all(
        summary.bills_by_status[s] >= 1 for s in ("Open", "PartiallyPaid", "Paid", "Void", "Draft")
    )


def test_most_bills_are_outstanding(ledger_200: LedgerConnection) -> None:
    statuses = Counter(b["status"] for b in docs(ledger_200, Dataset.BILLS))

    assert statuses["Open"] + statuses["PartiallyPaid"] > 200 / 2
    assert statuses["Open"] > statuses["Void"]
    assert statuses["Open"] > statuses["Draft"]


def test_dates_span_the_last_120_days_and_some_bills_are_overdue(
    ledger_200: LedgerConnection,
) -> None:
    bills = docs(ledger_200, Dataset.BILLS)
    issued = [dt.date.fromisoformat(b["issueDate"][:10]) for b in bills]
    due = [dt.date.fromisoformat(b["dueDate"][:10]) for b in bills]
    overdue = [
        b for b, d in zip(bills, due, strict=True)
        if b["status"] in ("Open", "PartiallyPaid") and d < DAY
    ]  # fmt: skip

    assert min(issued) >= DAY - dt.timedelta(days=120)
    assert max(issued) < DAY
    assert max(issued) - min(issued) > dt.timedelta(days=90)
    assert overdue
    assert any(d >= DAY for d in due)
    assert all(b["issueDate"].endswith("T00:00:00") for b in bills)
    assert all(d >= i for i, d in zip(issued, due, strict=True))
    assert all(b["sourceModifiedDate"] < DAY.isoformat() for b in bills)
    assert issued == sorted(issued)  # listed oldest first


def test_bill_arithmetic_is_exact(ledger_200: LedgerConnection) -> None:
    payments: dict[str, list[Decimal]] = defaultdict(list)
    for record in LedgerRecord.objects.filter(connection=ledger_200, dataset=Dataset.BILL_PAYMENTS):
        payments[record.parent_id].append(loads(record.document)["amount"])

    for bill in docs(ledger_200, Dataset.BILLS):
        lines = bill["lineItems"]
        assert 1 <= len(lines) <= 5
        for line in lines:
            expected = line_total(
                line["unitAmount"], line["quantity"], line["taxAmount"], bill["currency"]
            )
            assert line["totalAmount"] == expected
            assert isinstance(line["totalAmount"], Decimal)
        total = sum((line["totalAmount"] for line in lines), Decimal(0))
        assert bill["totalAmount"] == total > 0
        paid = sum(payments.get(bill["id"], []), Decimal(0))
        status = bill["status"]
        if status in ("Open", "Draft"):
            assert (bill["amountDue"], paid) == (total, 0)
        elif status == "Void":
            assert (bill["amountDue"], paid) == (0, 0)
        elif status == "PartiallyPaid":
            assert 0 < bill["amountDue"] < total
            assert paid == total - bill["amountDue"]
        else:
            assert (bill["amountDue"], paid) == (0, total)


def test_foreign_bills_carry_a_rate_and_are_paid_from_their_currency(
    ledger_200: LedgerConnection,
) -> None:
    bills = docs(ledger_200, Dataset.BILLS)
    banks = {b["id"]: b for b in docs(ledger_200, Dataset.BANK_ACCOUNTS)}
    by_bill = defaultdict(list)
    for record in LedgerRecord.objects.filter(connection=ledger_200, dataset=Dataset.BILL_PAYMENTS):
        by_bill[record.parent_id].append(loads(record.document))

    foreign = [b for b in bills if b["currency"] != "GBP"]
    assert {b["currency"] for b in foreign} == {"USD", "EUR"}
    assert all(Decimal("0.7") < b["currencyRate"] < Decimal("0.9") for b in foreign)
    assert all(b["currencyRate"] == 1 for b in bills if b["currency"] == "GBP")
    for bill in bills:
        for payment in by_bill[bill["id"]]:
            account = banks[payment["accountRef"]["id"]]
            assert account["currency"] == bill["currency"]
            assert account["status"] == "Active"


def test_supplier_balances_equal_their_outstanding_bills(ledger_200: LedgerConnection) -> None:
    outstanding: dict[str, Decimal] = defaultdict(Decimal)
    for bill in docs(ledger_200, Dataset.BILLS):
        if bill["status"] in ("Open", "PartiallyPaid"):
            outstanding[bill["supplierRef"]["id"]] += bill["amountDue"]
        supplier_currency = next(
            s["defaultCurrency"]
            for s in docs(ledger_200, Dataset.SUPPLIERS)
            if s["id"] == bill["supplierRef"]["id"]
        )
        assert bill["currency"] == supplier_currency

    for supplier in docs(ledger_200, Dataset.SUPPLIERS):
        assert supplier["balance"] == outstanding[supplier["id"]]


def test_suppliers_look_like_a_uk_business_contact_list() -> None:
    connection = new_connection()
    seed_connection(connection, bills=50, suppliers=60, seed=5, today=DAY)
    suppliers = docs(connection, Dataset.SUPPLIERS)

    names = [s["supplierName"] for s in suppliers]
    assert len(set(names)) == len(names)
    assert all(GUID.match(s["id"]) for s in suppliers)
    assert all(re.match(r"^[a-z]+\.[a-z]+@[a-z]+\.[a-z.]+$", s["emailAddress"]) for s in suppliers)
    assert all(s["contactName"] and s["phone"] for s in suppliers)
    uk = [s for s in suppliers if s["defaultCurrency"] == "GBP"]
    assert all(s["addresses"][0]["country"] == "GB" for s in uk)
    assert all(
        re.match(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$", s["addresses"][0]["postalCode"])
        for s in uk
    )
    assert {s["status"] for s in suppliers} == {"Active", "Archived"}
    archived = {s["id"] for s in suppliers if s["status"] == "Archived"}
    for bill in docs(connection, Dataset.BILLS):
        if bill["status"] in ("Open", "PartiallyPaid", "Draft"):
            assert bill["supplierRef"]["id"] not in archived


def test_chart_of_accounts_tax_rates_and_bank_accounts(ledger_200: LedgerConnection) -> None:
    accounts = docs(ledger_200, Dataset.ACCOUNTS)
    rates = {r["code"]: r for r in docs(ledger_200, Dataset.TAX_RATES)}
    banks = docs(ledger_200, Dataset.BANK_ACCOUNTS)

    assert {"Expense", "Direct Costs", "Current Liability", "Fixed Asset"} <= {
        a["type"] for a in accounts
    }
    assert sum(a["status"] == "Archived" for a in accounts) == 2
    assert all(GUID.match(a["id"]) for a in accounts)
    assert (rates["INPUT2"]["effectiveTaxRate"], rates["RRINPUT"]["effectiveTaxRate"]) == (20, 5)
    assert rates["NONE"]["effectiveTaxRate"] == rates["ZERORATEDINPUT"]["effectiveTaxRate"] == 0
    assert [r["status"] for r in rates.values()].count("Archived") == 1
    assert rates["INPUT2"]["id"] == "INPUT2"  # Xero's tax rate ids are its codes
    active = [b for b in banks if b["status"] == "Active"]
    assert Counter(b["currency"] for b in active if b["accountType"] == "Debit") == Counter(
        {"GBP": 2, "USD": 1, "EUR": 1}
    )
    assert [b["status"] for b in banks].count("Archived") == 1


def test_seeded_bills_only_use_active_accounts_and_rates(ledger_200: LedgerConnection) -> None:
    active_accounts = {
        a["id"]
        for a in docs(ledger_200, Dataset.ACCOUNTS)
        if a["status"] == "Active" and a["type"] in ("Expense", "Direct Costs")
    }
    active_rates = {r["id"] for r in docs(ledger_200, Dataset.TAX_RATES) if r["status"] == "Active"}

    for bill in docs(ledger_200, Dataset.BILLS):
        for line in bill["lineItems"]:
            assert line["accountRef"]["id"] in active_accounts
            assert line["taxRateRef"]["id"] in active_rates


def test_qbo_flavour_uses_numeric_ids() -> None:
    _company, connection = seed_company(
        name="Quick Ltd", bills=10, suppliers=3, seed=1, platform_key="qhyg"
    )

    bills = docs(connection, Dataset.BILLS)
    assert sorted(int(b["id"]) for b in bills) == list(range(1, 11))
    assert all(s["id"].isdigit() for s in docs(connection, Dataset.SUPPLIERS))


# --- Connection and company -----------------------------------------------------------------------


def test_seeding_names_the_organisation_when_blank() -> None:
    connection = new_connection("Blank Org Ltd", organisation_name="")

    seed_connection(connection, bills=1, suppliers=1, seed=1, today=DAY)

    connection.refresh_from_db()
    assert (connection.organisation_name, connection.base_currency) == ("Blank Org Ltd", "GBP")


def test_seeding_keeps_an_organisation_name() -> None:
    connection = new_connection(organisation_name="Xero Org Ltd")

    seed_connection(connection, bills=1, suppliers=1, seed=1, today=DAY)

    connection.refresh_from_db()
    assert connection.organisation_name == "Xero Org Ltd"


def test_seeding_twice_is_refused() -> None:
    connection = new_connection()
    seed_connection(connection, bills=1, suppliers=1, seed=1, today=DAY)

    with pytest.raises(ValueError, match="already has records"):
        seed_connection(connection, bills=1, suppliers=1, seed=1, today=DAY)


def test_bills_need_a_supplier() -> None:
    with pytest.raises(ValueError, match="supplier"):
        seed_connection(new_connection(), bills=1, suppliers=0, seed=1)


def test_seed_company_makes_a_linked_ready_connection() -> None:
    company, connection = seed_company(name="Demo Ltd", bills=30, suppliers=6, seed=9)

    connection.refresh_from_db()
    assert company.name == "Demo Ltd"
    assert connection.company_id == company.id
    assert connection.status == LedgerConnection.Status.LINKED
    assert connection.seeded
    assert connection.organisation_name == "Demo Ltd"
    assert LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS).count() == 30


def test_seeded_data_is_served_as_the_spec_says(ledger: httpx.Client) -> None:
    """Every seeded record goes through the suite's spec validator on the way out."""
    _company, connection = seed_company(name="Demo Ltd", bills=150, suppliers=20, seed=11)
    base = f"/companies/{connection.company_id}/connections/{connection.id}/payables"
    everything = "status=Open||status=PartiallyPaid||status=Paid||status=Void||status=Draft"

    served = []
    params: dict[str, str] = {"query": everything}
    while True:
        page = ledger.get(f"{base}/bills", params=params)
        assert page.status_code == 200
        served += page.json()["results"]
        token = page.json()["pagination"].get("continuationToken")
        if not token:
            break
        params = {"query": everything, "continuationToken": token}
    options = ledger.get(
        f"{base}/mappingOptions/bills", params={"statusQuery": "status=Active||status=Archived"}
    )
    banks = ledger.get(f"{base}/mappingOptions/payments")

    assert len(served) == 150
    assert options.status_code == banks.status_code == 200
    assert len(banks.json()["bankAccounts"]) == 5
    # The credit card's 4 digits and GBP sort code do not make 14: Xero masks them.
    card = next(b for b in banks.json()["bankAccounts"] if b["name"] == "Company Credit Card")
    assert (card["sortCode"], card["accountNumber"]) == (None, None)


def test_a_seeded_bill_can_be_paid_through_the_api(ledger: httpx.Client) -> None:
    _company, connection = seed_company(name="Demo Ltd", bills=40, suppliers=5, seed=4)
    base = f"/companies/{connection.company_id}/connections/{connection.id}/payables"
    bill = next(b for b in ledger.get(f"{base}/bills").json()["results"] if b["currency"] == "GBP")
    bank = next(
        b
        for b in ledger.get(f"{base}/mappingOptions/payments").json()["bankAccounts"]
        if b["currency"] == "GBP" and b["accountType"] == "Debit"
    )

    response = ledger.post(
        f"{base}/bills/{bill['id']}/payment",
        content=f'{{"amount":{bill["amountDue"]},"date":"2026-01-01","accountRef":{{"id":"{bank["id"]}"}}}}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 201
    paid = ledger.get(f"{base}/bills", params={"query": f"id={bill['id']}"}).json()["results"]
    assert paid[0]["status"] == "Paid"


def test_ten_thousand_bills_seed_in_seconds() -> None:
    started = time.perf_counter()

    _company, connection = seed_company(name="Big Ltd", bills=10_000, suppliers=300, seed=1)

    elapsed = time.perf_counter() - started
    assert (
        LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS).count() == 10_000
    )
    assert elapsed < 30, f"seeding 10,000 bills took {elapsed:.1f}s"


# --- The sandbox_seed command ---------------------------------------------------------------------


def test_command_prints_ids_and_a_summary() -> None:
    out = io.StringIO()

    call_command(
        "sandbox_seed", "--bills", "25", "--suppliers", "5", "--seed", "3", "--name", "Demo Ltd",
        stdout=out,
    )  # fmt: skip

    text = out.getvalue()
    company_id = re.search(r"^company_id=(\S+)$", text, re.M)
    connection_id = re.search(r"^connection_id=(\S+)$", text, re.M)
    assert company_id is not None
    assert connection_id is not None
    connection = LedgerConnection.objects.get(pk=connection_id.group(1))
    assert str(connection.company_id) == company_id.group(1)
    assert connection.company.name == "Demo Ltd"
    assert connection.platform_key == "gbol"
    assert "25 bills (" in text
    assert "5 suppliers" in text
    for status in ("Open", "PartiallyPaid", "Paid", "Void", "Draft"):
        assert re.search(rf"\d+ {status}\b", text)


def test_command_is_deterministic_for_a_seed() -> None:
    def run() -> LedgerConnection:
        out = io.StringIO()
        call_command("sandbox_seed", "--bills", "10", "--suppliers", "3", "--seed", "8", stdout=out)
        found = re.search(r"^connection_id=(\S+)$", out.getvalue(), re.M)
        assert found is not None
        return LedgerConnection.objects.get(pk=found.group(1))

    first, second = run(), run()

    assert stored(first, Dataset.BILLS) == stored(second, Dataset.BILLS)


def test_command_takes_a_platform() -> None:
    out = io.StringIO()

    call_command(
        "sandbox_seed", "--bills", "3", "--suppliers", "1", "--platform", "qhyg", stdout=out
    )

    connection_id = re.search(r"^connection_id=(\S+)$", out.getvalue(), re.M)
    assert connection_id is not None
    assert LedgerConnection.objects.get(pk=connection_id.group(1)).platform_key == "qhyg"


@pytest.mark.parametrize(
    "args",
    [["--bills", "-1"], ["--bills", "3", "--suppliers", "0"], ["--platform", "x"]],
)
def test_command_refuses_bad_arguments(args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("sandbox_seed", *args, stdout=io.StringIO())

    assert not LedgerCompany.objects.exists()


def test_the_reference_day_defaults_to_today() -> None:
    connection = new_connection()
    seed_connection(connection, bills=20, suppliers=3, seed=1)

    today = timezone.now().astimezone(dt.UTC).date()
    issued = [dt.date.fromisoformat(b["issueDate"][:10]) for b in docs(connection, Dataset.BILLS)]
    assert all(today - dt.timedelta(days=120) <= day < today for day in issued)


def test_seed_can_hold_only_unpaid_bills_with_fixed_lines() -> None:
    _company, connection = seed_company(
        name="Bench Ltd",
        bills=40,
        suppliers=5,
        seed=3,
        statuses=("Open", "PartiallyPaid"),
        lines_per_bill=3,
    )

    bills = [
        loads(r.document)
        for r in LedgerRecord.objects.filter(connection=connection, dataset="bills")
    ]
    assert len(bills) == 40
    assert {b["status"] for b in bills} == {"Open", "PartiallyPaid"}
    assert all(len(b["lineItems"]) == 3 for b in bills)


def test_seed_refuses_an_unknown_status() -> None:
    with pytest.raises(ValueError, match="statuses"):
        seed_company(name="Bench Ltd", bills=1, suppliers=1, seed=3, statuses=("Pending",))
