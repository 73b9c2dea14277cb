"""Connections: create, list, unlink, delete, re-link, and what each status allows on /payables."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from sandbox import services
from sandbox.models import LedgerCompany, LedgerConnection
from sandbox.platforms import platform_for
from tests.sandbox.spec_gaps import allow_docs_only_statuses

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

Status = LedgerConnection.Status


def connections_path(company: LedgerCompany) -> str:
    return f"/companies/{company.id}/connections"


def create(ledger: httpx.Client, company: LedgerCompany, key: str = "gbol") -> dict[str, Any]:
    response = ledger.post(connections_path(company), json={"platformKey": key})
    assert response.status_code == 200, response.text
    return response.json()


def set_status(connection: LedgerConnection, status: str) -> None:
    connection.status = status
    connection.save()


# --- create, get, list --------------------------------------------------------------------------


def test_create_connection_starts_pending_auth_with_a_link_url(
    ledger: httpx.Client, ledger_company: LedgerCompany
) -> None:
    response = ledger.post(connections_path(ledger_company), json={"platformKey": "gbol"})

    assert response.status_code == 200
    connection = response.json()
    assert str(uuid.UUID(connection["id"])) == connection["id"]
    assert connection["status"] == "PendingAuth"
    assert connection["platformName"] == "Xero"
    assert connection["integrationKey"] == "gbol"
    assert connection["integrationId"] == platform_for("gbol").integration_id
    assert connection["sourceType"] == "Accounting"
    assert connection["dataConnectionErrors"] == []
    assert connection["linkUrl"] == (
        f"{settings.SANDBOX_LINK_BASE_URL}/link-api/companies/{ledger_company.id}"
        f"/connections/{connection['id']}/start"
    )


@pytest.mark.parametrize(
    ("key", "name"),
    [("gbol", "Xero"), ("qhyg", "QuickBooks Online"), ("mqjo", "Sandbox")],
)
def test_create_connection_names_the_platform(
    ledger: httpx.Client, ledger_company: LedgerCompany, key: str, name: str
) -> None:
    connection = create(ledger, ledger_company, key)

    assert (connection["platformName"], connection["integrationKey"]) == (name, key)


@pytest.mark.parametrize(
    "body",
    [
        {"platformKey": "GBOL"},
        {"platformKey": "gbo"},
        {"platformKey": "gbol1"},
        {"platformKey": 1234},
        {},
    ],
)
def test_create_connection_needs_four_lower_case_letters(
    ledger: httpx.Client, ledger_company: LedgerCompany, settings: Any, body: dict[str, Any]
) -> None:
    # 400 is codat-api.md §9's inference: the spec declares no 400 on create-connection.
    allow_docs_only_statuses(settings)

    response = ledger.post(connections_path(ledger_company), json=body)

    assert response.status_code == 400
    assert "Platform Key" in response.json()["validation"]["errors"][0]["message"]
    assert not ledger_company.connections.exists()


def test_create_connection_for_an_unknown_company_is_404(ledger: httpx.Client) -> None:
    response = ledger.post(f"/companies/{uuid.uuid4()}/connections", json={"platformKey": "gbol"})

    assert response.status_code == 404


def test_get_connection_and_see_it_on_the_company(
    ledger: httpx.Client, ledger_company: LedgerCompany
) -> None:
    connection = create(ledger, ledger_company)

    fetched = ledger.get(f"{connections_path(ledger_company)}/{connection['id']}").json()
    company = ledger.get(f"/companies/{ledger_company.id}").json()

    assert fetched == connection
    assert company["dataConnections"] == [connection]


def test_list_connections_pages_and_filters(
    ledger: httpx.Client, ledger_company: LedgerCompany
) -> None:
    first = create(ledger, ledger_company, "gbol")
    create(ledger, ledger_company, "qhyg")
    LedgerConnection.objects.filter(pk=first["id"]).update(status=Status.LINKED)

    page = ledger.get(connections_path(ledger_company), params={"pageSize": 1}).json()
    linked = ledger.get(connections_path(ledger_company), params={"query": "status=Linked"}).json()
    ordered = ledger.get(connections_path(ledger_company), params={"orderBy": "-platformName"})

    assert page["totalResults"] == 2
    assert page["_links"]["self"] == {"href": connections_path(ledger_company)}
    assert page["_links"]["next"] == {
        "href": f"{connections_path(ledger_company)}?page=2&pageSize=1"
    }
    assert [c["id"] for c in linked["results"]] == [first["id"]]
    assert [c["platformName"] for c in ordered.json()["results"]] == ["Xero", "QuickBooks Online"]


# --- unlink, delete, re-link --------------------------------------------------------------------


def test_unlink_sets_unlinked(ledger: httpx.Client, linked_connection: LedgerConnection) -> None:
    url = f"{connections_path(linked_connection.company)}/{linked_connection.id}"

    response = ledger.patch(url, json={"status": "Unlinked"})

    assert response.status_code == 200
    assert response.json()["status"] == "Unlinked"
    linked_connection.refresh_from_db()
    assert linked_connection.status == Status.UNLINKED


@pytest.mark.parametrize(
    "body", [{"status": "Linked"}, {"status": "Unlinked", "extra": 1}, {}, ["Unlinked"]]
)
def test_unlink_accepts_only_status_unlinked(
    ledger: httpx.Client, linked_connection: LedgerConnection, settings: Any, body: Any
) -> None:
    allow_docs_only_statuses(settings)
    url = f"{connections_path(linked_connection.company)}/{linked_connection.id}"

    response = ledger.patch(url, json=body)

    assert response.status_code == 400
    linked_connection.refresh_from_db()
    assert linked_connection.status == Status.LINKED


def test_delete_connection_answers_200_and_then_it_is_not_found(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    url = f"{connections_path(linked_connection.company)}/{linked_connection.id}"

    response = ledger.delete(url)

    assert response.status_code == 200
    assert response.content == b""
    gone = ledger.get(url)
    assert gone.status_code == 404
    assert gone.json()["error"] == f"Data connection {linked_connection.id} not found"


def test_unknown_connection_id_is_404(ledger: httpx.Client, ledger_company: LedgerCompany) -> None:
    response = ledger.get(f"{connections_path(ledger_company)}/not-a-uuid")

    assert response.status_code == 404
    assert response.json()["error"] == "Data connection not-a-uuid not found"


def test_connection_of_another_company_is_404(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    other = LedgerCompany.objects.create(name="Other")

    response = ledger.get(f"{connections_path(other)}/{linked_connection.id}/payables/suppliers")

    assert response.status_code == 404
    assert response.json()["error"] == f"Data connection {linked_connection.id} not found"


@pytest.mark.parametrize("status", [Status.UNLINKED, Status.DEAUTHORIZED])
def test_consent_relinks_an_unlinked_or_deauthorized_connection(
    ledger: httpx.Client, linked_connection: LedgerConnection, status: str
) -> None:
    set_status(linked_connection, status)

    services.connection_consent(connection=linked_connection, granted=True)

    url = f"{connections_path(linked_connection.company)}/{linked_connection.id}"
    assert ledger.get(url).json()["status"] == "Linked"


# --- What each status allows on /payables (records.payables_connection) -------------------------


def test_pending_auth_connection_refuses_every_payables_call(
    ledger: httpx.Client, linked_connection: LedgerConnection, payables_path: str
) -> None:
    set_status(linked_connection, Status.PENDING_AUTH)

    calls = [
        ledger.get(f"{payables_path}/suppliers"),
        ledger.get(f"{payables_path}/info"),
        ledger.post(f"{payables_path}/suppliers", json={"supplierName": "A", "status": "Active"}),
    ]

    assert [c.status_code for c in calls] == [400, 400, 400]
    assert "PendingAuth: it must be linked first" in calls[0].json()["error"]


@pytest.mark.parametrize("status", [Status.UNLINKED, Status.DEAUTHORIZED])
def test_unlinked_or_deauthorized_connection_reads_but_does_not_write(
    ledger: httpx.Client, linked_connection: LedgerConnection, payables_path: str, status: str
) -> None:
    supplier = ledger.post(
        f"{payables_path}/suppliers", json={"supplierName": "Kept Ltd", "status": "Active"}
    ).json()
    set_status(linked_connection, status)

    listed = ledger.get(f"{payables_path}/suppliers")
    info = ledger.get(f"{payables_path}/info")
    created = ledger.post(
        f"{payables_path}/suppliers", json={"supplierName": "New", "status": "Active"}
    )
    updated = ledger.put(
        f"{payables_path}/suppliers/{supplier['id']}",
        json={"supplierName": "Renamed", "status": "Active"},
    )
    account = ledger.post(
        f"{payables_path}/bankAccounts",
        json={"name": "B", "accountType": "Debit", "accountNumber": "1", "currency": "GBP"},
    )

    assert listed.status_code == 200
    assert [s["supplierName"] for s in listed.json()["results"]] == ["Kept Ltd"]
    assert info.status_code == 200
    assert [created.status_code, updated.status_code, account.status_code] == [400, 400, 400]
    assert "it can no longer be written to" in created.json()["error"]


def test_lists_answer_409_until_the_initial_read_is_done(
    ledger: httpx.Client, linked_connection: LedgerConnection, payables_path: str
) -> None:
    linked_connection.data_ready_at = timezone.now() + dt.timedelta(seconds=30)
    linked_connection.save()

    during = ledger.get(f"{payables_path}/suppliers")
    info = ledger.get(f"{payables_path}/info")
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        after = ledger.get(f"{payables_path}/suppliers")

    assert during.status_code == 409
    assert during.json()["error"] == "The data set has not been requested."
    assert info.status_code == 200
    assert after.status_code == 200


def test_company_information_names_the_organisation_and_its_currency(
    ledger: httpx.Client, linked_connection: LedgerConnection, payables_path: str
) -> None:
    linked_connection.organisation_name = "Acme Widgets (Xero org)"
    linked_connection.base_currency = "EUR"
    linked_connection.save()

    response = ledger.get(f"{payables_path}/info")

    assert response.json() == {"companyName": "Acme Widgets (Xero org)", "baseCurrency": "EUR"}


# --- Admin actions ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Client) -> Client:
    # No password: hashing one costs a third of a second, and force_login needs none.
    admin = User.objects.create_superuser(email="admin@example.com", password=None)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("deauthorize", Status.LINKED, Status.DEAUTHORIZED),
        ("unlink", Status.LINKED, Status.UNLINKED),
        ("link", Status.UNLINKED, Status.LINKED),
        ("link", Status.PENDING_AUTH, Status.LINKED),
    ],
)
def test_admin_actions_move_the_connection(
    admin_client: Client, linked_connection: LedgerConnection, action: str, start: str, end: str
) -> None:
    set_status(linked_connection, start)

    response = admin_client.post(
        reverse("admin:sandbox_ledgerconnection_changelist"),
        {"action": action, "_selected_action": [str(linked_connection.pk)]},
    )

    assert response.status_code == 302
    linked_connection.refresh_from_db()
    assert linked_connection.status == end


def test_admin_lists_connections_with_status_and_platform(
    admin_client: Client, linked_connection: LedgerConnection
) -> None:
    response = admin_client.get(reverse("admin:sandbox_ledgerconnection_changelist"))

    assert response.status_code == 200
    assert b"Xero" in response.content
    assert b"Linked" in response.content


def test_admin_shows_a_company_with_its_connections(
    admin_client: Client, linked_connection: LedgerConnection
) -> None:
    url = reverse("admin:sandbox_ledgercompany_change", args=[linked_connection.company_id])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert b"gbol" in response.content
