"""The deterministic demo data (sandbox.seed) and the sandbox_seed command."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from codat.platforms import (
    NO_VOID_OR_DRAFT,
    PLATFORMS,
    IdFormat,
    SupplierCurrency,
    Tax,
    rules_for,
)
from payables.services.bills import EXPENSE_ACCOUNT_TYPES
from sandbox.api.base import dumps, loads
from sandbox.api.bills import line_total
from sandbox.models import Dataset, LedgerCompany, LedgerConnection, LedgerRecord
from sandbox.seed import seed_company, seed_connection
from sandbox.seed.data import FOREIGN_CATEGORY
from sandbox.seed.profiles import PROFILES
from tests.ledger_spec import validation_stats

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
    "platform_key", ["gbol", "qhyg", "akxx", "knfz", "fbrh", "rwuv", "ndsk", "mqjo"]
)
def test_command_seeds_every_platform_as_it_keeps_its_ledger(platform_key: str) -> None:
    out = io.StringIO()

    call_command(
        "sandbox_seed", "--bills", "6", "--suppliers", "2", "--platform", platform_key, stdout=out
    )

    found = re.search(r"^connection_id=(\S+)$", out.getvalue(), re.M)
    assert found is not None
    connection = LedgerConnection.objects.get(pk=found.group(1))
    rules = rules_for(platform_key)
    assert (connection.platform_key, connection.base_currency) == (
        platform_key,
        rules.base_currency,
    )
    statuses = re.findall(r"\d+ (Open|PartiallyPaid|Paid|Void|Draft)\b", out.getvalue())
    assert statuses == list(rules.bill_statuses)


def test_command_names_the_platform_keys_it_takes() -> None:
    with pytest.raises(CommandError) as refused:
        call_command("sandbox_seed", "--platform", "abcd", stdout=io.StringIO())

    assert str(refused.value).startswith("Unknown platform key 'abcd': use one of gbol (Xero), ")
    assert "rwuv (Zoho Books)" in str(refused.value)
    assert not LedgerCompany.objects.exists()


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


# --- Each platform's ledger -----------------------------------------------------------------------

PLATFORM_KEYS = [rules.key for rules in PLATFORMS]
ID_SHAPES = {
    IdFormat.GUID: GUID,
    IdFormat.COUNTER: re.compile(r"^[1-9][0-9]{0,5}$"),
    IdFormat.INTERNAL_ID: re.compile(r"^[1-9][0-9]{2,6}$"),
    IdFormat.LONG_NUMBER: re.compile(r"^[1-9][0-9]{15,}$"),
}
# The datasets of a Ids field, and the field of a record that a CODE id is.
ID_FIELDS = {
    Dataset.SUPPLIERS: ("suppliers", None),
    Dataset.BILLS: ("bills", None),
    Dataset.ACCOUNTS: ("accounts", "nominalCode"),
    Dataset.TAX_RATES: ("tax_rates", "code"),
    Dataset.BANK_ACCOUNTS: ("bank_accounts", None),
    Dataset.BILL_PAYMENTS: ("payments", None),
}
FOREIGN = {"GBP": {"USD", "EUR"}, "USD": {"EUR", "GBP"}, "INR": {"USD", "EUR"}}
# Bank account types: what the platform creates, and a card where it has them (Xero has card
# accounts it cannot create; Sage Intacct keeps cards apart from its bank accounts).
BANK_TYPES = {
    "gbol": {"Debit", "Credit"},
    "qhyg": {"Debit", "Credit"},
    "akxx": {"Debit", "Credit"},
    "knfz": {"Debit"},
    "fbrh": {"Debit", "Credit"},
    "rwuv": {"Debit", "Credit"},
}
LINE_FIELDS = ("description", "unitAmount", "quantity", "taxAmount", "totalAmount")


def platform_ledger(
    platform_key: str, *, bills: int = 60, suppliers: int = 12, seed: int = 5
) -> LedgerConnection:
    _company, connection = seed_company(
        name="Platform Ltd", bills=bills, suppliers=suppliers, seed=seed, platform_key=platform_key
    )
    return connection


def prototype(bill: dict[str, Any]) -> bytes:
    """A seeded bill as the billPrototype a client would send for it."""
    return dumps(
        {
            "reference": bill["reference"],
            "supplierRef": {"id": bill["supplierRef"]["id"]},
            "issueDate": bill["issueDate"],
            "dueDate": bill["dueDate"],
            "currency": bill["currency"],
            "currencyRate": bill["currencyRate"],
            "status": "Open",
            "lineItems": [
                {
                    **{name: line[name] for name in LINE_FIELDS},
                    "accountRef": line["accountRef"],
                    # null where the line has none, as billpay's client sends it
                    "taxRateRef": line.get("taxRateRef"),
                }
                for line in bill["lineItems"]
            ],
        }
    )


def is_sales_rate(rate: dict[str, Any]) -> bool:
    """billpay's test for a sales rate (payables.services.bills.tax_rate_valid_for_account)."""
    label = f"{rate['code']} {rate['name']}".lower()
    return rate["code"].upper().startswith("OUTPUT") or "income" in label or "sales" in label


