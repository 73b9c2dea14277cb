"""The one builder of "a company linked to a seeded sandbox ledger, imported", and its helper.

`build_ledger_company(...)` (the `make_ledger_company` fixture) seeds a sandbox ledger (its bills, suppliers, statuses and platform), links a
billpay company to it (a new one, or the given one), and runs billpay's own first-link import, as
a real company's data arrives. `LedgerCompany` reads back either side: billpay's rows and the
ledger's documents, pays a bill through the real service, starts another run.

The presets below name the shapes the suite uses most; each is this builder with its arguments.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import Company, Connection, Membership, User
from codat.platforms import rules_for
from payables.models import (
    Account,
    BankAccount,
    Bill,
    ImportRun,
    MappingStatus,
    Payment,
    Supplier,
    TaxRate,
)
from payables.services.bills import mapping_options_refresh
from payables.services.payments import bill_pay
from payables.services.runs import payables_import_run
from sandbox.api.bills import bill_payments
from sandbox.api.records import get_document
from sandbox.models import Dataset, LedgerConnection, LedgerRecord
from sandbox.platforms import platform_for
from sandbox.seed import SeedSummary, seed_company, seed_summary
from tests.accounts.factories import CompanyFactory, ConnectionFactory, MembershipFactory
from tests.payables.factories import ImportRunFactory

UNPAID = ("Open", "PartiallyPaid")


@dataclass
class LedgerCompany:
    company: Company
    connection: Connection
    ledger: LedgerConnection

    # --- The ledger's side

    @property
    def summary(self) -> SeedSummary:
        return seed_summary(self.ledger)

    def documents(self, dataset: str = Dataset.BILLS) -> list[dict[str, Any]]:
        ids = LedgerRecord.objects.filter(connection=self.ledger, dataset=dataset).values_list(
            "record_id", flat=True
        )
        return [d for i in ids if (d := get_document(self.ledger, dataset, i))]

    def ledger_document(self, status: str) -> dict[str, Any]:
        """The first of the ledger's bills with this status."""
        return next(d for d in self.documents(Dataset.BILLS) if d["status"] == status)

    def unpaid_documents(self) -> list[dict[str, Any]]:
        return [d for d in self.documents(Dataset.BILLS) if d["status"] in UNPAID]

    def ledger_bill_count(self) -> int:
        return LedgerRecord.objects.filter(connection=self.ledger, dataset=Dataset.BILLS).count()

    def ledger_bill(self, bill: Bill) -> dict[str, Any]:
        document = get_document(self.ledger, Dataset.BILLS, bill.codat_id)
        assert document is not None
        return document

    def ledger_payments(self, bill: Bill) -> list[dict[str, Any]]:
        return bill_payments(self.ledger, bill.codat_id)

    # --- billpay's side

    def bills(self) -> list[Bill]:
        return list(Bill.objects.for_company(self.company).order_by("id"))

    def bill(self, currency: str | None = None) -> Bill:
        """The first unpaid bill (in this currency)."""
        bills = Bill.objects.for_company(self.company).unpaid().order_by("id")
        if currency is not None:
            bills = bills.filter(currency=currency)
        found = bills.first()
        assert found is not None
        return found

    def bank(self, currency: str = "GBP") -> BankAccount:
        found = (
            BankAccount.objects.for_company(self.company)
            .filter(currency=currency, status="Active")
            .order_by("id")
            .first()
        )
        assert found is not None
        return found

    def supplier(self) -> Supplier:
        found = Supplier.objects.for_company(self.company).filter(status="Active").first()
        assert found is not None
        return found

    def account(self, code: str = "461") -> Account:
        return Account.objects.get(company=self.company, nominal_code=code)

    def tax_rate(self, code: str = "INPUT2") -> TaxRate:
        return TaxRate.objects.get(company=self.company, code=code)

    def archived_account(self) -> Account:
        found = Account.objects.filter(company=self.company, status=MappingStatus.ARCHIVED).first()
        assert found is not None
        return found

    # --- Acting

    def new_run(self) -> ImportRun:
        return ImportRunFactory(company=self.company, connection=self.connection)

    def pay(self, bill: Bill, amount: Decimal | None = None, **kwargs: Any) -> Payment:
        """Pay the bill through the real service (its amount due, from its currency's bank)."""
        bill.refresh_from_db()
        bank = kwargs.pop("bank_account", None) or self.bank(bill.currency)
        fields: dict[str, Any] = {
            "company": self.company,
            "bill": bill,
            "bank_account": bank,
            "amount": bill.amount_due if amount is None else amount,
            "paid_on": dt.date.today(),
            "idempotency_key": uuid.uuid4(),
            "amount_due": bill.amount_due,
            **kwargs,
        }
        return bill_pay(**fields)


