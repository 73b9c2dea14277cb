"""Choosing the accounting platform: create the Codat connection, go to its linkUrl."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError
from django.test import Client

from accounts.models import Company, Connection
from accounts.services import connection_create
from codat import platforms as codat_platforms
from sandbox.models import Fault, LedgerConnection
from sandbox.services import fault_inject

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

URL = "/onboarding/"


PLATFORMS = [(rules.key, rules.name) for rules in codat_platforms.PLATFORMS]


def test_it_offers_all_six_platforms_each_by_its_name_in_the_tables_order(
    ledger_client: Client,
) -> None:
    response = ledger_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    buttons = re.findall(
        r'<button type="submit" name="platform" value="(\w+)"[^>]*>([^<]*)</button>', html
    )
    assert buttons == [(key, f"Connect {name}") for key, name in PLATFORMS]
    assert [name for _, name in PLATFORMS] == [
        "Xero",
        "QuickBooks Online",
        "Oracle NetSuite",
        "Sage Intacct",
        "FreeAgent",
        "Zoho Books",
    ]
    assert "soon" not in html.lower()
    assert "disabled" not in html
    # Codat's own Sandbox integration is not a platform a customer uses.
    assert 'value="mqjo"' not in html


def test_the_setting_decides_which_platforms_are_offered_and_in_what_order(
    ledger_client: Client, settings: Any
) -> None:
    settings.BILLPAY_PLATFORMS = ["rwuv", "gbol", "mqjo"]

    html = ledger_client.get(URL).content.decode()

    assert re.findall(r'name="platform" value="(\w+)"', html) == ["rwuv", "gbol", "mqjo"]
    assert ">Connect Sandbox</button>" in html
    assert "QuickBooks Online" not in html


@pytest.mark.parametrize(("key", "name"), PLATFORMS)
def test_it_creates_the_connection_and_sends_the_user_to_consent(
    ledger_client: Client, ledger_company: Company, key: str, name: str
) -> None:
    response = ledger_client.post(URL, {"platform": key})

    connection = Connection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == connection.link_url
    assert connection.company == ledger_company
    assert connection.status == Connection.Status.PENDING_AUTH
    assert connection.platform_key == key
    assert connection.platform_name == name
    ledger = LedgerConnection.objects.get(pk=connection.codat_connection_id)
    assert ledger.platform_key == key
    assert str(ledger.company_id) == ledger_company.codat_company_id
    assert urlsplit(connection.link_url).path == (
        f"/sandbox/link-api/companies/{ledger.company_id}/connections/{ledger.id}/start"
    )


def test_the_sandbox_connects_when_the_setting_offers_it(
    ledger_client: Client, settings: Any
) -> None:
    settings.BILLPAY_PLATFORMS = [*settings.BILLPAY_PLATFORMS, "mqjo"]

    response = ledger_client.post(URL, {"platform": "mqjo"})

    assert response.status_code == 302
    assert Connection.objects.get().platform_name == "Sandbox"


@pytest.mark.parametrize(
    ("offered", "key", "message"),
    [
        (["gbol"], "qhyg", "QuickBooks Online is not available: choose another platform."),
        (["gbol", "qhyg"], "rwuv", "Zoho Books is not available: choose another platform."),
        (None, "mqjo", "Sandbox is not available: choose another platform."),
        (None, "ndsk", "QuickBooks Online Sandbox is not available: choose another platform."),
    ],
)
def test_it_refuses_a_platform_switched_off_by_the_setting(
    ledger_client: Client, settings: Any, offered: list[str] | None, key: str, message: str
) -> None:
    if offered is not None:
        settings.BILLPAY_PLATFORMS = offered

    response = ledger_client.post(URL, {"platform": key})

    assert response.status_code == 200
    assert message.encode() in response.content
    assert f'value="{key}"'.encode() not in response.content
    assert not Connection.objects.exists()
    assert not LedgerConnection.objects.exists()


def test_choosing_again_reuses_the_connection_waiting_for_consent(ledger_client: Client) -> None:
    first = ledger_client.post(URL, {"platform": "gbol"})
    second = ledger_client.post(URL, {"platform": "gbol"})

    assert first["Location"] == second["Location"]
    assert Connection.objects.count() == 1
    assert LedgerConnection.objects.count() == 1


@pytest.mark.parametrize("key", ["Xero!", "abcd", "GBOL", "gbol " * 3])
def test_it_refuses_a_key_it_does_not_offer_asking_for_a_choice(
    ledger_client: Client, key: str
) -> None:
    response = ledger_client.post(URL, {"platform": key})

    assert response.status_code == 200
    assert response.content.count(b"Choose an accounting platform.") == 1
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
    response = ledger_client.post(URL, {"platform": "qhyg"}, headers={"HX-Request": "true"})

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
