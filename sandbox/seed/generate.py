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

from codat.platforms import IdFormat, SupplierCurrency, Tax
from sandbox.api.base import dumps, loads
from sandbox.api.bills import codat_date, line_total, round_money
from sandbox.api.records import id_format
from sandbox.ids import guid, number_id, shared
from sandbox.models import Dataset, LedgerCompany, LedgerConnection, LedgerRecord
from sandbox.platforms import platform_for
from sandbox.routers import SANDBOX_ALIAS
from sandbox.seed.data import (
    ABROAD,
    FOREIGN_CATEGORY,
    FOREIGN_CURRENCIES,
    GBP_PER_UNIT,
    STATUS_WEIGHTS,
    STATUSES,
    Abroad,
    Category,
    Profile,
)
from sandbox.seed.profiles import profile_for

Document = dict[str, Any]

HISTORY_DAYS: Final = 120
BATCH_SIZE: Final = 1000
UK_POSTCODE_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"


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


@dataclass(slots=True)
class _Supplier:
    document: Document
    category: Category
    currency: str  # what it bills in (its defaultCurrency, but where a platform has none)
    home: bool  # in the ledger's home region (it charges the home tax)


class _Seeder:
    """One seeding run: the random source, the reference day and the records built so far."""

    def __init__(
        self,
        connection: LedgerConnection,
        *,
        seed: int,
        today: dt.date,
        base_currency: str,
        statuses: Sequence[str],
        lines_per_bill: int | None = None,
    ) -> None:
        self.connection = connection
        self.statuses = tuple(statuses)
        self.lines_per_bill = lines_per_bill
        self.rng = random.Random(seed)  # reproducible demo data, not security  # nosec B311
        self.today = today
        self.base = base_currency
        self.platform = platform_for(connection.platform_key)
        self.rules = self.platform.rules
        self.profile: Profile = profile_for(connection.platform_key)
        self.locale = self.profile.locale
        self.counters: Counter[str] = Counter()
        self.records: list[LedgerRecord] = []
        self.foreign = [c for c in FOREIGN_CURRENCIES if c != base_currency][:2]

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
        """Whole-unit bounds, minor-unit precision, never through float."""
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

    def fill(self, pattern: str) -> str:
        """A pattern with each `#` drawn as a digit and each `@` as a postcode letter."""
        return "".join(
            str(self.rng.randint(0, 9))
            if ch == "#"
            else self.rng.choice(UK_POSTCODE_LETTERS)
            if ch == "@"
            else ch
            for ch in pattern
        )

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
        """The chart of accounts by key (code, or name where the platform has no codes)."""
        by_key: dict[str, Document] = {}
        for account in self.profile.accounts:
            by_key[account.key] = self.add(
                Dataset.ACCOUNTS,
                {
                    "id": self.new_id(Dataset.ACCOUNTS, code=account.code or ""),
                    "nominalCode": account.code,
                    "name": account.name,
                    "type": account.type,
                    "currency": self.base,
                    "status": account.status,
                    "sourceModifiedDate": self.moment(self.days_ago(200, 900)),
                },
            )
        return by_key

    def tax_rates(self) -> dict[str, Document]:
        by_code: dict[str, Document] = {}
        for tax_rate in self.profile.tax_rates:
            by_code[tax_rate.code] = self.add(
                Dataset.TAX_RATES,
                {
                    "id": self.new_id(Dataset.TAX_RATES, code=tax_rate.code),
                    "name": tax_rate.name,
                    "code": tax_rate.code,
                    "effectiveTaxRate": tax_rate.rate,
                    "totalTaxRate": tax_rate.rate,
                    "status": tax_rate.status,
                    "sourceModifiedDate": self.moment(self.days_ago(200, 900)),
                },
            )
        return by_code

    def bank_accounts(self) -> dict[str, Document]:
        """Bank accounts by currency (the first active debit account of each: the one a payment
        in that currency leaves from)."""
        paying: dict[str, Document] = {}
        for account in self.profile.bank_accounts:
            currency = self.base if account.currency is None else self.foreign[account.currency]
            document = self.add(
                Dataset.BANK_ACCOUNTS,
                {
                    "id": self.new_id(Dataset.BANK_ACCOUNTS),
                    "nominalCode": account.nominal_code,
                    "name": account.name.format(currency=currency),
                    "accountType": account.kind,
                    "accountNumber": self.fill(account.number),
                    "sortCode": self.fill(account.sort_code) if account.sort_code else None,
                    "currency": currency,
                    "status": account.status,
                    "sourceModifiedDate": self.moment(self.days_ago(150, 900)),
                },
            )
            if account.status == "Active" and account.kind == "Debit":
                paying.setdefault(currency, document)
        return paying

    # --- suppliers ---

    def suppliers(self, count: int) -> list[_Supplier]:
        made: list[_Supplier] = []
        names: set[str] = set()
        locale = self.locale
        for index in range(count):
            # The first supplier is always an active home one, so every status can be billed;
            # the second bills in a foreign currency, so every ledger has foreign bills to pay.
            currency = self.base
            if index and self.rng.random() < 0.16:
                currency = self.rng.choice(self.foreign)
            if index == 1 and self.foreign:
                currency = self.foreign[0]
            abroad = ABROAD.get(currency) if currency != self.base else None
            category = self.rng.choice(locale.categories) if abroad is None else FOREIGN_CATEGORY
            suffixes = locale.suffixes if abroad is None else abroad.suffixes
            word = self.rng.choice(locale.name_words)
            name = f"{word} {self.rng.choice(category.names)} {self.rng.choice(suffixes)}"
            while name in names:
                word = f"{self.rng.choice(locale.name_words)} {self.rng.choice(locale.name_words)}"
                name = f"{word} {self.rng.choice(category.names)} {self.rng.choice(suffixes)}"
            names.add(name)
            first, last = self.rng.choice(locale.first_names), self.rng.choice(locale.surnames)
            slug = "".join(ch for ch in word.lower() if ch.isalpha())
            domain = locale.email_domain if abroad is None else abroad.email_domain
            archived = bool(index) and self.rng.random() < 0.1
            status = "Archived" if archived and index != 1 else "Active"
            if abroad is None:
                address, phone, home = self._home_address()
            else:
                address, phone, home = self._abroad_address(abroad), abroad.phone, False
            document = {
                "id": self.new_id(Dataset.SUPPLIERS),
                "supplierName": name,
                "contactName": f"{first} {last}",
                "emailAddress": f"{first.lower()}.{last.lower()}@{slug}.{domain}",
                "phone": self.fill(phone),
                "addresses": [address],
                "status": status,
                "balance": Decimal("0.00"),
                # FreeAgent keeps no supplier currency: it serves the base currency (suppliers.md).
                "defaultCurrency": self.base
                if self.rules.supplier_currency is SupplierCurrency.BASE_ONLY
                else currency,
                "sourceModifiedDate": self.moment(self.days_ago(HISTORY_DAYS, 700)),
            }
            made.append(_Supplier(document, category, currency, home))
        return made

    def _home_address(self) -> tuple[Document, str, bool]:
        """An address in the locale, the phone pattern of its city, and whether it is in the
        business's own region."""
        city = self.rng.choice(self.locale.cities)
        line1 = f"{self.rng.randint(1, 240)} {self.rng.choice(self.locale.streets)}"
        line2 = f"Unit {self.rng.randint(1, 30)}" if self.rng.random() < 0.3 else None
        phone = self.rng.choice(self.locale.phones).format(area=city.area_code)
        address = {
            "type": "Billing",
            "line1": line1,
            "line2": line2,
            "city": city.name,
            "region": city.region,
            "country": self.locale.country,
            "postalCode": self.fill(city.postcode),
        }
        return address, phone, city.region == self.locale.home_region

    def _abroad_address(self, abroad: Abroad) -> Document:
        line1 = f"{self.rng.randint(1, 240)} {self.rng.choice(abroad.streets)}"
        line2 = f"Unit {self.rng.randint(1, 30)}" if self.rng.random() < 0.3 else None
        city, region, postcode, country = abroad.address
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
        suppliers: Sequence[_Supplier],
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
        active = [i for i, s in enumerate(suppliers) if s.document["status"] == "Active"]
        active_weights = [weights[i] for i in active]
        invoice_numbers: dict[str, int] = {}
        made: list[tuple[Document, list[Document]]] = []
        # The first outstanding bill is the foreign supplier's (the second; see suppliers).
        foreign = next((i for i in active if suppliers[i].currency != self.base), None)
        for status in statuses:
            # Outstanding and draft bills come from active suppliers; settled ones from any.
            if status in ("Open", "PartiallyPaid", "Draft"):
                supplier = suppliers[self.rng.choices(active, active_weights)[0]]
                if foreign is not None and status != "Draft":
                    supplier, foreign = suppliers[foreign], None
            else:
                supplier = self.rng.choices(suppliers, weights)[0]
            made.append(self._bill(status, supplier, accounts, tax_rates, paying, invoice_numbers))
        made.sort(key=lambda pair: pair[0]["issueDate"])
        return made, Counter(statuses)

    def _line(
        self,
        supplier: _Supplier,
        accounts: dict[str, Document],
        tax_rates: dict[str, Document],
        currency: str,
    ) -> Document:
        """A line as the platform keeps it: coded to one of its accounts, and its tax as the
        platform's rules say (codat.platforms Tax)."""
        category = supplier.category
        description, purpose, tax_class = self.rng.choice(category.lines)
        unit = self.money(*category.unit_range)
        quantity = Decimal(1)
        if category.max_quantity > 1 and self.rng.random() < 0.5:
            quantity = Decimal(self.rng.randint(2, category.max_quantity))
        code = self.profile.tax_for[tax_class]
        if code is not None and not supplier.home:
            code = self.profile.out_of_region_tax.get(code, code)
        tax_rate = tax_rates[code] if code is not None else None
        percent = (
            tax_rate["effectiveTaxRate"]
            if tax_rate is not None
            else self.locale.tax_percent[tax_class]
        )
        tax = round_money(unit * quantity * percent / 100, currency)
        line: Document = {
            "description": description,
            "unitAmount": unit,
            "quantity": quantity,
            "taxAmount": tax,
            "totalAmount": line_total(unit, quantity, tax, currency),
            "accountRef": {"id": accounts[self.profile.account_for[purpose]]["id"]},
        }
        # A line without a rate has no taxRateRef, as the sandbox serves one (sandbox.api.bills).
        if tax_rate is not None and self.rules.tax is not Tax.AMOUNT_ONLY:
            line["taxRateRef"] = {"id": tax_rate["id"]}
        return line

    def _bill(
        self,
        status: str,
        supplier: _Supplier,
        accounts: dict[str, Document],
        tax_rates: dict[str, Document],
        paying: dict[str, Document],
        invoice_numbers: dict[str, int],
    ) -> tuple[Document, list[Document]]:
        document = supplier.document
        currency = supplier.currency
        issue = self.days_ago(1, 30) if status == "Draft" else self.days_ago(1, HISTORY_DAYS)
        # Due on or after the issue date, which Zoho Books insists on.
        due = issue + dt.timedelta(days=self.rng.choice((7, 14, 30, 30, 30, 45, 60)))
        line_count = (
            self.lines_per_bill or self.rng.choices((1, 2, 3, 4, 5), (35, 25, 20, 12, 8))[0]
        )
        lines = [self._line(supplier, accounts, tax_rates, currency) for _ in range(line_count)]
        total = sum((line["totalAmount"] for line in lines), Decimal(0))
        rate = self.rate(currency)
        prefix = "".join(ch for ch in document["supplierName"] if ch.isalpha())[:3].upper()
        # Each supplier numbers its invoices up from its own start: references never repeat for a
        # supplier (Zoho Books refuses a repeat) and stay short (QuickBooks keeps 21 characters).
        number = invoice_numbers.get(document["id"]) or self.rng.randint(1000, 8999)
        invoice_numbers[document["id"]] = number + 1
        reference = f"{prefix}-{number}"

        payments = self._payments(status, total, issue, currency, rate, paying, reference)
        paid = sum((p["amount"] for p in payments), Decimal(0))
        due_amount = {"Open": total, "Draft": total, "Void": Decimal("0.00")}.get(
            status, total - paid
        )
        last_event = max([issue, *(dt.date.fromisoformat(p["date"][:10]) for p in payments)])
        if status in ("Open", "Draft", "Void"):
            last_event = issue + dt.timedelta(days=self.rng.randint(0, 5))
        bill = {
            "id": self.new_id(Dataset.BILLS),
            "reference": reference,
            "supplierRef": {"id": document["id"], "supplierName": document["supplierName"]},
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
        # A balance is kept in the supplier's currency, moved by its bills in that currency only
        # (as the sandbox's own writes move it: sandbox.api.bills).
        if status in ("Open", "PartiallyPaid") and currency == document["defaultCurrency"]:
            document["balance"] += due_amount
        return bill, payments

    def _payments(
        self,
        status: str,
        total: Decimal,
        issue: dt.date,
        currency: str,
        bill_rate: Decimal,
        paying: dict[str, Document],
        reference: str,
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
                    "reference": f"Payment of {reference}",
                    "accountRef": {"id": account["id"]},
                    "currencyRate": rate,
                }
            )
        return made


