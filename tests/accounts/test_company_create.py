"""Creating the company: the Codat company first, then the local one, or nothing at all."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client

from accounts.models import Company, Membership, User
from accounts.services import ACTIVE_COMPANY_SESSION_KEY, OnboardingError, company_create
from sandbox.models import Fault, LedgerCompany
from sandbox.services import fault_inject

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

URL = "/accounts/companies/new/"
DOWN = b"The accounting service is not responding; please try again."


@pytest.fixture
def newcomer_client(client: Client, newcomer: User) -> Client:
    client.force_login(newcomer)
    return client


def test_it_shows_the_form(newcomer_client: Client) -> None:
    response = newcomer_client.get(URL)

    assert response.status_code == 200
    assert b"Create your company" in response.content


def test_it_creates_the_codat_company_and_the_owner_membership(
    newcomer_client: Client, newcomer: User
) -> None:
    response = newcomer_client.post(URL, {"name": "  Lovelace (Engines) Ltd "})

    assert response.status_code == 302
    assert response["Location"] == "/onboarding/"
    company = Company.objects.get()
    # Codat drops the brackets from its copy; billpay keeps the name as typed.
    assert company.name == "Lovelace (Engines) Ltd"
    ledger = LedgerCompany.objects.get()
    assert company.codat_company_id == str(ledger.pk)
    assert ledger.name == "Lovelace Engines Ltd"
    membership = Membership.objects.get()
    assert (membership.user, membership.company, membership.role) == (
        newcomer,
        company,
        Membership.Role.OWNER,
    )
    assert company.created_by == newcomer
    assert newcomer_client.session[ACTIVE_COMPANY_SESSION_KEY] == company.pk


def test_it_needs_login(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_it_answers_put_with_405(newcomer_client: Client) -> None:
    assert newcomer_client.put(URL).status_code == 405


def test_it_refuses_an_empty_name_before_calling_the_ledger(newcomer_client: Client) -> None:
    response = newcomer_client.post(URL, {"name": "   "})

    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert not LedgerCompany.objects.exists()


def test_it_shows_the_ledgers_refusal_and_keeps_the_input(newcomer_client: Client) -> None:
    response = newcomer_client.post(URL, {"name": "###"})

    assert response.status_code == 200
    assert b"`Name` must not be empty." in response.content
    assert b'value="###"' in response.content
    assert not Company.objects.exists()
    assert not LedgerCompany.objects.exists()


def test_ledger_down_leaves_nothing_behind_and_trying_again_works(
    newcomer_client: Client,
) -> None:
    fault_inject(kind=Fault.Kind.SERVER_ERROR, path_contains="/companies", method="POST", times=1)

    response = newcomer_client.post(URL, {"name": "Lovelace Engines Ltd"})

    assert response.status_code == 200
    assert DOWN in response.content
    assert b'value="Lovelace Engines Ltd"' in response.content
    assert not Company.objects.exists()
    assert not Membership.objects.exists()
    assert not LedgerCompany.objects.exists()

    again = newcomer_client.post(URL, {"name": "Lovelace Engines Ltd"})

    assert again.status_code == 302
    assert Company.objects.get().codat_company_id == str(LedgerCompany.objects.get().pk)


def test_ledger_unavailable_503_is_shown_too(newcomer_client: Client) -> None:
    fault_inject(kind=Fault.Kind.UNAVAILABLE, path_contains="/companies", method="POST")

    response = newcomer_client.post(URL, {"name": "Lovelace Engines Ltd"})

    assert DOWN in response.content
    assert not Company.objects.exists()


def test_it_htmx_returns_only_the_form_with_its_errors(newcomer_client: Client) -> None:
    response = newcomer_client.post(URL, {"name": "###"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="company-form"' in response.content
    assert b"`Name` must not be empty." in response.content


def test_it_htmx_success_redirects_on_the_client(newcomer_client: Client) -> None:
    response = newcomer_client.post(
        URL, {"name": "Lovelace Engines Ltd"}, headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == "/onboarding/"


def test_a_second_company_becomes_the_active_one(
    newcomer_client: Client, ledger_company: Company
) -> None:
    newcomer_client.post(URL, {"name": "Babbage Analytics"})

    second = Company.objects.get(name="Babbage Analytics")
    assert newcomer_client.session[ACTIVE_COMPANY_SESSION_KEY] == second.pk


# --- The service --------------------------------------------------------------------------


def test_service_deletes_the_codat_company_when_the_local_save_fails(newcomer: User) -> None:
    with (
        mock.patch.object(Membership, "save", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        company_create(user=newcomer, name="Lovelace Engines Ltd")

    assert not Company.objects.exists()
    assert not LedgerCompany.objects.exists()


def test_service_refuses_a_blank_name_without_calling_the_ledger(newcomer: User) -> None:
    with pytest.raises(ValidationError):
        company_create(user=newcomer, name=" ")

    assert not LedgerCompany.objects.exists()


def test_service_turns_a_refusal_into_an_onboarding_error(newcomer: User) -> None:
    with pytest.raises(OnboardingError) as info:
        company_create(user=newcomer, name="%%%")

    assert info.value.messages == ["`Name` must not be empty."]
    assert not Company.objects.exists()


def test_a_ledger_timeout_is_shown_as_not_responding(newcomer_client: Client) -> None:
    fault_inject(kind=Fault.Kind.TIMEOUT, path_contains="/companies", method="POST")

    response = newcomer_client.post(URL, {"name": "Lovelace Engines Ltd"})

    assert response.status_code == 200
    assert DOWN in response.content
    assert not Company.objects.exists()
    assert not LedgerCompany.objects.exists()


def test_a_lost_answer_does_not_leave_a_codat_company_behind(newcomer_client: Client) -> None:
    # The ledger creates the company but the answer never arrives: billpay finds it by the tag
    # it sent and deletes it, so trying again starts from nothing.
    fault_inject(kind=Fault.Kind.LOST_RESPONSE, path_contains="/companies", method="POST", times=1)

    response = newcomer_client.post(URL, {"name": "Lovelace Engines Ltd"})

    assert DOWN in response.content
    assert not Company.objects.exists()
    assert not LedgerCompany.objects.exists()
    assert newcomer_client.post(URL, {"name": "Lovelace Engines Ltd"}).status_code == 302
    assert LedgerCompany.objects.count() == 1


def test_the_codat_company_is_tagged_with_the_attempt_that_made_it(newcomer: User) -> None:
    company = company_create(user=newcomer, name="Lovelace Engines Ltd")

    tags = LedgerCompany.objects.get(pk=company.codat_company_id).tags
    assert set(tags) == {"billpayRequest"}


def test_an_empty_post_says_what_is_missing(newcomer_client: Client) -> None:
    response = newcomer_client.post(URL, {})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Company.objects.exists()
