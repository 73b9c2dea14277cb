"""Invitations by e-mail: inviting, the link's landing page, accepting, signing up, resend, revoke."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.invitations import invitation_create, token_hash
from accounts.models import AuditLogEntry, Company, Invitation, Membership, User
from tests.accounts.factories import PASSWORD, CompanyFactory, MembershipFactory, UserFactory
from tests.accounts.mail import link_in, tasks_run_at_once

__all__ = ["tasks_run_at_once"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]

LIST = "/accounts/company/invitations/"
PASSWORD_OK = "a-long-password-1"

Commit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Commit:
    """Run what the block's transactions hand to on_commit (the e-mail task) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory(email="owner@example.com", full_name="Olive Owner")


@pytest.fixture
def acme(owner: User) -> Company:
    company = CompanyFactory(name="Acme Widgets Ltd")
    MembershipFactory(user=owner, company=company, role=Membership.Role.OWNER)
    return company


@pytest.fixture
def owner_client(client: Client, owner: User, acme: Company) -> Client:
    client.force_login(owner)
    return client


def _invite(client: Client, commit: Commit, email: str, role: str = "clerk") -> Any:
    with commit():
        return client.post(LIST, {"email": email, "role": role})


def _path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def other_client() -> Client:
    """A second browser (the invitee's), beside the owner's."""
    return Client()


@pytest.fixture
def invited(owner_client: Client, committed: Commit) -> str:
    """bob@example.com invited as clerk by the owner; yields the link's path from the e-mail."""
    response = _invite(owner_client, committed, "bob@example.com")
    assert response.status_code == 302
    owner_client.logout()
    return _path(link_in(mail.outbox[-1].body))


# --- Inviting ----------------------------------------------------------------------------------


def test_an_owner_invites_by_email_and_the_message_carries_a_single_link(
    owner_client: Client, committed: Commit, acme: Company, owner: User
) -> None:
    response = _invite(owner_client, committed, "  Bob@Example.COM ", role="approver")

    assert response.status_code == 302
    assert response["Location"] == LIST
    invitation = Invitation.objects.get()
    assert (invitation.company, invitation.email, invitation.role) == (
        acme,
        "bob@example.com",
        "approver",
    )
    assert invitation.invited_by == owner
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    (message,) = mail.outbox
    assert message.to == ["bob@example.com"]
    assert message.subject == "Olive Owner invited you to Acme Widgets Ltd on billpay"
    link = link_in(message.body)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in str(html)
    token = _path(link).split("/")[2]
    # Only the token's hash is stored.
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    page = owner_client.get(LIST).content.decode()
    assert "bob@example.com" in page
    assert "Invitation sent to bob@example.com." in page


