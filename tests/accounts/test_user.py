from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_stored_lower_case() -> None:
    user = User.objects.create_user("Ada@Example.COM", "a-long-password-1")

    assert user.email == "ada@example.com"
    assert User.USERNAME_FIELD == "email"
    assert user.check_password("a-long-password-1")


def test_the_same_email_twice_is_refused() -> None:
    User.objects.create_user("ada@example.com", "a-long-password-1")

    with pytest.raises(ValidationError):
        User.objects.create_user("ADA@example.com", "another-password-2")


def test_superuser_is_staff() -> None:
    admin = User.objects.create_superuser("root@example.com", "a-long-password-1")

    assert admin.is_staff
    assert admin.is_superuser


def test_user_without_email_is_refused() -> None:
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", "a-long-password-1")


def test_login_page_logs_in_with_email(client) -> None:
    User.objects.create_user("ada@example.com", "a-long-password-1")

    response = client.post(
        "/accounts/login/", {"username": "ada@example.com", "password": "a-long-password-1"}
    )

    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_login_page_refuses_a_wrong_password_and_keeps_the_email(client) -> None:
    User.objects.create_user("ada@example.com", "a-long-password-1")

    response = client.post("/accounts/login/", {"username": "ada@example.com", "password": "nope"})

    assert response.status_code == 200
    assert b"ada@example.com" in response.content
    assert b"correct" in response.content
