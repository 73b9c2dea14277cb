"""The company settings page and its connection actions: unlink, reconnect, check status."""

from __future__ import annotations

from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import Company, Connection, User
from payables.models import ImportRun
from sandbox.models import Fault, LedgerConnection
from sandbox.services import connection_deauthorize, fault_inject
from tests.accounts.conftest import ledger_connection
from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

URL = "/accounts/company/"


def _action(connection: Connection, name: str) -> str:
    return f"/onboarding/connections/{connection.pk}/{name}/"


# --- The page ----------------------------------------------------------------------------


def test_it_shows_the_company_its_connection_and_members(
    ledger_client: Client, ledger_company: Company, linked_connection: Connection
) -> None:
    MembershipFactory(
        company=ledger_company, user=UserFactory(email="bob@example.com"), role="admin"
    )

    response = ledger_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Lovelace Engines Ltd</h1>" in html
    assert ledger_company.codat_company_id in html
    assert "GBP" in html
    assert "Xero" in html
    assert 'data-testid="connection-status">Linked<' in html
    assert linked_connection.organisation_name in html
    assert "<td>ada@example.com</td><td>Owner</td>" in html
    assert "<td>bob@example.com</td><td>Admin</td>" in html
    assert _action(linked_connection, "unlink") in html


def test_it_needs_login(client: Client) -> None:
    response = client.get(URL)

    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_it_answers_post_with_405(ledger_client: Client) -> None:
    assert ledger_client.post(URL).status_code == 405


def test_without_a_company_it_asks_for_one(client: Client, newcomer: User) -> None:
    client.force_login(newcomer)

    assert client.get(URL)["Location"] == "/accounts/companies/new/"


def test_without_a_connection_it_offers_to_connect(ledger_client: Client) -> None:
    response = ledger_client.get(URL)

    assert b"No accounting platform is connected yet." in response.content


def test_it_never_shows_another_company(client_logged_in: Client, other_company: Company) -> None:
    session = client_logged_in.session
    session["active_company_id"] = other_company.pk
    session.save()

    response = client_logged_in.get(URL)

    assert b"Acme Widgets Ltd" in response.content
    assert b"Someone Else Ltd" not in response.content
    assert other_company.codat_company_id.encode() not in response.content


def test_it_htmx_returns_only_the_connection_panel(
    ledger_client: Client, linked_connection: Connection
) -> None:
    response = ledger_client.get(URL, headers={"HX-Request": "true"})

    assert b"<html" not in response.content
    assert b'id="connection-panel"' in response.content
    assert b"Members" not in response.content


# --- Unlink ------------------------------------------------------------------------------