def _checked_statuses(platform_key: str, statuses: Sequence[str] | None) -> tuple[str, ...]:
    """The statuses to seed: the platform's own (codat.platforms bill_statuses) unless some of
    them are asked for; one the platform never has is refused."""
    rules = platform_for(platform_key).rules
    if statuses is None:
        return rules.bill_statuses
    if not statuses or set(statuses) - set(STATUSES):
        raise ValueError(f"statuses must be some of {', '.join(STATUSES)}")
    foreign = [status for status in statuses if not rules.allows_status(status)]
    if foreign:
        raise ValueError(
            f"{rules.name} bills are never {' or '.join(foreign)}: statuses must be some of "
            f"{', '.join(rules.bill_statuses)}"
        )
    return tuple(statuses)


def _checked_base_currency(platform_key: str, base_currency: str | None) -> str:
    """The ledger's base currency: the platform's home market's (codat.platforms base_currency)
    unless one is asked for, and then one the seed has exchange rates for."""
    if base_currency is None:
        return platform_for(platform_key).rules.base_currency
    if base_currency not in GBP_PER_UNIT:
        raise ValueError(
            f"base currency {base_currency!r} has no seeded exchange rates: use one of "
            f"{', '.join(GBP_PER_UNIT)}"
        )
    return base_currency


