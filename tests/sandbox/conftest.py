"""Fixtures for the sandbox ledger's own tests: a raw httpx client on the in-process transport.

The emulator is tested through plain httpx (not billpay's Codat client), so that a bug in the
client can never hide a bug in the emulator. Test modules that touch the ledger's state declare
`pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from django.conf import settings

from sandbox.models import LedgerCompany, LedgerConnection
from sandbox.transport import sandbox_transport

SANDBOX_BASE_URL = "http://sandbox.ledger"


def auth_header(api_key: str | None = None) -> dict[str, str]:
    key = settings.SANDBOX_API_KEY if api_key is None else api_key
    return {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}


@pytest.fixture
def ledger() -> Iterator[httpx.Client]:
    """An authenticated httpx client talking to the sandbox ledger in-process."""
    with httpx.Client(
        base_url=SANDBOX_BASE_URL, transport=sandbox_transport(), headers=auth_header()
    ) as client:
        yield client


@pytest.fixture
def ledger_company() -> LedgerCompany:
    return LedgerCompany.objects.create(name="Acme Widgets Ltd")


@pytest.fixture
def linked_connection(ledger_company: LedgerCompany) -> LedgerConnection:
    """A Linked Xero connection with an empty ledger (no demo data)."""
    return LedgerConnection.objects.create(
        company=ledger_company,
        platform_key="gbol",
        status=LedgerConnection.Status.LINKED,
        seeded=True,
        organisation_name="Acme Widgets Ltd",
        base_currency="GBP",
    )


@pytest.fixture
def payables_path(linked_connection: LedgerConnection) -> str:
    """The /payables base path of the linked connection."""
    return f"/companies/{linked_connection.company_id}/connections/{linked_connection.id}/payables"
