"""The e-mail path end to end: Django's SMTP backend talks to a real SMTP server on loopback,
and the invitation link read from the received message is followed by the test client."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import Invitation, Membership, User
from tests.accounts.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.accounts.mail import SmtpSink, link_in, smtp_sink, tasks_run_at_once

__all__ = ["smtp_sink", "tasks_run_at_once"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]

PASSWORD_OK = "a-long-password-1"


def test_an_invitation_travels_over_smtp_and_its_link_signs_the_invitee_up(
    client: Client, smtp_sink: SmtpSink, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "billpay <noreply@billpay.test>"
    owner = UserFactory(email="owner@example.com", full_name="Olive Owner")
    company = CompanyFactory(name="Acme Widgets Ltd")
    MembershipFactory(user=owner, company=company, role="owner")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/company/invitations/", {"email": "bob@example.com", "role": "approver"}
        )

    assert response.status_code == 302
    (message,) = smtp_sink.messages
    assert smtp_sink.envelopes == [("noreply@billpay.test", ["bob@example.com"])]
    assert message["To"] == "bob@example.com"
    assert message["Subject"] == "Olive Owner invited you to Acme Widgets Ltd on billpay"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    link = link_in(text.get_content())
    assert f'href="{link}"' in html.get_content()

    client.logout()
    path = urlsplit(link).path
    assert "Acme Widgets Ltd" in client.get(path).content.decode()
    signup = client.post(
        f"{path}signup/",
        {"full_name": "Bob Builder", "password1": PASSWORD_OK, "password2": PASSWORD_OK},
    )

    assert signup.status_code == 302
    bob = User.objects.get(email="bob@example.com")
    assert Membership.objects.get(user=bob).role == "approver"
    assert Invitation.objects.get().accepted_by == bob
    assert client.get(path).status_code == 410
