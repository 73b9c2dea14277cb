"""A payment flagged for a person (issue 11, section 2): it needs review, holds its bill, and a
person resolves it in the app or the admin ("in the ledger" with its id, or "not"), audited."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLogEntry, Membership
from payables.errors import UnableToPay
from payables.models import Payment
from payables.services.payments import payment_resolve, payments_reconcile
from sandbox.api.records import save_document
from sandbox.models import Dataset, Fault
from sandbox.services import fault_inject
from tests.accounts.factories import UserFactory
from tests.ledger_company import LedgerCompany

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("enqueued_payment"),
]


def _lost_then_changed_elsewhere(paying: LedgerCompany) -> Payment:
    """A payment of 10.00 whose answer never came, while 3.00 was paid in the ledger itself."""
    bill = paying.bill("GBP")
    fault_inject(
        kind=Fault.Kind.TIMEOUT, company=paying.ledger.company, method="POST",
        path_contains="/payment", times=1,
    )  # fmt: skip
    payment = paying.pay(bill, amount=Decimal("10.00"))
    document = paying.ledger_bill(bill)
    document.update(status="PartiallyPaid", amountDue=Decimal(str(document["amountDue"])) - 3)
    save_document(paying.ledger, Dataset.BILLS, document, parent_id=document["supplierRef"]["id"])
    return payment


@pytest.fixture
def flagged(paying) -> Payment:
    payment = _lost_then_changed_elsewhere(paying)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        payments_reconcile()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.NEEDS_REVIEW
    return payment


# --- Services --------------------------------------------------------------------------------------


def test_a_payment_needing_review_holds_the_bill_and_is_not_retried(paying, flagged) -> None:
    with pytest.raises(UnableToPay, match="needs review"):
        paying.pay(flagged.bill, amount=Decimal("1.00"))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=5)):
        assert payments_reconcile().checked == 0
    assert paying.ledger_payments(flagged.bill) == []


def test_not_in_the_ledger_fails_it_audited_and_the_bill_can_be_paid_again(
    paying, flagged, user
) -> None:
    resolved = payment_resolve(payment=flagged, in_ledger=False, user=user)

    assert resolved.status == Payment.Status.FAILED
    assert resolved.settled_at is not None
    event = resolved.events.order_by("-id").first()
    assert (event.kind, event.actor) == ("resolved", user)
    entry = AuditLogEntry.objects.get(action="payment.resolved", object_id=str(flagged.pk))
    assert entry.after["status"] == "failed"
    assert entry.before["status"] == "needs_review"
    again = paying.pay(flagged.bill, amount=Decimal("1.00"))
    assert again.status == Payment.Status.SUCCEEDED


def test_in_the_ledger_needs_its_id_and_records_it(paying, flagged, user) -> None:
    with pytest.raises(UnableToPay, match="id as the ledger shows it"):
        payment_resolve(payment=flagged, in_ledger=True, ledger_payment_id="  ", user=user)

    resolved = payment_resolve(
        payment=flagged, in_ledger=True, ledger_payment_id="PAY-77", user=user
    )

    assert (resolved.status, resolved.codat_id) == (Payment.Status.SUCCEEDED, "PAY-77")
    with pytest.raises(UnableToPay, match="does not need review"):
        payment_resolve(payment=flagged, in_ledger=False, user=user)
    assert AuditLogEntry.objects.filter(action="payment.resolved").count() == 1


def test_a_pending_payment_cannot_be_resolved_by_hand(paying, user) -> None:
    payment = _lost_then_changed_elsewhere(paying)  # pending: billpay can still find out
    with pytest.raises(UnableToPay, match="does not need review"):
        payment_resolve(payment=payment, in_ledger=False, user=user)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


# --- The app -------------------------------------------------------------------------------------


@pytest.fixture
def web(client, user):
    client.force_login(user)
    return client


def review_url(payment: Payment) -> str:
    return reverse("payables:payment-review", args=[payment.pk])


def test_the_bill_page_and_sync_health_lead_to_the_review_without_a_false_retry(
    web, flagged
) -> None:
    bill_page = web.get(reverse("payables:bill-detail", args=[flagged.bill_id])).text
    assert f'href="{review_url(flagged)}"' in bill_page
    assert "Review this payment" in bill_page
    health = web.get(reverse("payables:sync-health")).text
    assert f'href="{review_url(flagged)}"' in health
    assert "keeps trying" not in health
    assert reverse("payables:payment-retry", args=[flagged.pk]) not in health


def test_the_review_page_shows_what_the_ledger_says_now(web, flagged) -> None:
    html = web.get(review_url(flagged)).text
    before = flagged.amount_due_before
    assert "It is in the ledger" in html
    assert "It is not in the ledger" in html
    assert "id in the ledger" in html
    # The ledger's amount due now (3.00 paid elsewhere), beside what this payment alone would give.
    assert f"{before - 3:,.2f} GBP" in html
    assert f"{before - 10:,.2f} GBP" in html


def test_resolving_in_the_app_keeps_the_input_on_a_missing_id_then_settles(web, flagged) -> None:
    refused = web.post(review_url(flagged), {"answer": "in_ledger", "ledger_payment_id": ""})
    assert refused.status_code == 200
    assert "id as the ledger shows it" in refused.text
    assert re.search(r'value="in_ledger"[^>]*checked', refused.text)
    unchosen = web.post(review_url(flagged), {"ledger_payment_id": "PAY-9"})
    assert "Choose what the ledger shows." in unchosen.text
    assert 'value="PAY-9"' in unchosen.text

    done = web.post(review_url(flagged), {"answer": "in_ledger", "ledger_payment_id": "PAY-9"})

    assert done.status_code == 302
    assert done["Location"] == reverse("payables:bill-detail", args=[flagged.bill_id])
    flagged.refresh_from_db()
    assert (flagged.status, flagged.codat_id) == (Payment.Status.SUCCEEDED, "PAY-9")
    assert "recorded in the ledger (PAY-9)" in web.get(done["Location"]).text


def test_retry_of_a_payment_past_the_replay_window_tells_the_truth(web, paying) -> None:
    payment = _lost_then_changed_elsewhere(paying)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        response = web.post(reverse("payables:payment-retry", args=[payment.pk]))
    assert response.status_code == 302
    assert response["Location"] == review_url(payment)
    page = web.get(response["Location"]).text
    assert "no longer retries it" in page
    assert "keeps trying" not in page


def test_another_companys_payment_review_is_404(client, other_company, flagged) -> None:
    client.force_login(Membership.objects.filter(company=other_company).first().user)
    assert client.get(review_url(flagged)).status_code == 404
    assert client.post(review_url(flagged), {"answer": "not_in_ledger"}).status_code == 404
    flagged.refresh_from_db()
    assert flagged.status == Payment.Status.NEEDS_REVIEW


# --- The admin -----------------------------------------------------------------------------------


def test_staff_resolve_it_from_the_admin_change_view(client, flagged) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    change = client.get(reverse("admin:payables_payment_change", args=[flagged.pk])).text
    resolve_url = reverse("admin:payables_payment_resolve", args=[flagged.pk])
    assert f'href="{resolve_url}"' in change
    page = client.get(resolve_url).text
    assert "It is not in the ledger" in page
    assert "Amount due in the ledger now" in page

    response = client.post(resolve_url, {"answer": "not_in_ledger"})

    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == Payment.Status.FAILED
    entry = AuditLogEntry.objects.get(action="payment.resolved")
    assert entry.actor == staff
    assert flagged.events.order_by("-id").first().actor == staff


def test_the_admin_resolve_view_is_for_staff_only(client, user, flagged) -> None:
    client.force_login(user)
    url = reverse("admin:payables_payment_resolve", args=[flagged.pk])
    assert client.post(url, {"answer": "not_in_ledger"}).status_code == 302  # to the admin login
    flagged.refresh_from_db()
    assert flagged.status == Payment.Status.NEEDS_REVIEW
