"""A payment left pending shows on the sync-health page, and its Retry button settles it once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from payables.models import Payment
from sandbox.models import Fault
from sandbox.services import fault_inject

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("enqueued_payment"),
]

HEALTH = "/sync/"


@pytest.fixture
def pending(paying) -> Payment:
    fault_inject(
        kind=Fault.Kind.SERVER_ERROR,
        company=paying.ledger.company,
        method="POST",
        path_contains="/payment",
        times=1,
        retry_after_seconds=0,
    )
    payment = paying.pay(paying.bill("GBP"))
    assert payment.status == Payment.Status.PENDING
    return payment


def retry_url(payment: Payment) -> str:
    return reverse("payables:payment-retry", args=[payment.pk])


def test_a_pending_payment_is_listed_with_a_retry_button(client, user, pending):
    client.force_login(user)
    html = client.get(HEALTH).text
    assert "Sent to the ledger but not confirmed yet" in html
    assert f'action="{retry_url(pending)}"' in html


def test_retry_records_it_once_and_it_leaves_the_page(client, user, paying, pending):
    client.force_login(user)
    response = client.post(retry_url(pending), follow=True)
    assert "The payment is recorded in the ledger." in response.text
    pending.refresh_from_db()
    assert pending.status == Payment.Status.SUCCEEDED
    assert len(paying.ledger_payments(pending.bill)) == 1
    client.post(retry_url(pending))  # a second click sends nothing more
    assert len(paying.ledger_payments(pending.bill)) == 1
    assert "Sent to the ledger but not confirmed yet" not in client.get(HEALTH).text


def test_retry_while_the_ledger_is_still_down_says_so(client, user, paying, pending):
    fault_inject(
        kind=Fault.Kind.UNAVAILABLE,
        company=paying.ledger.company,
        method="POST",
        path_contains="/payment",
        times=5,
        retry_after_seconds=0,
    )
    client.force_login(user)
    response = client.post(retry_url(pending), follow=True)
    assert "billpay keeps trying" in response.text
    pending.refresh_from_db()
    assert pending.status == Payment.Status.PENDING
    assert paying.ledger_payments(pending.bill) == []


def test_retry_of_another_companys_payment_is_404(client, other_company, user, pending):
    from tests.accounts.factories import UserFactory

    stranger = UserFactory(email="stranger@example.com")
    from tests.accounts.factories import MembershipFactory

    MembershipFactory(user=stranger, company=other_company, role="admin")
    client.force_login(stranger)
    assert client.post(retry_url(pending)).status_code == 404


def test_retry_needs_post_and_login(client, user, pending):
    assert client.post(retry_url(pending)).status_code == 302  # to the login page
    client.force_login(user)
    assert client.get(retry_url(pending)).status_code == 405
