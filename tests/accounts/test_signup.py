"""Sign-up, login landing, password change and reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Company, User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
PASSWORD_OK = "a-long-password-1"


def _signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "Grace@Example.com",
        "full_name": "Grace Hopper",
        "password1": PASSWORD_OK,
        "password2": PASSWORD_OK,
    }
    data.update(overrides)
    return data


def test_it_shows_the_signup_form(client: Client) -> None:
    response = client.get(SIGNUP)

    assert response.status_code == 200
    assert b'name="password2"' in response.content
    assert b"<html" in response.content


def test_it_creates_the_user_logs_in_and_asks_for_the_company(client: Client) -> None:
    response = client.post(SIGNUP, _signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/accounts/companies/new/"
    user = User.objects.get()
    assert user.email == "grace@example.com"
    assert user.full_name == "Grace Hopper"
    assert user.check_password(PASSWORD_OK)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_refuses_two_different_passwords_and_keeps_the_input(client: Client) -> None:
    response = client.post(SIGNUP, _signup_data(password2="something-else-9"))

    assert response.status_code == 200
    assert b"The two passwords do not match." in response.content
    assert b'value="Grace@Example.com"' in response.content
    assert b'value="Grace Hopper"' in response.content
    assert not User.objects.exists()


def test_it_refuses_a_weak_password(client: Client) -> None:
    response = client.post(SIGNUP, _signup_data(password1="123", password2="123"))

    assert response.status_code == 200
    assert b"too short" in response.content
    assert not User.objects.exists()


def test_it_refuses_an_email_already_signed_up(client: Client) -> None:
    UserFactory(email="grace@example.com")

    response = client.post(SIGNUP, _signup_data())

    assert response.status_code == 200
    assert b"There is already an account with this email address." in response.content
    assert User.objects.count() == 1


def test_it_answers_put_with_405(client: Client) -> None:
    assert client.put(SIGNUP).status_code == 405


def test_it_htmx_returns_only_the_form_with_its_errors(client: Client) -> None:
    response = client.post(
        SIGNUP, _signup_data(password2="nope-nope-nope"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="signup-form"' in response.content
    assert b"The two passwords do not match." in response.content


def test_it_htmx_success_redirects_on_the_client(client: Client) -> None:
    response = client.post(SIGNUP, _signup_data(), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == "/accounts/companies/new/"


def test_it_sends_a_logged_in_user_to_their_next_step(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get(SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/companies/new/"


# --- Login lands on the onboarding step that is next ---------------------------------------


def _login(client: Client, email: str, next_url: str = "") -> str:
    data = {"username": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302
    return str(response["Location"])


def test_login_without_a_company_lands_on_company_create(client: Client) -> None:
    UserFactory(email="ada@example.com")

    assert _login(client, "ada@example.com") == "/accounts/companies/new/"


def test_login_without_a_linked_connection_lands_on_the_platform_choice(
    client: Client, user: User, company: Company
) -> None:
    company.connections.update(status="Unlinked")

    assert _login(client, user.email) == "/onboarding/"


def test_login_with_a_linked_company_lands_on_the_inbox(
    client: Client, user: User, company: Company
) -> None:
    assert _login(client, user.email) == "/"


def test_login_keeps_next(client: Client, user: User, company: Company) -> None:
    assert _login(client, user.email, "/accounts/company/") == "/accounts/company/"


def test_login_page_links_to_signup_and_reset(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert b'href="/accounts/signup/"' in response.content
    assert b'href="/accounts/password/reset/"' in response.content


# --- Password change and reset ---------------------------------------------------------------


def test_password_change_needs_login(client: Client) -> None:
    response = client.get("/accounts/password/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_password_change_changes_the_password(client_logged_in: Client, user: User) -> None:
    response = client_logged_in.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": PASSWORD_OK, "new_password2": PASSWORD_OK},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    user.refresh_from_db()
    assert user.check_password(PASSWORD_OK)
    assert client_logged_in.get("/accounts/password/change/done/").status_code == 200


def test_password_change_refuses_a_wrong_old_password(client_logged_in: Client) -> None:
    response = client_logged_in.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": PASSWORD_OK, "new_password2": PASSWORD_OK},
    )

    assert response.status_code == 200
    assert b"incorrectly" in response.content


def test_password_reset_mails_a_link_that_sets_a_new_password(client: Client) -> None:
    user = UserFactory(email="ada@example.com")

    response = client.post("/accounts/password/reset/", {"email": "ADA@example.com"})

    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert match is not None
    page = client.get(match.group(1), follow=True)
    assert b"Choose a new password" in page.content
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": PASSWORD_OK, "new_password2": PASSWORD_OK},
    )
    assert done["Location"] == "/accounts/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password(PASSWORD_OK)


def test_password_reset_says_nothing_about_unknown_addresses(client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_base_page_shows_the_company_name_when_there_is_one_company(
    client_logged_in: Client, company: Company
) -> None:
    response = client_logged_in.get("/accounts/company/")

    assert b"Acme Widgets Ltd" in response.content
    assert b'class="switcher"' not in response.content


def test_an_empty_post_says_what_is_missing(client: Client) -> None:
    response = client.post(SIGNUP, {})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not User.objects.exists()
