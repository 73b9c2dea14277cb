"""get-company-information: the organisation behind a connection, and its base currency."""

from __future__ import annotations

import uuid

import httpx
import pytest

from sandbox.models import LedgerCompany, LedgerConnection
from sandbox.seed import seed_company
from sandbox.transport import sandbox_transport
from tests.sandbox.conftest import SANDBOX_BASE_URL

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def info_path(connection: LedgerConnection) -> str:
    return f"/companies/{connection.company_id}/connections/{connection.id}/payables/info"


def test_info_names_the_organisation_and_its_base_currency(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    response = ledger.get(info_path(linked_connection))

    assert response.status_code == 200
    assert response.json() == {"companyName": "Acme Widgets Ltd", "baseCurrency": "GBP"}


def test_info_follows_the_connections_organisation(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    linked_connection.organisation_name = "Acme Widgets (Ireland) Ltd"
    linked_connection.base_currency = "EUR"
    linked_connection.save()

    response = ledger.get(info_path(linked_connection))

    assert response.json() == {"companyName": "Acme Widgets (Ireland) Ltd", "baseCurrency": "EUR"}


def test_info_falls_back_to_the_company_name(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    linked_connection.organisation_name = ""
    linked_connection.save()

    assert ledger.get(info_path(linked_connection)).json()["companyName"] == "Acme Widgets Ltd"


def test_info_of_a_seeded_company(ledger: httpx.Client) -> None:
    _company, connection = seed_company(name="Demo Trading Ltd", bills=5, suppliers=2, seed=1)

    response = ledger.get(info_path(connection))

    assert response.json() == {"companyName": "Demo Trading Ltd", "baseCurrency": "GBP"}


def test_info_stays_readable_after_unlinking(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    linked_connection.status = LedgerConnection.Status.UNLINKED
    linked_connection.save()

    assert ledger.get(info_path(linked_connection)).status_code == 200


def test_info_before_consent_is_400(ledger: httpx.Client, ledger_company: LedgerCompany) -> None:
    pending = LedgerConnection.objects.create(company=ledger_company, platform_key="gbol")

    response = ledger.get(info_path(pending))

    assert response.status_code == 400
    assert "PendingAuth" in response.json()["error"]


def test_info_of_an_unknown_connection_is_404(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    missing = uuid.uuid4()
    path = f"/companies/{linked_connection.company_id}/connections/{missing}/payables/info"

    response = ledger.get(path)

    assert response.status_code == 404
    assert response.json()["error"] == f"Data connection {missing} not found"


def test_info_of_an_unknown_company_is_404(ledger: httpx.Client) -> None:
    company = uuid.uuid4()

    response = ledger.get(f"/companies/{company}/connections/{uuid.uuid4()}/payables/info")

    assert response.status_code == 404
    assert response.json()["error"] == f"No company was found with ID {company}"


def test_info_needs_authentication(linked_connection: LedgerConnection) -> None:
    with httpx.Client(base_url=SANDBOX_BASE_URL, transport=sandbox_transport()) as anonymous:
        response = anonymous.get(info_path(linked_connection))

    assert response.status_code == 401
