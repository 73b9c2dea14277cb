"""A company with bills to pay, linked to a sandbox ledger seeded with the same bills.

The ledger company is seeded (Open bills only, so every bill can be paid), then billpay's own
first-link import copies it, exactly as a real company's data arrives.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.models import Company, Connection, Membership, User
from payables.models import BankAccount, Bill, ImportRun, Payment
from payables.services.payments import bill_pay
from payables.services.runs import payables_import_run
from sandbox.api.bills import bill_payments
from sandbox.api.records import get_document
from sandbox.models import Dataset, LedgerConnection
from sandbox.seed import seed_company
from tests.accounts.factories import CompanyFactory, ConnectionFactory, MembershipFactory


@dataclass
class PayingCompany:
    company: Company
    connection: Connection
    ledger: LedgerConnection

    def bills(self) -> list[Bill]:
        return list(Bill.objects.for_company(self.company).order_by("id"))

    def bill(self, currency: str | None = None) -> Bill:
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

    def ledger_bill(self, bill: Bill) -> dict[str, Any]:
        document = get_document(self.ledger, Dataset.BILLS, bill.codat_id)
        assert document is not None
        return document

    def ledger_payments(self, bill: Bill) -> list[dict[str, Any]]:
        return bill_payments(self.ledger, bill.codat_id)

    def pay(self, bill: Bill, amount: Decimal | None = None, **kwargs: Any) -> Payment:
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


def paying_company(
    *, bills: int = 5, seed: int = 7, name: str = "Paying Ltd", user: User | None = None
) -> PayingCompany:
    ledger_company, ledger = seed_company(
        name=name, bills=bills, suppliers=max(1, bills // 3), seed=seed, statuses=("Open",)
    )
    company = CompanyFactory(
        name=name, codat_company_id=str(ledger_company.id), base_currency="GBP"
    )
    connection = ConnectionFactory(company=company, codat_connection_id=str(ledger.id))
    if user is not None and not Membership.objects.filter(user=user, company=company).exists():
        MembershipFactory(user=user, company=company)
    run = ImportRun.objects.create(company=company, connection=connection)
    payables_import_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    return PayingCompany(company=company, connection=connection, ledger=ledger)
