"""A company linked to a seeded sandbox ledger, with its suppliers, bills and options imported."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import Company, Connection
from payables.models import Account, ImportRun, MappingStatus, Supplier, TaxRate
from payables.services.bills import mapping_options_refresh
from payables.services.runs import payables_import_run
from sandbox.models import Dataset, LedgerConnection, LedgerRecord
from sandbox.seed import seed_company


@dataclass
class Linked:
    company: Company
    connection: Connection
    ledger: LedgerConnection

    def documents(self, dataset: str) -> list[dict[str, Any]]:
        rows = LedgerRecord.objects.filter(connection=self.ledger, dataset=dataset)
        return [json.loads(r.document, parse_float=Decimal) for r in rows]

    def ledger_bill_count(self) -> int:
        return LedgerRecord.objects.filter(connection=self.ledger, dataset=Dataset.BILLS).count()

    def supplier(self) -> Supplier:
        return Supplier.objects.for_company(self.company).filter(status="Active").first()  # type: ignore[return-value]

    def account(self, code: str = "461") -> Account:
        return Account.objects.get(company=self.company, nominal_code=code)

    def tax_rate(self, code: str = "INPUT2") -> TaxRate:
        return TaxRate.objects.get(company=self.company, code=code)

    def archived_account(self) -> Account:
        return Account.objects.filter(company=self.company, status=MappingStatus.ARCHIVED).first()  # type: ignore[return-value]


@pytest.fixture
def linked(company: Company) -> Linked:
    ledger_company, ledger_connection = seed_company(
        name="Acme Widgets Ltd", bills=8, suppliers=5, seed=11, statuses=("Open",)
    )
    company.codat_company_id = str(ledger_company.id)
    company.base_currency = "GBP"
    company.save()
    connection = company.connections.get()
    connection.codat_connection_id = str(ledger_connection.id)
    connection.save()
    run = ImportRun.objects.create(company=company, connection=connection)
    assert payables_import_run(run_id=run.pk).status == ImportRun.Status.SUCCEEDED
    # The import reads active options only; the on-demand refresh reads archived ones too.
    mapping_options_refresh(company=company)
    return Linked(company, connection, ledger_connection)
