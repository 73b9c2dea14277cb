"""The consent page a connection's linkUrl leads to, the redirect back, and the Hosted Link."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from codat.platforms import PLATFORMS
from sandbox.api.base import loads
from sandbox.models import LedgerCompany, LedgerConnection, LedgerRecord
from sandbox.platforms import platform_for

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

Status = LedgerConnection.Status
REDIRECT = (
    "https://billpay.example/callback?companyId={companyId}&connectionId={connectionId}"
    "&statusCode={statusCode}&errorMessage={errorMessage}&platform={platform}"
    "&platformName={platformName}&integrationId={integrationId}&sourceType={sourceType}"
)


@pytest.fixture(autouse=True)
def redirect_url(settings: Any) -> None:
    settings.SANDBOX_REDIRECT_URL = REDIRECT


@pytest.fixture
def pending(ledger_company: LedgerCompany) -> LedgerConnection:
    # seeded=True: consent then only changes the status, with or without sandbox.seed's data.
    return LedgerConnection.objects.create(company=ledger_company, platform_key="gbol", seeded=True)


def consent_url(connection: LedgerConnection) -> str:
    return f"/sandbox/link-api/companies/{connection.company_id}/connections/{connection.id}/start"


def redirected_params(response: Any) -> dict[str, str]:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "billpay.example",
        "/callback",
    )
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def test_consent_page_names_the_platform_and_the_organisation(
    client: Client, pending: LedgerConnection
) -> None:
    response = client.get(consent_url(pending))

    assert response.status_code == 200
    assert b"Connect Xero" in response.content
    assert b"Acme Widgets Ltd" in response.content
    assert b'value="allow"' in response.content
    assert b'value="cancel"' in response.content
    assert b"PendingAuth" in response.content


def test_consent_page_keeps_the_link_urls_query_in_its_form(
    client: Client, pending: LedgerConnection
) -> None:
    response = client.get(consent_url(pending), {"ref": "abc"})

    assert b'action="?ref=abc"' in response.content


def test_consent_page_of_an_unknown_connection_is_404(
    client: Client, pending: LedgerConnection
) -> None:
    other = LedgerCompany.objects.create(name="Other")
    url = f"/sandbox/link-api/companies/{other.id}/connections/{pending.id}/start"

    assert client.get(url).status_code == 404


def test_consent_page_refuses_other_methods(client: Client, pending: LedgerConnection) -> None:
    assert client.put(consent_url(pending)).status_code == 405


def test_allow_links_and_redirects_with_the_placeholders_filled(
    client: Client, pending: LedgerConnection, ledger: httpx.Client
) -> None:
    response = client.post(consent_url(pending), {"decision": "allow"})

    params = redirected_params(response)
    assert params == {
        "companyId": str(pending.company_id),
        "connectionId": str(pending.id),
        "statusCode": "200",
        "platform": "gbol",
        "platformName": "Xero",
        "integrationId": platform_for("gbol").integration_id,
        "sourceType": "Accounting",
    }
    assert "errorMessage=&" in response["Location"]
    pending.refresh_from_db()
    assert pending.status == Status.LINKED
    assert pending.last_sync is not None
    fetched = ledger.get(f"/companies/{pending.company_id}/connections/{pending.id}").json()
    assert fetched["status"] == "Linked"


def test_cancel_keeps_the_status_and_records_a_data_connection_error(
    client: Client, pending: LedgerConnection, ledger: httpx.Client
) -> None:
    response = client.post(consent_url(pending), {"decision": "cancel"})

    params = redirected_params(response)
    assert params["statusCode"] == "403"
    assert params["errorMessage"] == "User cancelled."
    assert "errorMessage=User%20cancelled." in response["Location"]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING_AUTH
    fetched = ledger.get(f"/companies/{pending.company_id}/connections/{pending.id}").json()
    [error] = fetched["dataConnectionErrors"]
    assert error["statusCode"] == "403"
    assert error["errorMessage"] == "User cancelled."
    assert error["status"] == "Active"
    assert error["resolvedOnUtc"] is None


def test_allow_after_cancel_resolves_the_error(client: Client, pending: LedgerConnection) -> None:
    client.post(consent_url(pending), {"decision": "cancel"})

    client.post(consent_url(pending), {"decision": "allow"})

    pending.refresh_from_db()
    [error] = pending.data_connection_errors
    assert error["status"] == "Resolved"
    assert error["resolvedOnUtc"] is not None


def test_custom_placeholders_come_from_the_link_urls_query(
    client: Client, pending: LedgerConnection, settings: Any
) -> None:
    settings.SANDBOX_REDIRECT_URL = (
        "https://billpay.example/callback?state={state}&ref={ref}&companyId={companyId}"
    )

    response = client.post(
        f"{consent_url(pending)}?state=s%26t&ref=r1&companyId=forged", {"decision": "allow"}
    )

    params = redirected_params(response)
    # Reserved placeholders win over a custom parameter of the same name.
    assert params == {"state": "s&t", "ref": "r1", "companyId": str(pending.company_id)}


@pytest.mark.parametrize("status", [Status.UNLINKED, Status.DEAUTHORIZED])
def test_consent_relinks_through_the_link_url(
    client: Client, pending: LedgerConnection, status: str
) -> None:
    pending.status = status
    pending.save()

    response = client.post(consent_url(pending), {"decision": "allow"})

    assert redirected_params(response)["statusCode"] == "200"
    pending.refresh_from_db()
    assert pending.status == Status.LINKED


def test_first_link_fills_the_ledger_and_starts_the_initial_read(
    client: Client, ledger: httpx.Client, ledger_company: LedgerCompany, settings: Any
) -> None:
    settings.SANDBOX_LINK_SEED_BILLS = 5
    settings.SANDBOX_LINK_SEED_SUPPLIERS = 3
    settings.SANDBOX_INITIAL_SYNC_SECONDS = 60
    created = ledger.post(
        f"/companies/{ledger_company.id}/connections", json={"platformKey": "gbol"}
    )
    connection = LedgerConnection.objects.get(pk=created.json()["id"])
    assert connection.seeded is False

    response = client.post(consent_url(connection), {"decision": "allow"})

    assert redirected_params(response)["statusCode"] == "200"
    connection.refresh_from_db()
    assert connection.seeded is True
    assert connection.data_ready_at is not None
    assert connection.data_ready_at > timezone.now() + dt.timedelta(seconds=50)
    payables = f"/companies/{ledger_company.id}/connections/{connection.id}/payables"
    assert ledger.get(f"{payables}/suppliers").status_code == 409
    assert LedgerRecord.objects.filter(connection=connection, dataset="bills").count() == 5


@pytest.mark.parametrize(
    ("platform_key", "currency"), [("rwuv", "INR"), ("akxx", "USD"), ("fbrh", "GBP")]
)
def test_first_link_fills_the_ledger_in_the_platforms_home_currency(
    client: Client,
    ledger: httpx.Client,
    ledger_company: LedgerCompany,
    settings: Any,
    platform_key: str,
    currency: str,
) -> None:
    settings.SANDBOX_LINK_SEED_BILLS = 4
    settings.SANDBOX_LINK_SEED_SUPPLIERS = 2
    created = ledger.post(
        f"/companies/{ledger_company.id}/connections", json={"platformKey": platform_key}
    )
    connection = LedgerConnection.objects.get(pk=created.json()["id"])

    client.post(consent_url(connection), {"decision": "allow"})

    connection.refresh_from_db()
    assert connection.base_currency == currency
    assert LedgerRecord.objects.filter(connection=connection, dataset="bills").count() == 4
    accounts = LedgerRecord.objects.filter(connection=connection, dataset="accounts")
    assert {loads(record.document)["currency"] for record in accounts} == {currency}


# --- Hosted Link --------------------------------------------------------------------------------


def test_hosted_link_offers_the_platforms(client: Client, ledger_company: LedgerCompany) -> None:
    response = client.get(f"/sandbox/link/company/{ledger_company.id}")

    assert response.status_code == 200
    page = response.content.decode()
    for rules in PLATFORMS:
        assert f'value="{rules.key}"' in page
        assert rules.name in page
    assert 'value="mqjo"' in page
    assert 'value="ndsk"' in page


def test_hosted_link_creates_the_connection_and_goes_to_its_consent_page(
    client: Client, ledger_company: LedgerCompany, settings: Any
) -> None:
    response = client.post(f"/sandbox/link/company/{ledger_company.id}", {"platform": "qhyg"})

    connection = ledger_company.connections.get()
    assert connection.platform_key == "qhyg"
    assert connection.status == Status.PENDING_AUTH
    assert response.status_code == 302
    assert response["Location"] == (
        f"{settings.SANDBOX_LINK_BASE_URL}/link-api/companies/{ledger_company.id}"
        f"/connections/{connection.id}/start"
    )


def test_hosted_link_ignores_an_unknown_platform(
    client: Client, ledger_company: LedgerCompany
) -> None:
    response = client.post(f"/sandbox/link/company/{ledger_company.id}", {"platform": "zzzz"})

    assert response.status_code == 200
    assert "Choose one of the accounting platforms listed." in response.content.decode()
    assert not ledger_company.connections.exists()
