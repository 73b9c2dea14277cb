"""Never twice, never lost, on PostgreSQL: concurrent pay requests and a chaos run with faults.

Both run in autocommit (transaction=True), as production does: every thread has its own
database connection, and the constraint that allows one in-flight payment per bill is the
PostgreSQL one.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from billpay.ledger import codat_client_override
from codat.errors import CodatUnavailable
from payables.errors import UnableToPay
from payables.models import Bill, Payment
from payables.services.payments import bill_pay, payment_retry, payments_reconcile
from sandbox.models import Fault
from sandbox.services import fault_inject, faults_clear
from tests.ledger_company import LedgerCompany, paying_company
from tests.payables.ledger_fixtures import sandbox_client
from tests.services import service_missing

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "sandbox"], transaction=True),
    pytest.mark.usefixtures("enqueued_payment"),
]


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    if connections["default"].vendor != "postgresql":
        service_missing("PostgreSQL", "the default database is not PostgreSQL")


def test_twenty_concurrent_pay_requests_record_one_ledger_payment() -> None:
    paying = paying_company(bills=3, seed=11)
    bill = paying.bill("GBP")
    bank = paying.bank("GBP")
    due = bill.amount_due
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def pay(n: int) -> None:
        try:
            mine = Bill.objects.get(pk=bill.pk)
            start.wait()
            # Half of them are double clicks of one form (one key), half other browsers.
            key = uuid.UUID(int=1) if n % 2 else uuid.uuid4()
            try:
                payment = bill_pay(
                    company=paying.company, bill=mine, bank_account=bank, amount=due,
                    paid_on=dt.date.today(), idempotency_key=key, amount_due=due,
                )  # fmt: skip
                outcome = f"payment {payment.pk} {payment.status}"
            except UnableToPay as exc:
                outcome = f"refused: {exc.message}"
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 20
    assert len(paying.ledger_payments(bill)) == 1
    succeeded = Payment.objects.filter(bill=bill, status=Payment.Status.SUCCEEDED)
    assert succeeded.count() == 1
    assert not Payment.objects.filter(status=Payment.Status.PENDING).exists()
    # Every other request was told why: in flight, or the bill is paid by now.
    refusals = [o for o in outcomes if o.startswith("refused")]
    assert all(
        "Another payment of this bill" in r or "paid in full elsewhere" in r or "is paid" in r
        for r in refusals
    ), refusals
    # The others got a payment back: the one recorded (a double click of its form, seen while
    # it was still in flight or after), or one of their own stopped by the bill check.
    stopped = set(Payment.objects.filter(status="stopped").values_list("pk", flat=True))
    for outcome in outcomes:
        if outcome.startswith("payment"):
            pk = int(outcome.split()[1])
            assert pk == succeeded.get().pk or pk in stopped, outcome
    bill.refresh_from_db()
    assert (bill.status, bill.amount_due) == (Bill.Status.PAID, Decimal(0))
    print(f"\n20 concurrent pay requests: {Counter(o.split(':')[0] for o in outcomes)}")


# --- The chaos run ---------------------------------------------------------------------------------


_client_without_sleeps = sandbox_client()


FAULT_KINDS = (
    Fault.Kind.RATE_LIMIT,
    Fault.Kind.SERVER_ERROR,
    Fault.Kind.TIMEOUT,
    Fault.Kind.LOST_RESPONSE,
)


def _faults_on(companies: list[LedgerCompany], probability: Decimal) -> None:
    for paying in companies:
        for kind in FAULT_KINDS:
            fault_inject(
                kind=kind,
                company=paying.ledger.company,
                probability=probability,
                retry_after_seconds=0,
            )


def _retry_pending(counts: Counter[str]) -> None:
    """What the Celery worker does with the queued retries."""
    for payment in Payment.objects.filter(status=Payment.Status.PENDING):
        counts["retries"] += 1
        try:
            payment_retry(payment_id=payment.pk)
        except CodatUnavailable:
            counts["retries still unavailable"] += 1


REASONS = {
    "Another payment of this bill": "another payment in flight",
    "it cannot be paid": "bill already paid",
    "more than the amount due": "more than due",
    "since you confirmed": "bill changed since confirmed",
    "could not be checked": "ledger unreadable before sending",
    "ledger refused": "refused by the ledger",
}


def _reason(message: str) -> str:
    return next((short for text, short in REASONS.items() if text in message), message)


def test_chaos_500_pay_operations_over_100_bills() -> None:
    rng = random.Random(20261124)
    # Four ledgers of 25 Open bills each (the sandbox's daily quota grows per linked company).
    companies = [paying_company(bills=25, seed=100 + n, name=f"Chaos {n} Ltd") for n in range(4)]
    bills = [(p, b) for p in companies for b in p.bills()]
    assert len(bills) == 100
    counts: Counter[str] = Counter()

    with codat_client_override(_client_without_sleeps):
        _faults_on(companies, Decimal("0.06"))  # ~22% of all ledger calls fail one way or another
        for n in range(500):
            paying, bill = rng.choice(bills)
            bill.refresh_from_db()
            bank = paying.bank(bill.currency) if rng.random() < 0.8 else paying.bank("GBP")
            roll = rng.random()
            if roll < 0.12:
                amount = bill.amount_due
            elif roll < 0.93:
                amount = (bill.amount_due * Decimal(rng.randint(3, 30)) / 100).quantize(
                    Decimal("0.01")
                )
            else:
                amount = bill.amount_due + Decimal("0.01")  # more than due: refused
            rate = Decimal("1.250000000") if bank.currency != bill.currency else None
            key = uuid.uuid4()
            submits = 2 if rng.random() < 0.1 else 1  # a double click: the same form twice
            for _ in range(submits):
                try:
                    payment = bill_pay(
                        company=paying.company, bill=bill, bank_account=bank, amount=amount,
                        paid_on=dt.date.today(), idempotency_key=key,
                        amount_due=bill.amount_due, currency_rate=rate,
                    )  # fmt: skip
                    counts[f"op {payment.status}"] += 1
                except UnableToPay as exc:
                    counts[f"op refused: {_reason(exc.message)}"] += 1
            if n % 100 == 99 and n < 400:  # the last batch is left to the reconcile job
                _retry_pending(counts)

        # The last retries never ran (the worker gave up, or died): what is left pending past
        # the retry window goes to the reconcile job, twice: within the ledger's replay window
        # (resent with the same key, faults still on), then after it (by the bill's amount due).
        pending_before_reconcile = Payment.objects.filter(status="pending").count()
        faults_clear()
        _faults_on(companies, Decimal("0.2"))  # the ledger is still flaky: ~60% of calls fail
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
            first = payments_reconcile()
        faults_clear()
        with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
            second = payments_reconcile()

    # Every pending payment was settled.
    assert not Payment.objects.filter(status=Payment.Status.PENDING).exists()
    ledger_total = 0
    for paying, bill in bills:
        ledger = paying.ledger_payments(bill)
        ledger_total += len(ledger)
        local = list(Payment.objects.filter(bill=bill, status=Payment.Status.SUCCEEDED))
        # Ledger payments == succeeded local payments, bill by bill, in number and in sum.
        assert len(ledger) == len(local), bill.pk
        assert sum(Decimal(str(p["amount"])) for p in ledger) == sum(p.amount for p in local)
        # None doubled: each local payment with a ledger id is exactly one ledger payment.
        ids = [p.codat_id for p in local if p.codat_id]
        assert len(ids) == len(set(ids))
        assert set(ids) <= {p["id"] for p in ledger}
        # No bill overpaid.
        document = paying.ledger_bill(bill)
        due = Decimal(str(document["amountDue"]))
        total = Decimal(str(document["totalAmount"]))
        assert due >= 0
        assert total - due == sum(Decimal(str(p["amount"])) for p in ledger)
    succeeded = Payment.objects.filter(status=Payment.Status.SUCCEEDED).count()
    assert ledger_total == succeeded

    statuses = Counter(Payment.objects.values_list("status", flat=True))
    print(
        f"\nchaos: 500 operations over 100 bills: {dict(sorted(counts.items()))}"
        f"\n  local payments by status: {dict(statuses)}; ledger payments: {ledger_total}"
        f"\n  pending before reconcile: {pending_before_reconcile}; reconcile in the replay "
        f"window: {first}; after it: {second}"
    )
    assert counts["op pending"] > 0  # the faults did bite
    assert statuses["succeeded"] > 100
