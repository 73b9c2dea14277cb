"""A company imported from a seeded sandbox ledger, and a recording transport for the refresh."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from django.conf import settings

from accounts.models import Company, Connection
from billpay.ledger import SANDBOX_IN_PROCESS_URL, codat_client_override
from codat.client import CodatClient
from payables.models import ImportRun
from payables.services.runs import payables_import_run
from sandbox.api.records import get_document
from sandbox.models import Dataset, LedgerConnection, LedgerRecord
from sandbox.seed import seed_company
from sandbox.transport import sandbox_transport
from tests.accounts.factories import CompanyFactory, ConnectionFactory, MembershipFactory


@dataclass
class Ledger:
    """Every request sent to the sandbox, and a hook run before each one."""

    requests: list[httpx.URL] = field(default_factory=list)
    before: Callable[[httpx.Request], None] | None = None

    def paths(self, suffix: str) -> list[httpx.URL]:
        return [url for url in self.requests if url.path.endswith(suffix)]

    def bills_requests(self) -> list[httpx.URL]:
        return self.paths("/payables/bills")

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """The in-process sandbox behind a recording transport, for imports and refreshes."""
    recorder = Ledger()
    inner = sandbox_transport()

    def handler(request: httpx.Request) -> httpx.Response:
        recorder.requests.append(request.url)
        if recorder.before is not None:
            recorder.before(request)
        return inner.handle_request(request)

    def client() -> CodatClient:
        return CodatClient(
            base_url=SANDBOX_IN_PROCESS_URL,
            api_key=settings.SANDBOX_API_KEY,
            transport=httpx.MockTransport(handler),
            sleep=lambda seconds: None,
        )

    with codat_client_override(client):
        yield recorder


@dataclass
class Imported:
    company: Company
    connection: Connection
    ledger_connection: LedgerConnection

    def documents(self, dataset: str) -> list[dict[str, Any]]:
        ids = LedgerRecord.objects.filter(
            connection=self.ledger_connection, dataset=dataset
        ).values_list("record_id", flat=True)
        return [d for i in ids if (d := get_document(self.ledger_connection, dataset, i))]

    def bill(self, status: str) -> dict[str, Any]:
        return next(d for d in self.documents(Dataset.BILLS) if d["status"] == status)


def import_ledger(user, *, platform_key: str = "gbol", name: str = "Refresh Ltd") -> Imported:
    """A company of the user linked to a new seeded sandbox ledger (30 bills), fully imported."""
    ledger_company, ledger_connection = seed_company(
        name="Ledger Ltd", bills=30, suppliers=6, seed=11, platform_key=platform_key
    )
    company = CompanyFactory(name=name, codat_company_id=str(ledger_company.id))
    MembershipFactory(user=user, company=company)
    connection = ConnectionFactory(
        company=company,
        codat_connection_id=str(ledger_connection.id),
        platform_key=platform_key,
        platform_name="Xero" if platform_key == "gbol" else "QuickBooks Online",
    )
    run = ImportRun.objects.create(company=company, connection=connection)
    assert payables_import_run(run_id=run.pk).status == ImportRun.Status.SUCCEEDED
    return Imported(company, connection, ledger_connection)


@pytest.fixture
def imported(db, user, ledger) -> Imported:
    """The user's company, linked to a sandbox ledger (Xero) of 30 bills and fully imported."""
    result = import_ledger(user)
    ledger.requests.clear()
    return result


@pytest.fixture
def ledger_client(client, user, imported):
    """The user logged in, working in the imported company."""
    from accounts.services import ACTIVE_COMPANY_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[ACTIVE_COMPANY_SESSION_KEY] = imported.company.pk
    session.save()
    return client
