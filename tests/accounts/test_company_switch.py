"""Switching the active company among the user's memberships."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Company, User
from accounts.services import ACTIVE_COMPANY_SESSION_KEY
from tests.accounts.factories import CompanyFactory, ConnectionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_company(user: User) -> Company:
    company = CompanyFactory(name="Zed Holdings")
    MembershipFactory(user=user, company=company, role="admin")
    ConnectionFactory(company=company)
    return company


def _url(company: Company) -> str:
    return f"/accounts/companies/{company.pk}/switch/"


def test_it_switches_the_active_company(
    client_logged_in: Client, company: Company, second_company: Company
) -> None:
    response = client_logged_in.post(_url(second_company))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client_logged_in.session[ACTIVE_COMPANY_SESSION_KEY] == second_company.pk
    page = client_logged_in.get("/accounts/company/")
    assert b"<h1>Zed Holdings</h1>" in page.content


def test_it_lands_on_the_next_step_of_the_company_switched_to(
    client_logged_in: Client, user: User
) -> None:
    unlinked = CompanyFactory(name="Fresh Start Ltd")
    MembershipFactory(user=user, company=unlinked)

    response = client_logged_in.post(_url(unlinked))

    assert response["Location"] == "/onboarding/"


def test_another_company_gets_404(client_logged_in: Client, other_company: Company) -> None:
    response = client_logged_in.post(_url(other_company))

    assert response.status_code == 404
    assert client_logged_in.session.get(ACTIVE_COMPANY_SESSION_KEY) != other_company.pk


def test_it_needs_login(client: Client, company: Company) -> None:
    response = client.post(_url(company))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_answers_get_with_405(client_logged_in: Client, company: Company) -> None:
    assert client_logged_in.get(_url(company)).status_code == 405


def test_it_htmx_redirects_on_the_client(client_logged_in: Client, second_company: Company) -> None:
    response = client_logged_in.post(_url(second_company), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == "/"


def test_the_top_bar_offers_the_switch_when_the_user_has_several_companies(
    client_logged_in: Client, company: Company, second_company: Company
) -> None:
    response = client_logged_in.get("/accounts/company/")

    assert b'class="switcher"' in response.content
    assert _url(second_company).encode() in response.content
    assert _url(company).encode() in response.content


def test_the_top_bar_never_lists_other_peoples_companies(
    client_logged_in: Client, second_company: Company, other_company: Company
) -> None:
    response = client_logged_in.get("/accounts/company/")

    assert b"Someone Else Ltd" not in response.content


def test_the_active_company_and_the_switcher_come_from_one_query(
    client_logged_in: Client, user: User, company: Company, second_company: Company
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client_logged_in.post(_url(second_company))
    with CaptureQueriesContext(connection) as captured:
        page = client_logged_in.get("/accounts/company/").content.decode()

    # The user's memberships: which company is active, and which others the switcher offers.
    mine = f'"accounts_membership"."user_id" = {user.pk}'
    reads = [q["sql"] for q in captured.captured_queries if mine in q["sql"]]
    assert len(reads) == 1, reads
    assert "<h1>Zed Holdings</h1>" in page
    assert company.name in page  # the switcher still offers the other one