def test_every_profile_codes_its_locales_bills_to_active_expense_accounts_and_purchase_rates() -> (
    None
):
    for key, profile in PROFILES.items():
        rules = rules_for(key)
        accounts = {a.key: a for a in profile.accounts}
        rates = {r.code: r for r in profile.tax_rates}
        lines = [line for c in (*profile.locale.categories, FOREIGN_CATEGORY) for line in c.lines]
        for _description, purpose, tax_class in lines:
            account = accounts[profile.account_for[purpose]]
            assert account.status == "Active", (key, purpose)
            assert account.type.lower() in EXPENSE_ACCOUNT_TYPES, (key, account)
            code = profile.tax_for[tax_class]
            if code is None:
                # A line without a rate: FreeAgent's always, Zoho's where it is untaxed.
                assert rules.tax is Tax.AMOUNT_ONLY or (
                    rules.tax is Tax.RATE_WHEN_TAXED and profile.locale.tax_percent[tax_class] == 0
                ), (key, tax_class)
                continue
            for charged in (code, profile.out_of_region_tax.get(code, code)):
                rate = rates[charged]
                assert rate.status == "Active", (key, charged)
                assert not is_sales_rate({"code": rate.code, "name": rate.name}), (key, charged)
        assert len({a.key for a in profile.accounts}) == len(profile.accounts)
        assert len(rates) == len(profile.tax_rates)


@pytest.mark.parametrize("platform_key", PLATFORM_KEYS)
def test_a_platforms_ledger_has_its_statuses_currencies_and_ids(platform_key: str) -> None:
    rules = rules_for(platform_key)
    connection = platform_ledger(platform_key)

    connection.refresh_from_db()
    base = rules.base_currency
    assert connection.base_currency == base
    bills = docs(connection, Dataset.BILLS)
    assert {b["status"] for b in bills} == set(rules.bill_statuses)
    for dataset, (ids_field, code_field) in ID_FIELDS.items():
        fmt = getattr(rules.ids, ids_field)
        for document in docs(connection, dataset):
            if fmt is IdFormat.CODE:
                assert document["id"] == document[code_field], (dataset, document)
            else:
                assert ID_SHAPES[fmt].match(document["id"]), (dataset, fmt, document["id"])
    assert {a["currency"] for a in docs(connection, Dataset.ACCOUNTS)} == {base}
    banks = docs(connection, Dataset.BANK_ACCOUNTS)
    assert {b["currency"] for b in banks} == {base} | FOREIGN[base]
    assert {b["accountType"] for b in banks} == BANK_TYPES[platform_key]
    if rules.bank_account_code_required:
        assert all(b["nominalCode"] for b in banks)
    assert base in {b["currency"] for b in bills} <= {base} | FOREIGN[base]


@pytest.mark.parametrize("platform_key", PLATFORM_KEYS)
def test_a_platforms_bills_keep_its_rules(platform_key: str) -> None:
    rules = rules_for(platform_key)
    connection = platform_ledger(platform_key, bills=120)
    suppliers = {s["id"]: s for s in docs(connection, Dataset.SUPPLIERS)}
    rates = {r["id"]: r for r in docs(connection, Dataset.TAX_RATES)}

    for supplier in suppliers.values():
        if rules.supplier_currency is SupplierCurrency.BASE_ONLY:
            assert supplier["defaultCurrency"] == rules.base_currency
        else:
            assert (
                supplier["defaultCurrency"] in {rules.base_currency} | FOREIGN[rules.base_currency]
            )
    references: set[tuple[str, str]] = set()
    for bill in docs(connection, Dataset.BILLS):
        supplier = suppliers[bill["supplierRef"]["id"]]
        if rules.bill_currency_matches_supplier:
            assert bill["currency"] == supplier["defaultCurrency"]
        assert len(bill["reference"]) <= rules.max_reference_length
        assert (supplier["id"], bill["reference"]) not in references
        references.add((supplier["id"], bill["reference"]))
        assert bill["dueDate"] >= bill["issueDate"]
        assert len(bill["lineItems"]) <= (rules.max_line_items or 5)
        for line in bill["lineItems"]:
            ref = line.get("taxRateRef")
            if rules.tax is Tax.AMOUNT_ONLY:
                assert ref is None
            elif rules.tax.rate_required or line["taxAmount"] != 0:
                assert ref is not None
            if ref is not None:
                assert not is_sales_rate(rates[ref["id"]])
    if rules.tax is Tax.AMOUNT_ONLY:
        # Tax is still charged, in taxAmount alone.
        assert any(
            line["taxAmount"] > 0
            for b in docs(connection, Dataset.BILLS)
            for line in b["lineItems"]
        )


