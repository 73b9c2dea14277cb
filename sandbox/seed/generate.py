"""The seed generator: fills a connection with documents drawn from `sandbox.seed.data`.

One `random.Random(seed)` is drawn from in a fixed order (reference data, bank accounts, suppliers,
then bills and their payments), so the same seed on the same day gives the same documents.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from codat.platforms import IdFormat
from sandbox.api.base import dumps, loads
from sandbox.api.bills import codat_date, line_total, round_money
from sandbox.api.records import id_format
from sandbox.ids import guid, number_id, shared
from sandbox.models import Dataset, LedgerCompany, LedgerConnection, LedgerRecord
from sandbox.platforms import platform_for
from sandbox.routers import SANDBOX_ALIAS
from sandbox.seed.data import (
    ABROAD,
    ACCOUNTS,
    CATEGORIES,
    FIRST_NAMES,
    FOREIGN_CATEGORY,
    GBP_PER_UNIT,
    NAME_WORDS,
    STATUS_WEIGHTS,
    STATUSES,
    STREETS,
    SURNAMES,
    TAX_RATES,
    UK_CITIES,
    Category,
)

Document = dict[str, Any]

HISTORY_DAYS: Final = 120
BATCH_SIZE: Final = 1000


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """What was written for a connection."""

    accounts: int
    tax_rates: int
    bank_accounts: int
    suppliers: int
    bills: int
    payments: int
    bills_by_status: dict[str, int] = field(default_factory=dict)


class _Seeder:
    """One seeding run: the random source, the reference day and the records built so far."""

    def __init__(
        self,
        connection: LedgerConnection,
        *,
        seed: int,
        today: dt.date,
        base_currency: str,
        statuses: Sequence[str] = STATUSES,
        lines_per_bill: int | None = None,
    ) -> None:
        self.connection = connection
        self.statuses = tuple(statuses)
        self.lines_per_bill = lines_per_bill
        self.rng = random.Random(seed)  # reproducible demo data, not security  # nosec B311
        self.today = today
        self.base = base_currency
        self.platform = platform_for(connection.platform_key)
        self.counters: Counter[str] = Counter()
        self.records: list[LedgerRecord] = []
        self.foreign = [c for c in ("USD", "EUR", "GBP") if c != base_currency][:2]

    # --- primitives ---

    def new_id(self, dataset: str, *, code: str = "") -> str:
        """The platform's id for the next record of `dataset` (codat.platforms ids): a GUID drawn
        from the seed, the next number of the dataset's sequence, or the record's own code."""
        fmt = id_format(self.platform, dataset)
        if fmt is IdFormat.GUID:
            return guid(self.rng.getrandbits(128))
        if fmt is IdFormat.CODE and code:
            return code
        sequence = "*" if shared(fmt) else dataset
        self.counters[sequence] += 1
        return number_id(fmt, self.counters[sequence])

    def money(self, low: int, high: int) -> Decimal:
        """Whole-pound bounds, pence precision, never through float."""
        return Decimal(self.rng.randint(low * 100, high * 100)).scaleb(-2)

    def moment(self, day: dt.date) -> str:
        """A time on `day` (clamped to yesterday, so seeded data is never newer than a live write)."""
        day = min(day, self.today - dt.timedelta(days=1))
        seconds = self.rng.randint(7 * 3600, 19 * 3600)
        stamp = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def rate(self, currency: str) -> Decimal:
        """Base units per unit of `currency` (codat-api.md "currencyRate semantics"), 6 places."""
        if currency == self.base:
            return Decimal(1)
        middle = GBP_PER_UNIT[currency] / GBP_PER_UNIT[self.base]
        jitter = Decimal(self.rng.randint(-20000, 20000)).scaleb(-6)
        return (middle * (1 + jitter)).quantize(Decimal("0.000001"))

    def add(self, dataset: str, document: Document, *, parent_id: str = "") -> Document:
        self.records.append(
            LedgerRecord(
                connection=self.connection,
                dataset=dataset,
                record_id=document["id"],
                document=dumps(document).decode(),
                parent_id=parent_id,
            )
        )
        return document

    # --- reference data ---

    def accounts(self) -> dict[str, Document]:
        by_code: dict[str, Document] = {}
        for code, name, kind, status in ACCOUNTS:
            by_code[code] = self.add(
                Dataset.ACCOUNTS,
                {
                    "id": self.new_id(Dataset.ACCOUNTS, code=code),
                    "nominalCode": code,
                    "name": name,
                    "type": kind,
                    "currency": self.base,
                    "status": status,
                    "sourceModifiedDate": self.moment(self.days_ago(200, 900)),
                },
            )
        return by_code

    def tax_rates(self) -> dict[str, Document]:
        by_code: dict[str, Document] = {}
        for code, name, rate, status in TAX_RATES:
            record_id = self.new_id(Dataset.TAX_RATES, code=code)
            by_code[code] = self.add(
                Dataset.TAX_RATES,
                {
                    "id": record_id,
                    "name": name,
                    "code": code,
                    "effectiveTaxRate": rate,
                    "totalTaxRate": rate,
                    "status": status,
                    "sourceModifiedDate": self.moment(self.days_ago(200, 900)),
                },
            )
        return by_code

    def _digits(self, count: int) -> str:
        return "".join(str(self.rng.randint(0, 9)) for _ in range(count))

    def _iban(self) -> str:
        return f"GB{self._digits(2)}BARC2004{self._digits(10)}"

    def bank_accounts(self) -> dict[str, Document]:
        """Bank accounts by currency (the one a payment in that currency leaves from)."""
        uk = self.base == "GBP"
        sort_code = f"{self._digits(2)}-{self._digits(2)}-{self._digits(2)}"
        rows: list[tuple[str, str, str, str | None, str, str]] = [
            # name, type, currency, sort code, account number, status
            (
                "Business Current Account",
                "Debit",
                self.base,
                sort_code if uk else None,
                self._digits(8),
                "Active",
            ),
            (
                "Business Savings Account",
                "Debit",
                self.base,
                sort_code if uk else None,
                self._digits(8),
                "Active",
            ),
            # A card shows its last four digits: Xero masks it (4 digits, not 14).
            ("Company Credit Card", "Credit", self.base, None, self._digits(4), "Active"),
        ]
        for currency in self.foreign:
            rows.append((f"{currency} Account", "Debit", currency, None, self._iban(), "Active"))
        # An old account with a 7-digit number (from before a bank merger), masked and Archived.
        rows.append(
            (
                "Old Business Account",
                "Debit",
                self.base,
                sort_code if uk else None,
                self._digits(7),
                "Archived",
            )
        )
        paying: dict[str, Document] = {}
        for position, (name, kind, currency, sort, number, status) in enumerate(rows):
            document = self.add(
                Dataset.BANK_ACCOUNTS,
                {
                    "id": self.new_id(Dataset.BANK_ACCOUNTS),
                    "nominalCode": f"{90 + position:03d}",
                    "name": name,
                    "accountType": kind,
                    "accountNumber": number,
                    "sortCode": sort,
                    "currency": currency,
                    "status": status,
                    "sourceModifiedDate": self.moment(self.days_ago(150, 900)),
                },
            )
            if status == "Active" and kind == "Debit":
                paying.setdefault(currency, document)
        return paying

    # --- suppliers ---

    def suppliers(self, count: int) -> list[tuple[Document, Category]]:
        made: list[tuple[Document, Category]] = []
        names: set[str] = set()
        for index in range(count):
            # The first supplier is always an active home one, so every status can be billed.
            currency = self.base
            if index and self.rng.random() < 0.16:
                currency = self.rng.choice(self.foreign)
            category = self.rng.choice(CATEGORIES) if currency == self.base else FOREIGN_CATEGORY
            suffixes, domain, place = ABROAD.get(currency, ABROAD["GBP"])
            word = self.rng.choice(NAME_WORDS)
            name = f"{word} {self.rng.choice(category.names)} {self.rng.choice(suffixes)}"
            while name in names:
                word = f"{self.rng.choice(NAME_WORDS)} {self.rng.choice(NAME_WORDS)}"
                name = f"{word} {self.rng.choice(category.names)} {self.rng.choice(suffixes)}"
            names.add(name)
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            slug = "".join(ch for ch in word.lower() if ch.isalpha())
            status = "Archived" if index and self.rng.random() < 0.1 else "Active"
            document = {
                "id": self.new_id(Dataset.SUPPLIERS),
                "supplierName": name,
                "contactName": f"{first} {last}",
                "emailAddress": f"{first.lower()}.{last.lower()}@{slug}.{domain}",
                "phone": self._phone(currency),
                "addresses": [self._address(currency, place)],
                "status": status,
                "balance": Decimal("0.00"),
                "defaultCurrency": currency,
                "sourceModifiedDate": self.moment(self.days_ago(HISTORY_DAYS, 700)),
            }
            made.append((document, category))
        return made

    def _phone(self, currency: str) -> str:
        # Numbers set aside for fiction: Ofcom's 01632 960xxx and 020 7946 0xxx, NANP's 555-01xx.
        if currency == "USD":
            return f"+1 212 555 01{self._digits(2)}"
        if currency == "EUR":
            return f"+353 1 555 {self._digits(4)}"
        return self.rng.choice((f"01632 960{self._digits(3)}", f"020 7946 0{self._digits(3)}"))

    def _address(self, currency: str, place: tuple[str, str, str, str]) -> Document:
        line1 = f"{self.rng.randint(1, 240)} {self.rng.choice(STREETS)}"
        line2 = f"Unit {self.rng.randint(1, 30)}" if self.rng.random() < 0.3 else None
        if currency != "GBP":
            city, region, postcode, country = place
        else:
            city, region, district = self.rng.choice(UK_CITIES)
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            postcode = (
                f"{district} {self.rng.randint(1, 9)}"
                f"{self.rng.choice(letters)}{self.rng.choice(letters)}"
            )
            country = "GB"
        return {
            "type": "Billing",
            "line1": line1,
            "line2": line2,
            "city": city,
            "region": region,
            "country": country,
            "postalCode": postcode,
        }

    # --- bills ---

    def bills(
        self,
        count: int,
        suppliers: Sequence[tuple[Document, Category]],
        accounts: dict[str, Document],
        tax_rates: dict[str, Document],
        paying: dict[str, Document],
    ) -> tuple[list[tuple[Document, list[Document]]], Counter[str]]:
        weights = [
            w for status, w in zip(STATUSES, STATUS_WEIGHTS, strict=True) if status in self.statuses
        ]
        allowed = [status for status in STATUSES if status in self.statuses]
        statuses = list(allowed) if count >= len(allowed) else []
        statuses += self.rng.choices(allowed, weights, k=count - len(statuses))
        self.rng.shuffle(statuses)
        # A few suppliers send most bills, as in a real ledger.
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(suppliers))]
        active = [i for i, (s, _c) in enumerate(suppliers) if s["status"] == "Active"]
        active_weights = [weights[i] for i in active]
        invoice_numbers: dict[str, int] = {}
        made: list[tuple[Document, list[Document]]] = []
        for status in statuses:
            # Outstanding and draft bills come from active suppliers; settled ones from any.
            if status in ("Open", "PartiallyPaid", "Draft"):
                supplier, category = suppliers[self.rng.choices(active, active_weights)[0]]
            else:
                supplier, category = self.rng.choices(suppliers, weights)[0]
            made.append(
                self._bill(status, supplier, category, accounts, tax_rates, paying, invoice_numbers)
            )
        made.sort(key=lambda pair: pair[0]["issueDate"])
        return made, Counter(statuses)

    def _bill(
        self,
        status: str,
        supplier: Document,
        category: Category,
        accounts: dict[str, Document],
        tax_rates: dict[str, Document],
        paying: dict[str, Document],
        invoice_numbers: dict[str, int],
    ) -> tuple[Document, list[Document]]:
        currency = supplier["defaultCurrency"]
        issue = self.days_ago(1, 30) if status == "Draft" else self.days_ago(1, HISTORY_DAYS)
        due = issue + dt.timedelta(days=self.rng.choice((7, 14, 30, 30, 30, 45, 60)))
        lines: list[Document] = []
        line_count = (
            self.lines_per_bill or self.rng.choices((1, 2, 3, 4, 5), (35, 25, 20, 12, 8))[0]
        )
        for _ in range(line_count):
            description, code, tax_code = self.rng.choice(category.lines)
            unit = self.money(*category.unit_range)
            quantity = Decimal(1)
            if category.max_quantity > 1 and self.rng.random() < 0.5:
                quantity = Decimal(self.rng.randint(2, category.max_quantity))
            percent = tax_rates[tax_code]["effectiveTaxRate"]
            tax = round_money(unit * quantity * percent / 100, currency)
            lines.append(
                {
                    "description": description,
                    "unitAmount": unit,
                    "quantity": quantity,
                    "taxAmount": tax,
                    "totalAmount": line_total(unit, quantity, tax, currency),
                    "accountRef": {"id": accounts[code]["id"]},
                    "taxRateRef": {"id": tax_rates[tax_code]["id"]},
                }
            )
        total = sum((line["totalAmount"] for line in lines), Decimal(0))
        rate = self.rate(currency)
        prefix = "".join(ch for ch in supplier["supplierName"] if ch.isalpha())[:3].upper()
        number = invoice_numbers.get(supplier["id"]) or self.rng.randint(1000, 8999)
        invoice_numbers[supplier["id"]] = number + 1

        payments = self._payments(status, total, issue, currency, rate, paying, prefix, number)
        paid = sum((p["amount"] for p in payments), Decimal(0))
        due_amount = {"Open": total, "Draft": total, "Void": Decimal("0.00")}.get(
            status, total - paid
        )
        last_event = max([issue, *(dt.date.fromisoformat(p["date"][:10]) for p in payments)])
        if status in ("Open", "Draft", "Void"):
            last_event = issue + dt.timedelta(days=self.rng.randint(0, 5))
        bill = {
            "id": self.new_id(Dataset.BILLS),
            "reference": f"{prefix}-{number}",
            "supplierRef": {"id": supplier["id"], "supplierName": supplier["supplierName"]},
            "issueDate": codat_date(issue),
            "dueDate": codat_date(due),
            "currency": currency,
            "currencyRate": rate,
            "lineItems": lines,
            "status": status,
            "totalAmount": total,
            "amountDue": due_amount,
            "sourceModifiedDate": self.moment(last_event),
        }
        if status in ("Open", "PartiallyPaid"):
            supplier["balance"] += due_amount
        return bill, payments

    def _payments(
        self,
        status: str,
        total: Decimal,
        issue: dt.date,
        currency: str,
        bill_rate: Decimal,
        paying: dict[str, Document],
        prefix: str,
        number: int,
    ) -> list[Document]:
        if status == "Paid":
            amounts = [total]
        elif status == "PartiallyPaid":
            amounts = [round_money(total * self.rng.randint(10, 90) / 100, currency)]
        else:
            return []
        if self.rng.random() < 0.25:  # paid in two instalments
            first = round_money(amounts[0] * self.rng.randint(30, 70) / 100, currency)
            amounts = [first, amounts[0] - first]
        account = paying.get(currency) or paying[self.base]
        made = []
        day = issue
        for amount in amounts:
            if amount <= 0:
                continue
            span = max((self.today - dt.timedelta(days=1) - day).days, 0)
            day = day + dt.timedelta(days=self.rng.randint(0, span))
            rate = bill_rate
            if account["currency"] != self.base:
                rate = self.rate(currency)  # the day's rate, not the bill's
            made.append(
                {
                    "id": self.new_id(Dataset.BILL_PAYMENTS),
                    "amount": amount,
                    "date": codat_date(day),
                    "reference": f"Payment of {prefix}-{number}",
                    "accountRef": {"id": account["id"]},
                    "currencyRate": rate,
                }
            )
        return made


def seed_connection(
    connection: LedgerConnection,
    *,
    bills: int,
    suppliers: int,
    seed: int,
    today: dt.date | None = None,
    statuses: Sequence[str] = STATUSES,
    lines_per_bill: int | None = None,
) -> SeedSummary:
    """Fill an empty connection with deterministic demo data; same seed and day, same documents.

    `statuses` limits the bills to some statuses (benchmarks want only unpaid ones) and
    `lines_per_bill` fixes the number of lines; by default both vary as in a real ledger.
    """
    if not statuses or set(statuses) - set(STATUSES):
        raise ValueError(f"statuses must be some of {', '.join(STATUSES)}")
    if bills < 0 or suppliers < 0:
        raise ValueError("bills and suppliers must not be negative")
    if bills and not suppliers:
        raise ValueError("bills need at least one supplier")
    if LedgerRecord.objects.filter(connection=connection).exists():
        raise ValueError(f"connection {connection.id} already has records")
    if not connection.organisation_name:
        connection.organisation_name = connection.company.name
    if not connection.base_currency:
        connection.base_currency = "GBP"
    seeder = _Seeder(
        connection,
        seed=seed,
        today=today or timezone.now().astimezone(dt.UTC).date(),
        base_currency=connection.base_currency,
        statuses=statuses,
        lines_per_bill=lines_per_bill,
    )
    accounts = seeder.accounts()
    tax_rates = seeder.tax_rates()
    paying = seeder.bank_accounts()
    supplier_rows = seeder.suppliers(suppliers)
    bill_rows, by_status = seeder.bills(bills, supplier_rows, accounts, tax_rates, paying)
    # Suppliers go in last: their balances are known only once the bills are made.
    for supplier, _category in supplier_rows:
        seeder.add(Dataset.SUPPLIERS, supplier)
    payments = 0
    for bill, _payments in bill_rows:
        seeder.add(Dataset.BILLS, bill, parent_id=bill["supplierRef"]["id"])
    for bill, bill_payments in bill_rows:
        for payment in bill_payments:
            seeder.add(Dataset.BILL_PAYMENTS, payment, parent_id=bill["id"])
            payments += 1
    with transaction.atomic(using=SANDBOX_ALIAS):
        connection.save(update_fields=["organisation_name", "base_currency"])
        LedgerRecord.objects.bulk_create(seeder.records, batch_size=BATCH_SIZE)
    return SeedSummary(
        accounts=len(accounts),
        tax_rates=len(tax_rates),
        bank_accounts=sum(1 for r in seeder.records if r.dataset == Dataset.BANK_ACCOUNTS),
        suppliers=len(supplier_rows),
        bills=len(bill_rows),
        payments=payments,
        bills_by_status={status: by_status[status] for status in STATUSES},
    )


def seed_company(
    *,
    name: str,
    bills: int,
    suppliers: int,
    seed: int,
    platform_key: str = "gbol",
    statuses: Sequence[str] = STATUSES,
    lines_per_bill: int | None = None,
) -> tuple[LedgerCompany, LedgerConnection]:
    """A new company with one Linked connection to a platform already holding demo data."""
    if not re.fullmatch(r"[a-z]{4}", platform_key):
        raise ValueError(f"platform key {platform_key!r} is not 4 lower-case letters, e.g. gbol")
    with transaction.atomic(using=SANDBOX_ALIAS):
        company = LedgerCompany(name=name)
        company.full_clean()
        company.save()
        connection = LedgerConnection(
            company=company,
            platform_key=platform_key,
            status=LedgerConnection.Status.LINKED,
            seeded=True,
            organisation_name=name,
            base_currency="GBP",
            last_sync=timezone.now(),
        )
        connection.full_clean()
        connection.save()
        seed_connection(
            connection,
            bills=bills,
            suppliers=suppliers,
            seed=seed,
            statuses=statuses,
            lines_per_bill=lines_per_bill,
        )
    return company, connection


def seed_summary(connection: LedgerConnection) -> SeedSummary:
    """Count what a connection holds, bills by status (for reports such as sandbox_seed's)."""
    counts = Counter(
        LedgerRecord.objects.filter(connection=connection).values_list("dataset", flat=True)
    )
    by_status: Counter[str] = Counter()
    bills = LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS)
    for raw in bills.values_list("document", flat=True).iterator(chunk_size=1000):
        by_status[str(loads(raw).get("status"))] += 1
    return SeedSummary(
        accounts=counts[Dataset.ACCOUNTS],
        tax_rates=counts[Dataset.TAX_RATES],
        bank_accounts=counts[Dataset.BANK_ACCOUNTS],
        suppliers=counts[Dataset.SUPPLIERS],
        bills=counts[Dataset.BILLS],
        payments=counts[Dataset.BILL_PAYMENTS],
        bills_by_status={status: by_status[status] for status in STATUSES},
    )
