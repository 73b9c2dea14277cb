"""The consent page's redirect back to billpay, and the whole onboarding journey."""

from __future__ import annotations

from unittest import mock
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from accounts.models import Company, Connection, Membership, User
from payables.models import ImportRun
from sandbox.models import Fault, LedgerCompany, LedgerConnection
from sandbox.services import fault_inject
from tests.accounts.conftest import consent, ledger_connection

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def _local(url: str) -> str:
    """The path and query of an absolute URL, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _callback(connection: Connection, **params: str) -> str:
    query = {
        "companyId": connection.company.codat_company_id,
        "connectionId": connection.codat_connection_id,
        "statusCode": "200",
        "errorMessage": "",
        **params,
    }
    return "/onboarding/callback?" + urlencode(query)


def test_the_whole_journey_from_sign_up_to_the_import(
    client: Client, enqueued_import: mock.MagicMock
) -> None:
    signup = client.post(
        "/accounts/signup/",
        {
            "email": "ada@example.com",
            "full_name": "Ada Lovelace",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert signup["Location"] == "/accounts/companies/new/"

    created = client.post(signup["Location"], {"name": "Lovelace Engines Ltd"})
    assert created["Location"] == "/onboarding/"
    company = Company.objects.get()
    assert LedgerCompany.objects.filter(pk=company.codat_company_id).exists()
    assert Membership.objects.get().user == User.objects.get(email="ada@example.com")

    chosen = client.post(created["Location"], {"platform": "gbol"})
    consent_page = client.get(_local(chosen["Location"]))
    assert consent_page.status_code == 200
    assert b"Allow billpay" in consent_page.content

    allowed = client.post(_local(chosen["Location"]), {"decision": "allow"})
    callback = _local(allowed["Location"])
    assert callback.startswith("/onboarding/callback?")

    landed = client.get(callback)

    connection = Connection.objects.get()
    assert connection.status == Connection.Status.LINKED
    assert connection.linked_at is not None
    assert connection.status_read_at is not None
    run = ImportRun.objects.get(company=company)
    assert run.connection == connection
    assert landed.status_code == 302
    assert landed["Location"] == f"/imports/{run.pk}/"
    enqueued_import.assert_called_once_with(run.pk)
    # Company information came along: the organisation's name and base currency.
    company.refresh_from_db()
    assert company.base_currency == "GBP"
    assert connection.organisation_name


def test_cancelling_consent_goes_back_to_the_platform_choice(
    ledger_client: Client, pending_connection: Connection, enqueued_import: mock.MagicMock
) -> None:
    url = consent(pending_connection, granted=False)

    response = ledger_client.get(_local(url), follow=True)

    assert response.redirect_chain[-1][0] == "/onboarding/"
    assert (
        b"You cancelled the connection to Xero. Connect again when you are ready."
        in response.content
    )
    pending_connection.refresh_from_db()
    assert pending_connection.status == Connection.Status.PENDING_AUTH
    assert pending_connection.last_error == "User cancelled."
    assert not ImportRun.objects.exists()
    enqueued_import.assert_not_called()


def test_it_reads_the_status_from_the_api_not_the_query_string(
    ledger_client: Client, pending_connection: Connection, enqueued_import: mock.MagicMock
) -> None:
    # The URL claims success, but the user never consented: the connection is still pending.
    response = ledger_client.get(_callback(pending_connection, statusCode="200"), follow=True)

    pending_connection.refresh_from_db()
    assert pending_connection.status == Connection.Status.PENDING_AUTH
    assert pending_connection.status_read_at is not None
    assert not ImportRun.objects.exists()
    assert response.redirect_chain[-1][0] == "/onboarding/"


def test_it_links_even_when_the_query_string_says_otherwise(
    ledger_client: Client, pending_connection: Connection, enqueued_import: mock.MagicMock
) -> None:
    consent(pending_connection, granted=True)

    response = ledger_client.get(_callback(pending_connection, statusCode="403"))

    pending_connection.refresh_from_db()
    assert pending_connection.status == Connection.Status.LINKED
    assert response["Location"] == f"/imports/{ImportRun.objects.get().pk}/"


def test_another_failure_shows_the_error_message(
    ledger_client: Client, pending_connection: Connection
) -> None:
    response = ledger_client.get(
        _callback(pending_connection, statusCode="500", errorMessage="Xero is having a nap."),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/onboarding/"
    assert b"Xero did not connect: Xero is having a nap." in response.content


def test_an_unknown_connection_gets_404(ledger_client: Client, ledger_company: Company) -> None:
    response = ledger_client.get(
        "/onboarding/callback?"
        + urlencode({"companyId": ledger_company.codat_company_id, "connectionId": "nope"})
    )

    assert response.status_code == 404


def test_another_companys_connection_gets_404(
    client_logged_in: Client, other_company: Company
) -> None:
    response = client_logged_in.get(_callback(other_company.connections.get()))

    assert response.status_code == 404


def test_a_company_id_that_does_not_match_gets_404(
    ledger_client: Client, pending_connection: Connection
) -> None:
    response = ledger_client.get(_callback(pending_connection, companyId="someone-else"))

    assert response.status_code == 404


def test_it_needs_login(client: Client) -> None:
    response = client.get("/onboarding/callback?connectionId=x")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/onboarding/callback")


def test_it_answers_post_with_405(ledger_client: Client, pending_connection: Connection) -> None:
    assert ledger_client.post(_callback(pending_connection)).status_code == 405


def test_ledger_down_keeps_the_stored_status_and_says_why(
    ledger_client: Client, pending_connection: Connection
) -> None:
    consent(pending_connection, granted=True)
    fault_inject(kind=Fault.Kind.SERVER_ERROR, path_contains="/connections/", method="GET")

    response = ledger_client.get(_callback(pending_connection), follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/company/"
    assert b"The accounting service is not responding; please try again." in response.content
    pending_connection.refresh_from_db()
    assert pending_connection.status == Connection.Status.PENDING_AUTH
    assert not ImportRun.objects.exists()


def test_the_callback_makes_the_connections_company_active(
    ledger_client: Client,
    newcomer: User,
    pending_connection: Connection,
    enqueued_import: mock.MagicMock,
) -> None:
    session = ledger_client.session
    session["active_company_id"] = None
    session.save()
    consent(pending_connection, granted=True)

    ledger_client.get(_callback(pending_connection))

    assert ledger_client.session["active_company_id"] == pending_connection.company_id
    assert ledger_connection(pending_connection).status == LedgerConnection.Status.LINKED