@pytest.mark.parametrize("platform_key", PLATFORM_KEYS)
def test_every_open_bill_resent_passes_the_sandboxs_own_validation(
    platform_key: str, ledger: httpx.Client
) -> None:
    """The seed and the platform's rules agree: each Open bill, sent back as a prototype, is what
    the sandbox accepts (as an update of itself, and as a new bill wherever a reference may
    repeat; where it may not, the repeat is the one thing refused)."""
    rules = rules_for(platform_key)
    connection = platform_ledger(platform_key)
    base = f"/companies/{connection.company_id}/connections/{connection.id}/payables"
    headers = {"content-type": "application/json"}
    open_bills = [b for b in docs(connection, Dataset.BILLS) if b["status"] == "Open"]
    assert open_bills

    for bill in open_bills:
        updated = ledger.put(f"{base}/bills/{bill['id']}", content=prototype(bill), headers=headers)
        assert updated.status_code == 200, (bill, updated.json())
        served = loads(updated.content)
        assert served["lineItems"] == bill["lineItems"]
        assert (served["totalAmount"], served["amountDue"]) == (
            bill["totalAmount"],
            bill["amountDue"],
        )

        created = ledger.post(f"{base}/bills", content=prototype(bill), headers=headers)
        if rules.unique_reference_per_supplier:
            assert created.status_code == 400
            errors = created.json()["validation"]["errors"]
            assert [e["message"] for e in errors] == [rules.messages.duplicate_reference]
        else:
            assert created.status_code == 201, (bill, created.json())


@pytest.mark.parametrize("platform_key", PLATFORM_KEYS)
def test_a_platforms_seeded_lists_are_served_as_the_spec_says(
    platform_key: str, ledger: httpx.Client
) -> None:
    """Every list of a platform's seeded ledger goes through the suite's spec validator."""
    connection = platform_ledger(platform_key)
    base = f"/companies/{connection.company_id}/connections/{connection.id}/payables"
    every_status = "||".join(f"status={s}" for s in rules_for(platform_key).bill_statuses)
    checked_before = validation_stats().total

    responses = [
        ledger.get(f"{base}/bills", params={"query": every_status}),
        ledger.get(f"{base}/bills"),
        ledger.get(f"{base}/suppliers"),
        ledger.get(
            f"{base}/mappingOptions/bills", params={"statusQuery": "status=Active||status=Archived"}
        ),
        ledger.get(
            f"{base}/mappingOptions/payments",
            params={"statusQuery": "status=Active||status=Archived"},
        ),
    ]

    assert [r.status_code for r in responses] == [200] * len(responses)
    assert validation_stats().total - checked_before == len(responses)
    assert len(responses[0].json()["results"]) == 60
    options = responses[3].json()
    assert len(options["accounts"]) == len(PROFILES[platform_key].accounts)
    assert len(options["taxRates"]) == len(PROFILES[platform_key].tax_rates)


@pytest.mark.parametrize("platform_key", PLATFORM_KEYS)
def test_a_platforms_seed_is_reproducible(platform_key: str) -> None:
    first, second = new_connection("One Ltd"), new_connection("Two Ltd")
    LedgerConnection.objects.filter(pk__in=[first.pk, second.pk]).update(platform_key=platform_key)
    first.refresh_from_db()
    second.refresh_from_db()

    seed_connection(first, bills=30, suppliers=6, seed=42, today=DAY)
    seed_connection(second, bills=30, suppliers=6, seed=42, today=DAY)

    assert stored(first) == stored(second)