def seed_connection(
    connection: LedgerConnection,
    *,
    bills: int,
    suppliers: int,
    seed: int,
    today: dt.date | None = None,
    statuses: Sequence[str] | None = None,
    lines_per_bill: int | None = None,
    base_currency: str | None = None,
) -> SeedSummary:
    """Fill an empty connection with deterministic demo data, as its platform would hold it
    (`sandbox.seed.profiles`); same seed and day, same documents.

    `base_currency` is the ledger's (the platform's home currency by default, written to the
    connection). `statuses` limits the bills to some of the platform's statuses (benchmarks want
    only unpaid ones) and `lines_per_bill` fixes the number of lines; by default both vary as in
    a real ledger.
    """
    chosen = _checked_statuses(connection.platform_key, statuses)
    base = _checked_base_currency(connection.platform_key, base_currency)
    rules = platform_for(connection.platform_key).rules
    if bills < 0 or suppliers < 0:
        raise ValueError("bills and suppliers must not be negative")
    if bills and not suppliers:
        raise ValueError("bills need at least one supplier")
    if lines_per_bill is not None and (
        lines_per_bill < 1 or (rules.max_line_items and lines_per_bill > rules.max_line_items)
    ):
        limit = f"1 to {rules.max_line_items}" if rules.max_line_items else "at least 1"
        raise ValueError(f"lines per bill must be {limit} in {rules.name}")
    if LedgerRecord.objects.filter(connection=connection).exists():
        raise ValueError(f"connection {connection.id} already has records")
    if not connection.organisation_name:
        connection.organisation_name = connection.company.name
    connection.base_currency = base
    seeder = _Seeder(
        connection,
        seed=seed,
        today=today or timezone.now().astimezone(dt.UTC).date(),
        base_currency=base,
        statuses=chosen,
        lines_per_bill=lines_per_bill,
    )
    accounts = seeder.accounts()
    tax_rates = seeder.tax_rates()
    paying = seeder.bank_accounts()
    supplier_rows = seeder.suppliers(suppliers)
    bill_rows, by_status = seeder.bills(bills, supplier_rows, accounts, tax_rates, paying)
    # Suppliers go in last: their balances are known only once the bills are made.
    for supplier in supplier_rows:
        seeder.add(Dataset.SUPPLIERS, supplier.document)
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
        bills_by_status={status: by_status[status] for status in rules.bill_statuses},
    )