def test_an_admin_may_invite_too(client: Client, committed: Commit, acme: Company) -> None:
    admin = MembershipFactory(company=acme, role=Membership.Role.ADMIN).user
    client.force_login(admin)

    assert _invite(client, committed, "bob@example.com").status_code == 302
    assert Invitation.objects.get().invited_by == admin


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"email": "not-an-address", "role": "clerk"},
            "Enter a valid e-mail address, like name@example.com.",
            id="invalid-address",
        ),
        pytest.param(
            {"email": "bob@example.com", "role": "owner"},
            "Choose a role other than owner: the owner hands over to a member.",
            id="owner-role",
        ),
        pytest.param(
            {"email": "bob@example.com", "role": "emperor"},
            "Choose a role other than owner: the owner hands over to a member.",
            id="unknown-role",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(
    owner_client: Client, committed: Commit, data: dict[str, str], message: str
) -> None:
    with committed():
        response = owner_client.post(LIST, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{data["email"]}"' in html
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_active_member_cannot_be_invited(
    owner_client: Client, committed: Commit, acme: Company
) -> None:
    MembershipFactory(company=acme, user=UserFactory(email="bob@example.com"), role="clerk")

    response = _invite(owner_client, committed, "BOB@example.com")

    assert "bob@example.com is already a member of Acme Widgets Ltd." in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_second_open_invitation_to_the_same_address_is_refused(
    owner_client: Client, committed: Commit
) -> None:
    _invite(owner_client, committed, "bob@example.com")

    response = _invite(owner_client, committed, "bob@example.com", role="payer")

    assert (
        "bob@example.com already has an open invitation: resend or revoke it instead."
        in response.content.decode()
    )
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_database_keeps_one_open_invitation_per_address(acme: Company, owner: User) -> None:
    from django.db import IntegrityError, transaction

    invitation_create(company=acme, email="bob@example.com", role="clerk", invited_by=owner)
    duplicate = Invitation.objects.get()
    duplicate.pk = None
    duplicate.token_hash = "0" * 64
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize("role", ["approver", "payer", "clerk", "accountant", "viewer"])
def test_a_member_who_does_not_manage_members_gets_403(
    client: Client, committed: Commit, acme: Company, owner: User, role: str
) -> None:
    member = MembershipFactory(company=acme, role=role).user
    invitation = invitation_create(
        company=acme, email="carol@example.com", role="viewer", invited_by=owner
    )
    client.force_login(member)

    assert client.get(LIST).status_code == 403
    assert _invite(client, committed, "bob@example.com").status_code == 403
    assert client.post(f"{LIST}{invitation.pk}/resend/").status_code == 403
    assert client.post(f"{LIST}{invitation.pk}/revoke/").status_code == 403
    assert list(Invitation.objects.values_list("email", "revoked_at")) == [
        ("carol@example.com", None)
    ]
    assert "Invite someone" not in client.get("/accounts/company/").content.decode()


def test_a_deactivated_admin_is_a_stranger(
    client: Client, committed: Commit, acme: Company
) -> None:
    # As on every company page (the permission matrix): a deactivated member has no company, so
    # the invitations page, like the members page, sends them to create one; nothing is sent.
    admin = MembershipFactory(company=acme, role="admin", deactivated_at=timezone.now()).user
    client.force_login(admin)

    posted = _invite(client, committed, "bob@example.com")
    assert (posted.status_code, posted["Location"]) == (302, "/accounts/companies/new/")
    assert client.get(LIST)["Location"] == "/accounts/companies/new/"
    assert not Invitation.objects.exists()


def test_the_settings_page_links_managers_to_invitations(owner_client: Client) -> None:
    assert f'href="{LIST}"' in owner_client.get("/accounts/company/").content.decode()


def test_another_companys_invitation_is_404(owner_client: Client) -> None:
    elsewhere = MembershipFactory(company=CompanyFactory(), role="owner")
    invitation = invitation_create(
        company=elsewhere.company, email="bob@example.com", role="viewer", invited_by=elsewhere.user
    )

    assert owner_client.post(f"{LIST}{invitation.pk}/revoke/").status_code == 404
    assert owner_client.post(f"{LIST}{invitation.pk}/resend/").status_code == 404
    assert Invitation.objects.get().revoked_at is None


def test_resend_and_revoke_answer_get_with_405(
    owner_client: Client, acme: Company, owner: User
) -> None:
    invitation = invitation_create(
        company=acme, email="bob@example.com", role="viewer", invited_by=owner
    )

    assert owner_client.get(f"{LIST}{invitation.pk}/resend/").status_code == 405
    assert owner_client.get(f"{LIST}{invitation.pk}/revoke/").status_code == 405


def test_the_invite_form_answers_htmx_with_its_fragment(owner_client: Client) -> None:
    response = owner_client.post(
        LIST, {"email": "nope", "role": "clerk"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<form method="post" action="/accounts/company/invitations/"')
    assert "<html" not in html


# --- The landing page: GET shows and changes nothing ----------------------------------------------


def _state() -> list[tuple[Any, ...]]:
    return [
        *Invitation.objects.values_list("token_hash", "expires_at", "accepted_at", "revoked_at"),
        *Membership.objects.values_list("user_id", "role", "deactivated_at"),
        (User.objects.count(), AuditLogEntry.objects.count()),
    ]


def test_a_signed_out_visitor_sees_the_invitation_and_nothing_changes(
    client: Client, invited: str
) -> None:
    before = _state()

    response = client.get(invited)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="invitation-company">Acme Widgets Ltd<' in html
    assert 'data-testid="invitation-role">Clerk<' in html
    assert "Olive Owner" in html
    assert f'href="{invited}signup/"' in html
    assert "/accounts/login/?next=" in html
    assert client.get(f"{invited}signup/").status_code == 200
    assert client.get(f"{invited}accept/").status_code == 405
    assert _state() == before


def test_a_signed_in_invitee_sees_an_accept_button_and_get_changes_nothing(
    client: Client, invited: str
) -> None:
    bob = UserFactory(email="bob@example.com")
    client.force_login(bob)
    before = _state()

    html = client.get(invited).content.decode()

    assert f'action="{invited}accept/"' in html
    assert _state() == before
    assert not Membership.objects.filter(user=bob).exists()


def test_a_signed_out_post_to_accept_asks_to_log_in(client: Client, invited: str) -> None:
    response = client.post(f"{invited}accept/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={invited.replace('/', '%2F')}"
    assert Invitation.objects.get().accepted_at is None


# --- Accepting -------------------------------------------------------------------------------------


def test_an_existing_user_accepts_and_joins_with_the_role(
    client: Client, invited: str, acme: Company
) -> None:
    bob = UserFactory(email="Bob@example.com")
    client.force_login(bob)

    response = client.post(f"{invited}accept/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    membership = Membership.objects.get(user=bob)
    assert (membership.company, membership.role, membership.is_active) == (acme, "clerk", True)
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == bob
    assert invitation.accepted_at is not None
    assert client.session["active_company_id"] == acme.pk


def test_a_user_who_logs_in_from_the_landing_page_comes_back_to_accept(
    client: Client, invited: str
) -> None:
    UserFactory(email="bob@example.com")
    landing = client.get(invited).content.decode()
    assert "Log in as bob@example.com to accept" in landing

    response = client.post(
        f"/accounts/login/?next={invited}",
        {"username": "bob@example.com", "password": PASSWORD},
    )

    assert response["Location"] == invited


def test_the_link_works_once(client: Client, invited: str) -> None:
    bob = UserFactory(email="bob@example.com")
    client.force_login(bob)
    client.post(f"{invited}accept/")

    again = client.post(f"{invited}accept/")
    landing = client.get(invited)

    for response in (again, landing):
        assert response.status_code == 410
        assert "This invitation to Acme Widgets Ltd has already been used." in (
            response.content.decode()
        )
    assert Membership.objects.filter(user=bob).count() == 1


def test_another_signed_in_user_is_refused_clearly(client: Client, invited: str) -> None:
    eve = UserFactory(email="eve@example.com")
    client.force_login(eve)

    landing = client.get(invited)
    accept = client.post(f"{invited}accept/")

    message = "This invitation is for bob@example.com, and you are signed in as eve@example.com."
    for response in (landing, accept):
        assert response.status_code == 403
        assert message in response.content.decode()
    assert not Membership.objects.filter(user=eve).exists()
    assert Invitation.objects.get().accepted_at is None


def test_after_seven_days_the_link_has_expired(client: Client, invited: str) -> None:
    bob = UserFactory(email="bob@example.com")
    client.force_login(bob)
    expires_at = Invitation.objects.get().expires_at

    with time_machine.travel(expires_at - dt.timedelta(seconds=1)):
        assert client.get(invited).status_code == 200
    with time_machine.travel(expires_at + dt.timedelta(seconds=1)):
        landing = client.get(invited)
        accept = client.post(f"{invited}accept/")

    for response in (landing, accept):
        assert response.status_code == 410
        assert "expired on" in response.content.decode()
        assert "Ask whoever invited you to send it again." in response.content.decode()
    assert not Membership.objects.filter(user=bob).exists()


def test_an_unknown_link_gets_a_clear_404(client: Client, db: None) -> None:
    response = client.get("/invitations/not-a-token/")

    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()
    assert client.post("/invitations/not-a-token/signup/", {}).status_code == 404


def test_a_deactivated_member_reinvited_is_reactivated_with_the_new_role(
    owner_client: Client, other_client: Client, committed: Commit, acme: Company
) -> None:
    bob = UserFactory(email="bob@example.com")
    MembershipFactory(company=acme, user=bob, role="viewer", deactivated_at=timezone.now())
    _invite(owner_client, committed, "bob@example.com", role="payer")
    link = _path(link_in(mail.outbox[-1].body))
    owner_client.logout()
    other_client.force_login(bob)

    other_client.post(f"{link}accept/")

    membership = Membership.objects.get(user=bob)
    assert (membership.role, membership.is_active) == ("payer", True)
    entry = AuditLogEntry.objects.get(action="invitation.accepted")
    assert entry.before is not None
    assert entry.before["role"] == "viewer"


# --- Signing up through the invitation ------------------------------------------------------


def test_signing_up_through_the_invitation_creates_the_user_and_joins(
    client: Client, invited: str, acme: Company
) -> None:
    form = client.get(f"{invited}signup/").content.decode()
    assert 'value="bob@example.com"' in form
    assert "disabled" in form

    response = client.post(
        f"{invited}signup/",
        {
            # A posted address is ignored: the account is for the invited one.
            "email": "mallory@example.com",
            "full_name": "Bob Builder",
            "password1": PASSWORD_OK,
            "password2": PASSWORD_OK,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    bob = User.objects.get(email="bob@example.com")
    assert not User.objects.filter(email="mallory@example.com").exists()
    assert bob.check_password(PASSWORD_OK)
    assert Membership.objects.get(user=bob).company == acme
    assert Invitation.objects.get().accepted_by == bob
    assert client.get("/accounts/company/").context["user"] == bob


def test_signup_with_bad_passwords_keeps_the_name_and_joins_nobody(
    client: Client, invited: str
) -> None:
    response = client.post(
        f"{invited}signup/",
        {"full_name": "Bob Builder", "password1": PASSWORD_OK, "password2": "different"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The two passwords do not match." in html
    assert 'value="Bob Builder"' in html
    assert not User.objects.filter(email="bob@example.com").exists()
    assert Invitation.objects.get().accepted_at is None


def test_signup_is_refused_when_the_address_already_has_an_account(
    client: Client, invited: str
) -> None:
    UserFactory(email="bob@example.com")

    response = client.post(
        f"{invited}signup/",
        {"full_name": "Bob", "password1": PASSWORD_OK, "password2": PASSWORD_OK},
    )

    assert "There is already an account with bob@example.com: log in to accept." in (
        response.content.decode()
    )
    assert Invitation.objects.get().accepted_at is None


# --- Resend and revoke ---------------------------------------------------------------------------


def test_resend_makes_a_new_link_extends_expiry_and_the_old_link_stops_working(
    owner_client: Client, other_client: Client, committed: Commit
) -> None:
    _invite(owner_client, committed, "bob@example.com")
    old = _path(link_in(mail.outbox[-1].body))
    invitation = Invitation.objects.get()

    with time_machine.travel(timezone.now() + dt.timedelta(days=6)), committed():
        response = owner_client.post(f"{LIST}{invitation.pk}/resend/")
    new = _path(link_in(mail.outbox[-1].body))

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert new != old
    resent = Invitation.objects.get()
    assert resent.expires_at - invitation.expires_at >= dt.timedelta(days=6)
    bob = UserFactory(email="bob@example.com")
    other_client.force_login(bob)
    stale = other_client.post(f"{old}accept/")
    assert stale.status_code == 404
    assert "This invitation link is not valid." in stale.content.decode()
    assert other_client.post(f"{new}accept/").status_code == 302
    assert Membership.objects.filter(user=bob).exists()


def test_revoke_stops_the_link(
    owner_client: Client, other_client: Client, committed: Commit
) -> None:
    _invite(owner_client, committed, "bob@example.com")
    link = _path(link_in(mail.outbox[-1].body))
    invitation = Invitation.objects.get()

    response = owner_client.post(f"{LIST}{invitation.pk}/revoke/")

    assert response.status_code == 302
    assert "bob@example.com" not in owner_client.get(LIST).content.decode().split("<h2>")[-1]
    other_client.force_login(UserFactory(email="bob@example.com"))
    for answer in (other_client.get(link), other_client.post(f"{link}accept/")):
        assert answer.status_code == 410
        assert "This invitation to Acme Widgets Ltd was withdrawn." in answer.content.decode()
    # Revoked, it can be neither resent nor revoked again; a fresh invitation is allowed.
    again = owner_client.post(f"{LIST}{invitation.pk}/resend/", follow=True)
    assert "was revoked: nothing to resend." in again.content.decode()
    assert _invite(owner_client, committed, "bob@example.com").status_code == 302
    assert Invitation.objects.count() == 2


def test_every_change_is_in_the_audit_log(
    owner_client: Client, other_client: Client, committed: Commit, owner: User, acme: Company
) -> None:
    _invite(owner_client, committed, "bob@example.com")
    invitation = Invitation.objects.get()
    with committed():
        owner_client.post(f"{LIST}{invitation.pk}/resend/")
    link = _path(link_in(mail.outbox[-1].body))
    _invite(owner_client, committed, "carol@example.com")
    carol = Invitation.objects.get(email="carol@example.com")
    owner_client.post(f"{LIST}{carol.pk}/revoke/")
    bob = UserFactory(email="bob@example.com")
    other_client.force_login(bob)
    other_client.post(f"{link}accept/")

    entries = AuditLogEntry.objects.filter(object_type="invitation").order_by("id")
    assert [(e.action, e.object_repr, e.actor, e.company) for e in entries] == [
        ("invitation.created", "bob@example.com", owner, acme),
        ("invitation.resent", "bob@example.com", owner, acme),
        ("invitation.created", "carol@example.com", owner, acme),
        ("invitation.revoked", "carol@example.com", owner, acme),
        ("invitation.accepted", "bob@example.com", bob, acme),
    ]
    created = entries[0]
    assert created.after is not None
    assert (created.after["email"], created.after["role"]) == ("bob@example.com", "clerk")
    # No token, nor its hash, in the log.
    assert "token" not in str([e.after for e in entries] + [e.before for e in entries])


def test_a_rolled_back_invitation_sends_nothing(acme: Company, owner: User) -> None:
    from django.db import transaction

    def invite_then_fail() -> None:
        with transaction.atomic():
            invitation_create(company=acme, email="bob@example.com", role="clerk", invited_by=owner)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        invite_then_fail()

    assert not Invitation.objects.exists()
    assert mail.outbox == []