def build_ledger_company(
    *,
    bills: int = 5,
    suppliers: int | None = None,
    seed: int = 7,
    statuses: tuple[str, ...] | None = None,
    platform_key: str = "gbol",
    name: str | None = "Paying Ltd",
    ledger_name: str | None = None,
    user: User | None = None,
    company: Company | None = None,
    base_currency: str | None = None,
    ledger_base_currency: str | None = None,
    imported: bool = True,
    refresh_options: bool = False,
    **seed_options: Any,
) -> LedgerCompany:
    """A company linked to a new seeded sandbox ledger, imported by billpay's own first-link import.

    `company`: link this company (and its one connection) instead of a new one. `user`: make them
    a member. `base_currency`: billpay's company's (the platform's home currency, as the ledger is
    seeded, by default). `imported=False`: link only (`new_run()` starts the import). `refresh_options`: also
    read the archived mapping options, as the on-demand refresh does (the import reads active
    ones only). Other keyword arguments go to the seeder (e.g. `lines_per_bill`).
    """
    if statuses is not None:
        seed_options["statuses"] = statuses
    if base_currency is None:
        base_currency = rules_for(platform_key).base_currency
    ledger_co, ledger = seed_company(
        name=ledger_name or name or "Ledger Ltd",
        bills=bills,
        suppliers=max(1, bills // 3) if suppliers is None else suppliers,
        seed=seed,
        platform_key=platform_key,
        **seed_options,
    )
    if ledger_base_currency is not None:
        LedgerConnection.objects.filter(pk=ledger.pk).update(base_currency=ledger_base_currency)
    if company is None:
        company = CompanyFactory(
            codat_company_id=str(ledger_co.id),
            base_currency=base_currency,
            **({"name": name} if name else {}),
        )
        connection = ConnectionFactory(
            company=company,
            codat_connection_id=str(ledger.id),
            platform_key=platform_key,
            platform_name=platform_for(platform_key).name,
        )
    else:
        company.codat_company_id = str(ledger_co.id)
        company.base_currency = base_currency
        company.save()
        connection = company.connections.get()
        connection.codat_connection_id = str(ledger.id)
        connection.save()
    if user is not None and not Membership.objects.filter(user=user, company=company).exists():
        MembershipFactory(user=user, company=company)
    built = LedgerCompany(company=company, connection=connection, ledger=ledger)
    if imported:
        run = payables_import_run(run_id=built.new_run().pk)
        assert run.status == ImportRun.Status.SUCCEEDED, run.error
    if refresh_options:
        mapping_options_refresh(company=company)
    return built


# --- Presets: the shapes the suite uses most -------------------------------------------------


def paying_company(
    *, bills: int = 5, seed: int = 7, name: str = "Paying Ltd", user: User | None = None
) -> LedgerCompany:
    """Open bills only (every bill can be paid), in a new company named `name`."""
    return build_ledger_company(bills=bills, seed=seed, name=name, user=user, statuses=("Open",))


def import_ledger(
    user: User, *, platform_key: str = "gbol", name: str = "Refresh Ltd"
) -> LedgerCompany:
    """The user's new company, linked to a ledger of 30 bills of every status, imported."""
    return build_ledger_company(
        user=user,
        name=name,
        ledger_name="Ledger Ltd",
        bills=30,
        suppliers=6,
        seed=11,
        platform_key=platform_key,
    )


def seeded(*, bills: int, suppliers: int, seed: int = 7, **options: Any) -> LedgerCompany:
    """Linked, not imported yet (`new_run()`); the ledger's base currency EUR, billpay's unknown."""
    return build_ledger_company(
        bills=bills,
        suppliers=suppliers,
        seed=seed,
        name=None,
        ledger_name="Ledger Ltd",
        base_currency="",
        ledger_base_currency="EUR",
        imported=False,
        **options,
    )


@pytest.fixture
def make_ledger_company(db: None) -> Callable[..., LedgerCompany]:
    """The builder, as a fixture: `make_ledger_company(bills=8, statuses=("Open",), user=user)`
    (named apart from the accounts and sandbox tests' own `ledger_company` fixtures)."""
    return build_ledger_company


@pytest.fixture
def paying(user: User, make_ledger_company: Callable[..., LedgerCompany]) -> LedgerCompany:
    """The user's new company, linked to a ledger of 10 Open bills (each can be paid), imported."""
    return make_ledger_company(user=user, bills=10, statuses=("Open",))


@pytest.fixture
def linked(company: Company) -> LedgerCompany:
    """The user's company (`company`), linked to a ledger of 8 Open bills and 5 suppliers, with
    its active and archived mapping options."""
    return build_ledger_company(
        company=company,
        ledger_name="Acme Widgets Ltd",
        bills=8,
        suppliers=5,
        seed=11,
        statuses=("Open",),
        refresh_options=True,
    )
