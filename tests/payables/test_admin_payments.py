"""Payments and their audit log in the admin: visible to staff, never edited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from payables.models import Payment
from tests.accounts.factories import UserFactory
from tests.payables.factories import BillFactory, PaymentEventFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def payment(company):
    bill = BillFactory(company=company)
    payment = PaymentFactory(
        company=company, bill=bill, bank_account__codat_id="b", bank_account__name="Current",
        amount=Decimal("10.00"), paid_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    PaymentEventFactory(
        payment=payment, kind="unavailable", message="Codat did not answer in time",
        correlation_id="corr-1",
    )  # fmt: skip
    return payment


@pytest.mark.parametrize("model", ["payment", "paymentevent"])
def test_listed_and_never_added_changed_or_deleted(staff, payment, model):
    assert staff.get(reverse(f"admin:payables_{model}_changelist")).status_code == 200
    assert staff.get(reverse(f"admin:payables_{model}_add")).status_code == 403
    pk = payment.pk if model == "payment" else payment.events.get().pk
    change = staff.get(reverse(f"admin:payables_{model}_change", args=[pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
    assert staff.post(reverse(f"admin:payables_{model}_delete", args=[pk])).status_code == 403


def test_a_payment_shows_its_audit_log(staff, payment):
    html = staff.get(reverse("admin:payables_payment_change", args=[payment.pk])).text
    assert "Codat did not answer in time" in html
    assert "corr-1" in html


def test_resend_action_queues_pending_payments_only(staff, payment, enqueued_payment):
    staff.post(
        reverse("admin:payables_payment_changelist"),
        {"action": "retry", "_selected_action": [payment.pk]},
    )
    Payment.objects.filter(pk=payment.pk).update(status="succeeded")
    staff.post(
        reverse("admin:payables_payment_changelist"),
        {"action": "retry", "_selected_action": [payment.pk]},
    )
    enqueued_payment.assert_called_once_with(payment.pk)
