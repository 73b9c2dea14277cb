"""Staff can see companies, memberships and connections in the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Company, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root@example.com", "a-long-password-1"))
    return client


@pytest.mark.parametrize("model", ["company", "membership", "connection", "user"])
def test_it_lists_the_model(staff_client: Client, company: Company, model: str) -> None:
    response = staff_client.get(f"/admin/accounts/{model}/")

    assert response.status_code == 200


def test_the_company_page_shows_members_and_connections(
    staff_client: Client, company: Company
) -> None:
    response = staff_client.get(f"/admin/accounts/company/{company.pk}/change/")

    assert response.status_code == 200
    assert b"owner@example.com" in response.content
    assert b"Xero" in response.content


def test_connection_status_is_read_only(staff_client: Client, company: Company) -> None:
    connection = company.connections.get()

    response = staff_client.get(f"/admin/accounts/connection/{connection.pk}/change/")

    assert response.status_code == 200
    assert b'name="status"' not in response.content


def test_staff_see_invitations_but_not_their_tokens(staff_client: Client, company: Company) -> None:
    from accounts.invitations import invitation_create

    owner = company.memberships.get().user
    invitation = invitation_create(
        company=company, invited_by=owner, email="new@example.com", role="clerk"
    )

    listing = staff_client.get("/admin/accounts/invitation/")
    page = staff_client.get(f"/admin/accounts/invitation/{invitation.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert b"new@example.com" in listing.content
    assert invitation.token_hash.encode() not in page.content