def test_a_platforms_base_currency_can_be_chosen() -> None:
    _company, connection = seed_company(
        name="Euro Ltd", bills=20, suppliers=4, seed=2, platform_key="rwuv", base_currency="EUR"
    )

    connection.refresh_from_db()
    assert connection.base_currency == "EUR"
    assert {b["currency"] for b in docs(connection, Dataset.BANK_ACCOUNTS)} == {"EUR", "USD", "GBP"}


def test_a_base_currency_without_rates_is_refused() -> None:
    with pytest.raises(ValueError, match="base currency 'JPY' has no seeded exchange rates"):
        seed_company(name="Yen Ltd", bills=1, suppliers=1, seed=2, base_currency="JPY")

    assert not LedgerCompany.objects.exists()


@pytest.mark.parametrize("platform_key", ["qhyg", "fbrh"])
def test_a_status_the_platform_never_has_is_refused(platform_key: str) -> None:
    with pytest.raises(ValueError, match="bills are never Void: statuses must be some of Open"):
        seed_company(
            name="Void Ltd", bills=3, suppliers=1, seed=2, platform_key=platform_key,
            statuses=("Open", "Void"),
        )  # fmt: skip


def test_more_lines_than_freeagent_takes_are_refused() -> None:
    with pytest.raises(ValueError, match="lines per bill must be 1 to 40 in FreeAgent"):
        seed_company(
            name="Long Ltd", bills=1, suppliers=1, seed=2, platform_key="fbrh", lines_per_bill=41
        )


def test_the_qbo_sandbox_and_codats_sandbox_keys_seed_as_their_platforms() -> None:
    qbo = platform_ledger("ndsk", bills=10)
    sandbox = platform_ledger("mqjo", bills=10)

    assert {b["status"] for b in docs(qbo, Dataset.BILLS)} <= set(NO_VOID_OR_DRAFT)
    assert {a["name"] for a in docs(qbo, Dataset.ACCOUNTS)} == {
        a.name for a in PROFILES["qhyg"].accounts
    }
    assert {r["code"] for r in docs(sandbox, Dataset.TAX_RATES)} >= {"INPUT2", "NONE"}


def test_freeagent_accounts_are_its_nominal_codes_and_it_has_no_tax_rates() -> None:
    connection = platform_ledger("fbrh", bills=10)

    accounts = {a["id"]: a["name"] for a in docs(connection, Dataset.ACCOUNTS)}
    assert accounts["285"] == "Accommodation and Meals"
    assert accounts["292"] == "Accountancy Fees"
    assert docs(connection, Dataset.TAX_RATES) == []
    assert [b["nominalCode"] for b in docs(connection, Dataset.BANK_ACCOUNTS)][:2] == [
        "750-1",
        "750-2",
    ]


def test_zoho_suppliers_in_another_state_charge_igst() -> None:
    # Enough suppliers that some are in Karnataka and some in other states.
    connection = platform_ledger("rwuv", bills=300, suppliers=40)
    suppliers = {s["id"]: s for s in docs(connection, Dataset.SUPPLIERS)}
    rates = {r["id"]: r["code"] for r in docs(connection, Dataset.TAX_RATES)}

    charged: dict[bool, set[str]] = {True: set(), False: set()}
    for bill in docs(connection, Dataset.BILLS):
        address = suppliers[bill["supplierRef"]["id"]]["addresses"][0]
        if address["country"] != "IN":
            continue
        in_state = address["region"] == "Karnataka"
        for line in bill["lineItems"]:
            if "taxRateRef" in line:
                charged[in_state].add(rates[line["taxRateRef"]["id"]])
    assert charged[True]
    assert all(code.startswith("GST") for code in charged[True])
    assert charged[False]
    assert all(code.startswith("IGST") for code in charged[False])


@pytest.mark.parametrize("platform_key", PLATFORM_KEYS)
def test_billpay_imports_each_platforms_seeded_ledger(
    platform_key: str, make_ledger_company: Callable[..., Any]
) -> None:
    built = make_ledger_company(platform_key=platform_key, bills=20, suppliers=5, seed=3)

    rules = rules_for(platform_key)
    assert built.company.base_currency == rules.base_currency
    # The first-link import reads the outstanding bills: every one of them arrives.
    assert {bill.codat_id for bill in built.bills()} == {d["id"] for d in built.unpaid_documents()}
    assert {bill.currency for bill in built.bills()} >= {rules.base_currency}