def test_unlink_unlinks_in_codat_and_locally(
    ledger_client: Client, linked_connection: Connection
) -> None:
    response = ledger_client.post(_action(linked_connection, "unlink"), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert b"Xero is unlinked." in response.content
    assert b'data-testid="connection-status">Unlinked<' in response.content
    linked_connection.refresh_from_db()
    assert linked_connection.status == Connection.Status.UNLINKED
    assert ledger_connection(linked_connection).status == LedgerConnection.Status.UNLINKED


def test_unlink_another_companys_connection_gets_404(
    client_logged_in: Client, other_company: Company
) -> None:
    connection = other_company.connections.get()

    response = client_logged_in.post(_action(connection, "unlink"))

    assert response.status_code == 404
    connection.refresh_from_db()
    assert connection.status == Connection.Status.LINKED


def test_unlink_needs_login(client: Client, linked_connection: Connection) -> None:
    response = client.post(_action(linked_connection, "unlink"))

    assert response["Location"].startswith("/accounts/login/")


def test_unlink_answers_get_with_405(ledger_client: Client, linked_connection: Connection) -> None:
    assert ledger_client.get(_action(linked_connection, "unlink")).status_code == 405


def test_unlink_with_the_ledger_down_says_so_and_keeps_the_status(
    ledger_client: Client, linked_connection: Connection
) -> None:
    fault_inject(kind=Fault.Kind.SERVER_ERROR, path_contains="/connections/", method="PATCH")

    response = ledger_client.post(_action(linked_connection, "unlink"), follow=True)

    assert b"The accounting service is not responding; please try again." in response.content
    linked_connection.refresh_from_db()
    assert linked_connection.status == Connection.Status.LINKED


def test_unlink_htmx_returns_the_updated_panel(
    ledger_client: Client, linked_connection: Connection
) -> None:
    response = ledger_client.post(
        _action(linked_connection, "unlink"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="connection-status">Unlinked<' in response.content
    assert b"Xero is unlinked." in response.content


# --- Reconnect ---------------------------------------------------------------------------


def test_reconnect_sends_the_user_to_consent_again_and_relinks(
    ledger_client: Client, linked_connection: Connection, enqueued_import: mock.MagicMock
) -> None:
    ledger_client.post(_action(linked_connection, "unlink"))

    response = ledger_client.post(_action(linked_connection, "reconnect"))

    assert response.status_code == 302
    assert response["Location"] == linked_connection.link_url
    consent_path = urlsplit(response["Location"]).path
    allowed = ledger_client.post(consent_path, {"decision": "allow"})
    callback = urlsplit(allowed["Location"])
    landed = ledger_client.get(f"{callback.path}?{callback.query}")
    linked_connection.refresh_from_db()
    assert linked_connection.status == Connection.Status.LINKED
    assert landed["Location"] == f"/imports/{ImportRun.objects.get().pk}/"


def test_reconnect_another_companys_connection_gets_404(
    client_logged_in: Client, other_company: Company
) -> None:
    response = client_logged_in.post(_action(other_company.connections.get(), "reconnect"))

    assert response.status_code == 404


def test_reconnect_answers_get_with_405(
    ledger_client: Client, linked_connection: Connection
) -> None:
    assert ledger_client.get(_action(linked_connection, "reconnect")).status_code == 405


def test_reconnect_needs_login(client: Client, linked_connection: Connection) -> None:
    assert client.post(_action(linked_connection, "reconnect")).status_code == 302


def test_reconnect_htmx_redirects_on_the_client(
    ledger_client: Client, linked_connection: Connection
) -> None:
    response = ledger_client.post(
        _action(linked_connection, "reconnect"), headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == linked_connection.link_url


# --- Check status ------------------------------------------------------------------------


def test_check_shows_a_connection_deauthorized_in_the_platform(
    ledger_client: Client, linked_connection: Connection
) -> None:
    connection_deauthorize(connection=ledger_connection(linked_connection))

    response = ledger_client.post(_action(linked_connection, "check"), follow=True)

    linked_connection.refresh_from_db()
    assert linked_connection.status == Connection.Status.DEAUTHORIZED
    assert b"Xero: Access revoked." in response.content
    assert b"(Deauthorized)" in response.content
    assert _action(linked_connection, "reconnect").encode() in response.content


def test_check_another_companys_connection_gets_404(
    client_logged_in: Client, other_company: Company
) -> None:
    response = client_logged_in.post(_action(other_company.connections.get(), "check"))

    assert response.status_code == 404


def test_check_answers_get_with_405(ledger_client: Client, linked_connection: Connection) -> None:
    assert ledger_client.get(_action(linked_connection, "check")).status_code == 405


def test_check_needs_login(client: Client, linked_connection: Connection) -> None:
    assert client.post(_action(linked_connection, "check")).status_code == 302


def test_check_htmx_returns_the_updated_panel(
    ledger_client: Client, linked_connection: Connection
) -> None:
    connection_deauthorize(connection=ledger_connection(linked_connection))

    response = ledger_client.post(
        _action(linked_connection, "check"), headers={"HX-Request": "true"}
    )

    assert b"<html" not in response.content
    assert b'data-testid="connection-status">Access revoked<' in response.content


def test_a_deauthorized_company_is_sent_back_to_onboarding(
    client: Client, newcomer: User, linked_connection: Connection
) -> None:
    connection_deauthorize(connection=ledger_connection(linked_connection))
    client.force_login(newcomer)
    client.post(_action(linked_connection, "check"))

    response = client.post("/accounts/logout/")
    login = client.post(
        "/accounts/login/",
        {"username": "ada@example.com", "password": "correct-horse-battery-staple"},
    )

    assert response.status_code == 302
    assert login["Location"] == "/onboarding/"
