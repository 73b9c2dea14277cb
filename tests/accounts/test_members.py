"""The members section of the company settings: change a role, deactivate, reactivate, hand over
the ownership; the company never loses its owner; every change is in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AuditLogEntry, Company, Membership, User
from accounts.permissions import NotAllowed
from accounts.services import (
    MemberError,
    membership_deactivate,
    membership_role_change,
    ownership_hand_over,
)
from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SETTINGS = "/accounts/company/"
Role = Membership.Role


def _role_url(m: Membership) -> str:
    return f"/accounts/company/members/{m.pk}/role/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def owner(company: Company, user: User) -> Membership:
    return Membership.objects.get(company=company, user=user)


@pytest.fixture
def clerk(company: Company) -> Membership:
    return MembershipFactory(
        company=company, role=Role.CLERK, user=UserFactory(email="clerk@example.com")
    )


@pytest.fixture
def admin(company: Company) -> Membership:
    return MembershipFactory(
        company=company, role=Role.ADMIN, user=UserFactory(email="admin@example.com")
    )


# --- The page ----------------------------------------------------------------------------


def test_the_owner_sees_labelled_role_selects_and_the_hand_over(
    client_logged_in: Client, clerk: Membership
) -> None:
    html = client_logged_in.get(SETTINGS).content.decode()

    assert f'<label for="id_member-{clerk.pk}-role">Role of clerk@example.com</label>' in html
    assert 'aria-label="Deactivate clerk@example.com"' in html
    assert "Hand over the ownership" in html
    assert '<label for="id_member">New owner</label>' in html
    # The owner's own row offers no role change.
    assert f"/accounts/company/members/{clerk.pk}/role/" in html
    assert "The owner changes only by a hand-over." in html


def test_a_clerk_sees_the_members_but_no_controls(clerk: Membership) -> None:
    html = _client(clerk.user).get(SETTINGS).content.decode()

    assert "clerk@example.com" in html
    assert "/role/" not in html
    assert "Deactivate" not in html
    assert "Hand over" not in html
    assert "Add a bank account" not in html
    assert "Unlink" not in html


# --- Role changes ------------------------------------------------------------------------


def test_the_owner_changes_a_role_and_it_is_audited(
    client_logged_in: Client, clerk: Membership, owner: Membership
) -> None:
    response = client_logged_in.post(
        _role_url(clerk), {f"member-{clerk.pk}-role": "payer"}, follow=True
    )

    clerk.refresh_from_db()
    assert clerk.role == Role.PAYER
    assert "clerk@example.com is now Payer." in _messages(response)
    entry = AuditLogEntry.objects.get(action="membership.role_changed")
    assert (entry.actor_id, entry.before, entry.after) == (
        owner.user_id,
        {"role": "clerk"},
        {"role": "payer"},
    )


def test_nobody_is_made_owner_by_a_role_change(
    admin: Membership, clerk: Membership, company: Company
) -> None:
    response = _client(admin.user).post(
        _role_url(clerk), {f"member-{clerk.pk}-role": "owner"}, follow=True
    )

    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK
    assert any("Choose one of the roles listed" in m for m in _messages(response))
    with pytest.raises(MemberError, match="hands over"):
        membership_role_change(membership=clerk, role=Role.OWNER, by=admin)
    assert not AuditLogEntry.objects.filter(action="membership.role_changed").exists()


def test_an_admin_cannot_change_the_owner(admin: Membership, owner: Membership) -> None:
    response = _client(admin.user).post(
        _role_url(owner), {f"member-{owner.pk}-role": "viewer"}, follow=True
    )

    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert any("hand over the ownership" in m for m in _messages(response))


def test_the_owner_cannot_demote_themselves(owner: Membership) -> None:
    with pytest.raises(MemberError):
        membership_role_change(membership=owner, role=Role.ADMIN, by=owner)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_a_clerk_cannot_change_roles(clerk: Membership, admin: Membership) -> None:
    response = _client(clerk.user).post(_role_url(admin), {f"member-{admin.pk}-role": "viewer"})

    assert response.status_code == 403
    assert "Your role (Clerk) cannot change members or their roles." in response.content.decode()
    with pytest.raises(NotAllowed):
        membership_role_change(membership=admin, role=Role.VIEWER, by=clerk)
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_another_companys_member_is_404(client_logged_in: Client, other_company: Company) -> None:
    theirs = other_company.memberships.get()

    response = client_logged_in.post(_role_url(theirs), {f"member-{theirs.pk}-role": "viewer"})

    assert response.status_code == 404


# --- Deactivation ------------------------------------------------------------------------


def test_a_deactivated_member_loses_the_company(
    client_logged_in: Client, clerk: Membership, company: Company
) -> None:
    assert _client(clerk.user).get("/suppliers/").status_code == 200

    response = client_logged_in.post(f"/accounts/company/members/{clerk.pk}/deactivate/")

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.deactivated_at is not None
    theirs = _client(clerk.user)
    assert theirs.get("/suppliers/").status_code == 404
    assert theirs.get("/")["Location"] == "/accounts/companies/new/"
    assert theirs.post(f"/accounts/companies/{company.pk}/switch/").status_code == 404
    entry = AuditLogEntry.objects.get(action="membership.deactivated")
    assert entry.after == {"active": False, "role": "clerk"}


def test_reactivating_gives_the_access_back(client_logged_in: Client, clerk: Membership) -> None:
    clerk.deactivated_at = timezone.now()
    clerk.save()

    client_logged_in.post(f"/accounts/company/members/{clerk.pk}/reactivate/")

    clerk.refresh_from_db()
    assert clerk.is_active
    assert _client(clerk.user).get("/suppliers/").status_code == 200
    assert AuditLogEntry.objects.filter(action="membership.reactivated").count() == 1


def test_the_owner_cannot_be_deactivated(admin: Membership, owner: Membership) -> None:
    response = _client(admin.user).post(
        f"/accounts/company/members/{owner.pk}/deactivate/", follow=True
    )

    owner.refresh_from_db()
    assert owner.is_active
    assert any("The owner cannot be deactivated" in m for m in _messages(response))


def test_nobody_deactivates_themselves(admin: Membership) -> None:
    with pytest.raises(MemberError, match="yourself"):
        membership_deactivate(membership=admin, by=admin)


# --- Hand-over ---------------------------------------------------------------------------


def test_the_owner_hands_over_and_becomes_admin(
    client_logged_in: Client, owner: Membership, clerk: Membership, company: Company
) -> None:
    response = client_logged_in.post("/accounts/company/owner/", {"member": clerk.pk}, follow=True)

    owner.refresh_from_db()
    clerk.refresh_from_db()
    assert (owner.role, clerk.role) == (Role.ADMIN, Role.OWNER)
    assert company.memberships.filter(role=Role.OWNER).count() == 1
    assert "clerk@example.com is now the owner; you stay on as an admin." in _messages(response)
    entry = AuditLogEntry.objects.get(action="company.ownership_handed_over")
    assert entry.after == {"owner": "clerk@example.com", "previous_owner_role": "admin"}


def test_an_admin_cannot_hand_over(admin: Membership, clerk: Membership) -> None:
    response = _client(admin.user).post("/accounts/company/owner/", {"member": clerk.pk})

    assert response.status_code == 403
    assert "Your role (Admin) cannot hand over the ownership. Ask an owner." in (
        response.content.decode()
    )
    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK


def test_no_hand_over_to_a_deactivated_member(owner: Membership, clerk: Membership) -> None:
    clerk.deactivated_at = timezone.now()
    clerk.save()

    with pytest.raises(MemberError, match="deactivated"):
        ownership_hand_over(to=clerk, by=owner)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_a_hand_over_without_a_choice_says_so(client_logged_in: Client, owner: Membership) -> None:
    response = client_logged_in.post("/accounts/company/owner/", {}, follow=True)

    assert "Choose the member who becomes the owner." in _messages(response)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