def seed_company(
    *,
    name: str,
    bills: int,
    suppliers: int,
    seed: int,
    platform_key: str = "gbol",
    statuses: Sequence[str] | None = None,
    lines_per_bill: int | None = None,
    base_currency: str | None = None,
) -> tuple[LedgerCompany, LedgerConnection]:
    """A new company with one Linked connection to a platform already holding demo data (in the
    platform's home currency unless `base_currency` is given)."""
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
            base_currency=_checked_base_currency(platform_key, base_currency),
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
            base_currency=base_currency,
        )
    return company, connection


def seed_summary(connection: LedgerConnection) -> SeedSummary:
    """Count what a connection holds, bills by status (the platform's statuses, and any other a
    bill has), for reports such as sandbox_seed's."""
    counts = Counter(
        LedgerRecord.objects.filter(connection=connection).values_list("dataset", flat=True)
    )
    by_status: Counter[str] = Counter()
    bills = LedgerRecord.objects.filter(connection=connection, dataset=Dataset.BILLS)
    for raw in bills.values_list("document", flat=True).iterator(chunk_size=1000):
        by_status[str(loads(raw).get("status"))] += 1
    statuses = platform_for(connection.platform_key).rules.bill_statuses
    return SeedSummary(
        accounts=counts[Dataset.ACCOUNTS],
        tax_rates=counts[Dataset.TAX_RATES],
        bank_accounts=counts[Dataset.BANK_ACCOUNTS],
        suppliers=counts[Dataset.SUPPLIERS],
        bills=counts[Dataset.BILLS],
        payments=counts[Dataset.BILL_PAYMENTS],
        bills_by_status={
            **{status: by_status[status] for status in statuses},
            **{status: n for status, n in by_status.items() if status not in statuses},
        },
    )
