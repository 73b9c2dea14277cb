"""Choosing the accounting platform: create the Codat connection, go to its linkUrl."""

from __future__ import annotations

from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError
from django.test import Client

from accounts.models import Company, Connection
from accounts.services import connection_create
from sandbox.models import Fault, LedgerConnection
from sandbox.services import fault_inject

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

URL = "/onboarding/"


def test_it_offers_xero_and_sandbox_and_shows_quickbooks_as_coming_soon(
    ledger_client: Client,
) -> None:
    response = ledger_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="platform" value="gbol"' in html
    assert 'name="platform" value="mqjo"' in html
    assert 'name="platform" value="qhyg"' not in html
    assert "QuickBooks Online" in html
    assert "Coming soon" in html
    assert 'disabled aria-disabled="true" data-testid="platform-qhyg"' in html


def test_it_creates_the_connection_and_sends_the_user_to_consent(
    ledger_client: Client, ledger_company: Company
) -> None:
    response = ledger_client.post(URL, {"platform": "mqjo"})

    connection = Connection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == connection.link_url
    assert connection.company == ledger_company
    assert connection.status == Connection.Status.PENDING_AUTH
    assert connection.platform_key == "mqjo"
    assert connection.platform_name == "Sandbox"
    ledger = LedgerConnection.objects.get(pk=connection.codat_connection_id)
    assert str(ledger.company_id) == ledger_company.codat_company_id
    assert urlsplit(connection.link_url).path == (
        f"/sandbox/link-api/companies/{ledger.company_id}/connections/{ledger.id}/start"
    )


def test_the_code_path_takes_any_platform_key(ledger_client: Client) -> None:
    response = ledger_client.post(URL, {"platform": "qhyg"})

    assert response.status_code == 302
    assert Connection.objects.get().platform_name == "QuickBooks Online"


def test_choosing_again_reuses_the_connection_waiting_for_consent(ledger_client: Client) -> None:
    first = ledger_client.post(URL, {"platform": "gbol"})
    second = ledger_client.post(URL, {"platform": "gbol"})

    assert first["Location"] == second["Location"]
    assert Connection.objects.count() == 1
    assert LedgerConnection.objects.count() == 1


def test_it_refuses_a_malformed_key(ledger_client: Client) -> None:
    response = ledger_client.post(URL, {"platform": "Xero!"})

    assert response.status_code == 200
    assert b"Choose an accounting platform." in response.content
    assert not Connection.objects.exists()
    assert not LedgerConnection.objects.exists()


def test_ledger_down_shows_why_and_creates_nothing(ledger_client: Client) -> None:
    fault_inject(kind=Fault.Kind.SERVER_ERROR, path_contains="/connections", method="POST")

    response = ledger_client.post(URL, {"platform": "gbol"})

    assert response.status_code == 200
    assert b"The accounting service is not responding; please try again." in response.content
    assert not Connection.objects.exists()
    assert not LedgerConnection.objects.exists()


def test_it_needs_login(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/onboarding/"


def test_it_answers_put_with_405(ledger_client: Client) -> None:
    assert ledger_client.put(URL).status_code == 405


def test_without_a_company_it_asks_for_one_first(client: Client, newcomer: object) -> None:
    client.force_login(newcomer)  # type: ignore[arg-type]

    response = client.get(URL)

    assert response["Location"] == "/accounts/companies/new/"


def test_it_only_ever_connects_the_active_company(
    client_logged_in: Client, company: Company, other_company: Company
) -> None:
    # A session pointing at a company the user does not belong to falls back to their own.
    session = client_logged_in.session
    session["active_company_id"] = other_company.pk
    session.save()

    response = client_logged_in.get(URL)

    assert b"Acme Widgets Ltd" in response.content
    assert b"Someone Else Ltd" not in response.content


def test_it_htmx_returns_only_the_form_with_its_errors(ledger_client: Client) -> None:
    response = ledger_client.post(URL, {"platform": ""}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="platform-form"' in response.content
    assert b"Choose an accounting platform." in response.content


def test_it_htmx_sends_the_browser_to_the_link_url(ledger_client: Client) -> None:
    response = ledger_client.post(URL, {"platform": "mqjo"}, headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == Connection.objects.get().link_url


def test_service_deletes_the_codat_connection_when_the_local_save_fails(
    ledger_company: Company,
) -> None:
    with (
        mock.patch.object(Connection, "save", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        connection_create(company=ledger_company, platform_key="gbol")

    assert not Connection.objects.exists()
    assert not LedgerConnection.objects.exists()
