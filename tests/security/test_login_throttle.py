"""Login throttling (django-axes): a password guesser is stopped, the account's owner is not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.accounts.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _attempt(client: Client, password: str, ip: str = "203.0.113.5") -> Any:
    return client.post(LOGIN, {"username": "ada@example.com", "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_out_from_that_address(settings: Any) -> None:
    assert settings.AXES_ENABLED
    assert settings.AXES_FAILURE_LIMIT == 5
    UserFactory(email="ada@example.com")
    client = Client()
    for _ in range(4):
        assert _attempt(client, "wrong-guess").status_code == 200

    locked = _attempt(client, "wrong-guess")
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.content

    # Even the right password is refused while the lock lasts, and no session is opened.
    right = _attempt(client, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_does_not_reach_other_addresses(settings: Any) -> None:
    UserFactory(email="ada@example.com")
    for _ in range(5):
        _attempt(Client(), "wrong-guess", ip="203.0.113.5")

    # The owner, from their own address, still logs in: a guesser cannot lock them out everywhere.
    response = _attempt(Client(), PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302


def test_a_successful_login_resets_the_count(settings: Any) -> None:
    UserFactory(email="ada@example.com")
    client = Client()
    for _ in range(4):
        _attempt(client, "wrong-guess")
    assert _attempt(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(4):
        assert _attempt(client, "wrong-guess").status_code == 200
    assert _attempt(client, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(settings: Any) -> None:
    UserFactory(email="ada@example.com", is_staff=True)
    client = Client()
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "ada@example.com", "password": "wrong-guess"},
            REMOTE_ADDR="203.0.113.5",
        )
    response = client.post(
        "/admin/login/",
        {"username": "ada@example.com", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 429
