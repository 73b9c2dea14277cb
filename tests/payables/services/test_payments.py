"""bill_pay, payment_retry and payments_reconcile against the in-process sandbox ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from billpay.ledger import codat_client_override
from codat.errors import CodatUnavailable
from codat.money import format_money
from payables.errors import PaymentError, UnableToPay
from payables.models import Bill, Payment, PaymentEvent
from payables.services.payments import payment_retry, payments_reconcile
from payables.tasks import payment_retry as payment_retry_task
from sandbox.api.records import save_document
from sandbox.models import Dataset, Fault, IdempotencyRecord
from sandbox.services import fault_inject
from sandbox.transport import sandbox_transport
from tests.ledger_company import LedgerCompany, paying_company
from tests.payables.factories import BankAccountFactory, PaymentFactory
from tests.payables.ledger_fixtures import sandbox_client

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("enqueued_payment"),
]


def fault(paying: LedgerCompany, kind: str, times: int = 1) -> Fault:
    return fault_inject(
        kind=kind,
        company=paying.ledger.company,
        method="POST",
        path_contains="/payment",
        times=times,
        retry_after_seconds=0,
    )


def kinds(payment: Payment) -> list[str]:
    return list(payment.events.values_list("kind", flat=True))


# --- The happy paths ----------------------------------------------------------------------------


def test_full_payment_is_recorded_once_and_the_bill_follows_the_ledger(paying, user):
    bill = paying.bill("GBP")
    due = bill.amount_due

    payment = paying.pay(bill, user=user)

    assert payment.status == Payment.Status.SUCCEEDED
    ledger_payments = paying.ledger_payments(bill)
    assert [p["id"] for p in ledger_payments] == [payment.codat_id]
    assert Decimal(str(ledger_payments[0]["amount"])) == due
    bill.refresh_from_db()
    assert (bill.status, bill.amount_due) == (Bill.Status.PAID, Decimal(0))
    assert kinds(payment) == ["created", "succeeded"]
    assert payment.events.get(kind="succeeded").correlation_id == payment.codat_id
    assert payment.events.first().actor == user
    # The row's key is the one the ledger saw as Idempotency-Key.
    assert IdempotencyRecord.objects.filter(key=str(payment.idempotency_key)).exists()


def test_partial_payment_leaves_the_bill_partially_paid(paying):
    bill = paying.bill("GBP")
    due = bill.amount_due

    payment = paying.pay(bill, amount=Decimal("10.00"))

    assert payment.status == Payment.Status.SUCCEEDED
    bill.refresh_from_db()
    assert (bill.status, bill.amount_due) == (Bill.Status.PARTIALLY_PAID, due - Decimal("10.00"))
    assert paying.ledger_bill(bill)["status"] == "PartiallyPaid"
    second = paying.pay(bill, amount=Decimal("5.00"))
    assert second.status == Payment.Status.SUCCEEDED
    assert len(paying.ledger_payments(bill)) == 2


def test_the_same_form_twice_records_one_payment(paying):
    bill = paying.bill("GBP")
    key = uuid.uuid4()
    due = bill.amount_due

    first = paying.pay(bill, amount=Decimal("10.00"), idempotency_key=key, amount_due=due)
    again = paying.pay(bill, amount=Decimal("10.00"), idempotency_key=key, amount_due=due)

    assert again.pk == first.pk
    assert len(paying.ledger_payments(bill)) == 1
    assert Payment.objects.count() == 1


def test_a_key_from_another_bill_is_refused(paying):
    first, second = paying.bills()[:2]
    key = uuid.uuid4()
    paying.pay(first, amount=Decimal("1.00"), idempotency_key=key)

    with pytest.raises(UnableToPay, match="not valid any more"):
        paying.pay(second, amount=Decimal("1.00"), idempotency_key=key)
    assert paying.ledger_payments(second) == []


def test_foreign_bill_from_a_base_account_needs_the_currency_rate(paying):
    bill = Bill.objects.for_company(paying.company).exclude(currency="GBP").first()
    if bill is None:
        pytest.skip("the seed made no foreign-currency bill")
    gbp = paying.bank("GBP")

    with pytest.raises(UnableToPay, match="currency rate"):
        paying.pay(bill, amount=Decimal("1.00"), bank_account=gbp)
    payment = paying.pay(
        bill, amount=Decimal("1.00"), bank_account=gbp, currency_rate=Decimal("1.170000000")
    )

    assert payment.status == Payment.Status.SUCCEEDED
    (recorded,) = paying.ledger_payments(bill)
    assert Decimal(str(recorded["currencyRate"])) == Decimal("1.17")
    assert recorded["accountRef"]["id"] == gbp.codat_id


# --- Refusals: nothing recorded anywhere ---------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal(0), "greater than zero"),
        (Decimal("-5.00"), "greater than zero"),
        (Decimal("0.001"), "at most 2 decimal places"),
        (Decimal("99999999"), "more than the amount due"),
    ],
)
def test_bad_amounts_are_refused_before_anything_is_sent(paying, amount, message):
    bill = paying.bill("GBP")
    with pytest.raises(UnableToPay, match=message):
        paying.pay(bill, amount=amount)
    assert Payment.objects.count() == 0
    assert paying.ledger_payments(bill) == []


def test_a_date_far_in_the_future_is_refused(paying):
    bill = paying.bill("GBP")
    with pytest.raises(UnableToPay, match="too far ahead"):
        paying.pay(bill, paid_on=dt.date.today() + dt.timedelta(days=400))
    assert Payment.objects.count() == 0
    assert paying.ledger_payments(bill) == []


def test_another_companys_bank_account_is_refused(paying, other_company):
    bill = paying.bill("GBP")
    foreign = BankAccountFactory(company=other_company, codat_id="x", name="Theirs")
    with pytest.raises(UnableToPay, match="does not belong"):
        paying.pay(bill, bank_account=foreign)
    assert Payment.objects.count() == 0


def test_a_bill_paid_elsewhere_is_stopped_and_the_user_told(paying):
    bill = paying.bill("GBP")
    document = paying.ledger_bill(bill)
    document.update(status="Paid", amountDue=Decimal(0))
    save_document(paying.ledger, Dataset.BILLS, document, parent_id=document["supplierRef"]["id"])

    with pytest.raises(UnableToPay, match="paid in full elsewhere"):
        paying.pay(bill)

    assert paying.ledger_payments(bill) == []
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.STOPPED
    assert kinds(payment) == ["created", "stopped"]
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID  # the local copy caught up with the ledger


def test_an_amount_due_changed_elsewhere_is_named(paying):
    bill = paying.bill("GBP")
    document = paying.ledger_bill(bill)
    new_due = Decimal(str(document["amountDue"])) - Decimal("3.00")
    document.update(status="PartiallyPaid", amountDue=new_due)
    save_document(paying.ledger, Dataset.BILLS, document, parent_id=document["supplierRef"]["id"])

    with pytest.raises(
        UnableToPay, match=f"amount due changed from .* to {format_money(new_due, 'GBP')}"
    ):
        paying.pay(bill)
    assert paying.ledger_payments(bill) == []


def test_a_payment_in_flight_blocks_a_second_one(paying, user):
    bill = paying.bill("GBP")
    PaymentFactory(
        company=paying.company, bill=bill, bank_account=paying.bank(), amount=Decimal(1),
        created_by=user,
    )  # fmt: skip

    with pytest.raises(UnableToPay, match="Another payment of this bill was started by owner@"):
        paying.pay(bill)
    assert paying.ledger_payments(bill) == []


def test_a_refusal_by_the_ledger_fails_the_payment_with_its_message(paying):
    bill = paying.bill("GBP")
    ghost = BankAccountFactory(company=paying.company, codat_id="no-such-account", name="Ghost")

    with pytest.raises(UnableToPay, match="Account Ref"):
        paying.pay(bill, bank_account=ghost)

    payment = Payment.objects.get()
    assert payment.status == Payment.Status.FAILED
    assert "Account Ref" in payment.last_error
    assert kinds(payment) == ["created", "rejected"]


# --- The ledger fails: pending, retried with the same key, reconciled ----------------------------


@pytest.mark.parametrize(
    "kind",
    [Fault.Kind.TIMEOUT, Fault.Kind.SERVER_ERROR, Fault.Kind.UNAVAILABLE, Fault.Kind.RATE_LIMIT],
)
def test_an_unreachable_ledger_leaves_the_payment_pending_and_queues_a_retry(
    paying, enqueued_payment, kind
):
    bill = paying.bill("GBP")
    # The client itself retries a 429 twice (the key is released on a 429); the rest once only.
    fault(paying, kind, times=3 if kind == Fault.Kind.RATE_LIMIT else 1)

    payment = paying.pay(bill)

    assert payment.status == Payment.Status.PENDING
    assert payment.last_error
    enqueued_payment.assert_called_once_with(payment.pk)
    assert paying.ledger_payments(bill) == []

    retried = payment_retry(payment_id=payment.pk)

    assert retried.status == Payment.Status.SUCCEEDED
    assert len(paying.ledger_payments(bill)) == 1
    assert kinds(retried) == ["created", "unavailable", "succeeded"]


def test_a_lost_response_is_replayed_by_the_ledger_not_doubled(paying):
    bill = paying.bill("GBP")
    fault(paying, Fault.Kind.LOST_RESPONSE)

    payment = paying.pay(bill)

    assert payment.status == Payment.Status.PENDING
    (recorded,) = paying.ledger_payments(bill)  # the ledger did record it

    retried = payment_retry(payment_id=payment.pk)

    assert retried.status == Payment.Status.SUCCEEDED
    assert retried.codat_id == recorded["id"]
    assert len(paying.ledger_payments(bill)) == 1
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID


def test_the_retry_task_backs_off_and_succeeds_with_the_same_key(paying):
    bill = paying.bill("GBP")
    fault(paying, Fault.Kind.SERVER_ERROR, times=3)
    payment = paying.pay(bill)
    assert payment.status == Payment.Status.PENDING

    # Eager apply runs Celery's retries inline: two more 500s, then the replayable success.
    result = payment_retry_task.apply(args=[payment.pk])

    assert result.get() == "succeeded"
    payment.refresh_from_db()
    assert payment.attempts == 4
    assert len(paying.ledger_payments(bill)) == 1
    assert payment_retry_task.autoretry_for == (CodatUnavailable,)


def test_retry_does_nothing_to_a_settled_payment(paying):
    payment = paying.pay(paying.bill("GBP"))
    assert payment_retry(payment_id=payment.pk).status == Payment.Status.SUCCEEDED
    assert payment.events.count() == 2


def test_reconcile_resends_within_the_replay_window(paying):
    bill = paying.bill("GBP")
    fault(paying, Fault.Kind.LOST_RESPONSE)
    payment = paying.pay(bill)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        result = payments_reconcile()

    assert (result.checked, result.resent, result.succeeded) == (1, 1, 1)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert len(paying.ledger_payments(bill)) == 1


def test_reconcile_finds_a_lost_payment_by_the_bills_amount_due(paying):
    bill = paying.bill("GBP")
    fault(paying, Fault.Kind.LOST_RESPONSE)
    payment = paying.pay(bill, amount=Decimal("10.00"))

    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        result = payments_reconcile()

    assert (result.resent, result.succeeded) == (0, 1)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert kinds(payment)[-1] == "reconciled"
    assert len(paying.ledger_payments(bill)) == 1


def test_retry_past_the_replay_window_resends_nothing_and_settles_by_amount_due(paying):
    bill = paying.bill("GBP")
    fault(paying, Fault.Kind.LOST_RESPONSE)
    payment = paying.pay(bill, amount=Decimal("10.00"))

    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        assert payment_retry(payment_id=payment.pk).status == Payment.Status.SUCCEEDED

    assert kinds(payment)[-1] == "reconciled"
    assert len(paying.ledger_payments(bill)) == 1


def test_reconcile_fails_a_payment_that_never_reached_the_ledger(paying):
    bill = paying.bill("GBP")
    fault(paying, Fault.Kind.TIMEOUT)
    payment = paying.pay(bill)

    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        result = payments_reconcile()

    assert result.failed == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert "never recorded" in payment.last_error
    assert paying.ledger_payments(bill) == []
    # The bill can be paid again now.
    assert paying.pay(bill).status == Payment.Status.SUCCEEDED


def test_reconcile_leaves_a_recent_pending_payment_to_the_retries(paying):
    fault(paying, Fault.Kind.TIMEOUT)
    paying.pay(paying.bill("GBP"))
    assert payments_reconcile().checked == 0


def test_payment_events_are_append_only(paying):
    payment = paying.pay(paying.bill("GBP"))
    event = payment.events.first()
    event.message = "rewritten"
    with pytest.raises(PaymentError, match="append-only"):
        event.save()
    assert PaymentEvent.objects.filter(message="rewritten").count() == 0


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_the_ledger_is_called_outside_any_transaction_after_the_row_is_committed(enqueued_payment):
    paying = paying_company(bills=3)
    bill = paying.bill("GBP")
    seen: list[tuple[str, bool, list[str]]] = []
    inner = sandbox_transport()

    def handler(request: httpx.Request) -> httpx.Response:
        # Outside any atomic block, what this connection reads is what is committed.
        committed = list(Payment.objects.using("default").values_list("status", flat=True))
        seen.append((request.method, connections["default"].in_atomic_block, committed))
        return inner.handle_request(request)

    with codat_client_override(sandbox_client(handler, sleeps=True)):
        payment = paying.pay(bill)

    assert payment.status == Payment.Status.SUCCEEDED
    assert [(method, atomic) for method, atomic, _ in seen] == [
        ("GET", False),  # the bill check
        ("POST", False),  # the payment
        ("GET", False),  # the read-back
    ]
    assert seen[1][2] == ["pending"]  # the row was committed, pending, before the POST


def test_the_reconcile_task_and_its_beat_entry(paying):
    from django.conf import settings as django_settings

    from payables.tasks import payments_reconcile as task

    entry = django_settings.CELERY_BEAT_SCHEDULE["payments-reconcile"]
    assert entry["task"] == "payables.tasks.payments_reconcile"
    fault(paying, Fault.Kind.TIMEOUT)
    payment = paying.pay(paying.bill("GBP"))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        assert task.apply().get() == {
            "checked": 1, "resent": 1, "succeeded": 1, "failed": 0, "still_pending": 0,
            "needs_review": 0,
        }  # fmt: skip
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_reconcile_flags_a_bill_changed_elsewhere_for_review_once(paying):
    bill = paying.bill("GBP")
    fault(paying, Fault.Kind.TIMEOUT)
    payment = paying.pay(bill, amount=Decimal("10.00"))
    # Meanwhile someone pays 3.00 of it in the ledger itself.
    document = paying.ledger_bill(bill)
    document.update(status="PartiallyPaid", amountDue=Decimal(str(document["amountDue"])) - 3)
    save_document(paying.ledger, Dataset.BILLS, document, parent_id=document["supplierRef"]["id"])

    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        assert payments_reconcile().needs_review == 1
    # A person resolves it now: no later run picks it up again.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=4)):
        assert payments_reconcile().checked == 0

    payment.refresh_from_db()
    assert payment.status == Payment.Status.NEEDS_REVIEW
    assert "changed elsewhere" in payment.last_error
    assert kinds(payment).count("needs_review") == 1
