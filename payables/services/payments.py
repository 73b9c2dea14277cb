"""Paying bills and adding bank accounts.

Never twice, never lost: the payment row is committed before the ledger is called,
its idempotency key travels as the Idempotency-Key header, the call runs outside any transaction,
and its answer settles the row by compare-and-set. What is left pending is retried with the same
key, then reconciled.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

import codat.types as codat
from accounts.models import Company, Connection, User
from accounts.permissions import can_manage_bank_accounts, can_pay
from accounts.services import audit_log_record, member_permission_check
from billpay.ledger import codat_client
from codat.client import CodatClient
from codat.errors import (
    CodatAuthError,
    CodatError,
    CodatRejected,
    CodatUnavailable,
    idempotency_key_reused,
    idempotency_key_spent,
)
from codat.money import (
    currency_decimals,
    format_amount,
    format_money,
    has_minor_units,
    rate_label,
)
from codat.platforms import MissingRate, rules_for
from payables import platform_checks, tasks
from payables.errors import (
    KEY_REUSED_MESSAGE,
    ApprovalError,
    PayablesError,
    PaymentError,
    UnableToPay,
)
from payables.models import BankAccount, Bill, MappingStatus, Payment, PaymentEvent
from payables.services import approvals, mirror
from payables.services.connection import require_linked_connection

logger = logging.getLogger(__name__)


# Retries resend the same key only while the ledger still remembers it (Codat keeps an answer for
# 90 minutes; a margin for clocks and queues). After that a resend could record a second payment,
# so the reconcile job reads the bill's amount due instead.
PAYMENT_REPLAY_WINDOW = dt.timedelta(minutes=80)
# A payment still pending this long after its last attempt is the reconcile job's.
PAYMENT_RETRY_WINDOW = dt.timedelta(minutes=15)
# Payment dates: a payment made today or in the past, or scheduled soon; not a typo's year.
PAYMENT_MAX_DAYS_AHEAD = 31
PAYMENT_MAX_YEARS_BACK = 10


def payment_check(
    *,
    company: Company,
    bill: Bill,
    bank_account: BankAccount,
    amount: Decimal,
    paid_on: dt.date,
    currency_rate: Decimal | None,
    amount_due: Decimal,
    today: dt.date | None = None,
) -> None:
    """Refuse a payment billpay must never send; each message says what to change."""
    today = today or timezone.localdate()
    if bill.company_id != company.pk or bank_account.company_id != company.pk:
        raise UnableToPay(
            "That bill or bank account does not belong to this company.", field="bank_account"
        )
    if not bill.is_unpaid:
        raise UnableToPay(f"This bill is {bill.get_status_display().lower()}; it cannot be paid.")
    if bank_account.status != MappingStatus.ACTIVE:
        raise UnableToPay(
            "That bank account is archived; choose an active one.", field="bank_account"
        )
    if amount <= 0:
        raise UnableToPay("Enter an amount greater than zero.", field="amount")
    if not has_minor_units(amount, bill.currency):
        places = currency_decimals(bill.currency)
        raise UnableToPay(
            f"{bill.currency} amounts have at most {places} decimal places.", field="amount"
        )
    if amount > amount_due:
        raise UnableToPay(
            f"That is more than the amount due ({format_money(amount_due, bill.currency)}).",
            field="amount",
        )
    if paid_on > today + dt.timedelta(days=PAYMENT_MAX_DAYS_AHEAD):
        raise UnableToPay(
            f"The payment date is too far ahead; use a date at most {PAYMENT_MAX_DAYS_AHEAD} "
            "days from today.",
            field="paid_on",
        )
    if paid_on < today - dt.timedelta(days=366 * PAYMENT_MAX_YEARS_BACK):
        raise UnableToPay("The payment date is too far in the past.", field="paid_on")
    account_currency = bank_account.currency or bill.currency
    base = company.base_currency or bill.currency
    if account_currency == bill.currency:
        if currency_rate is not None and bill.currency == base and currency_rate != 1:
            raise UnableToPay(
                "A payment in the base currency has no currency rate; leave it empty.",
                field="currency_rate",
            )
        return
    if account_currency != base:
        # codat-api.md "currencyRate semantics": no payment between two non-base currencies.
        raise UnableToPay(
            f"A {bill.currency} bill can be paid from a {bill.currency} or {base} account, "
            f"not from a {account_currency} one.",
            field="bank_account",
        )
    if currency_rate is None:
        rules = platform_checks.company_rules(company)
        why = (
            f" Without one, {rules.name} would book the payment at a rate of 1."
            if rules.missing_currency_rate is MissingRate.RATE_ONE
            else ""
        )
        raise UnableToPay(
            f"Enter the currency rate: how many {base} one {bill.currency} is worth on the "
            f"payment date ({rate_label(bill.currency, base)}).{why}",
            field="currency_rate",
        )
    if currency_rate <= 0:
        raise UnableToPay("The currency rate must be greater than zero.", field="currency_rate")


def _event(
    payment: Payment,
    kind: str,
    *,
    status: str | None = None,
    message: str = "",
    correlation_id: str | None = "",
    actor: User | None = None,
) -> PaymentEvent:
    event = PaymentEvent(
        payment=payment,
        kind=kind,
        status=status or payment.status,
        amount=payment.amount,
        currency=payment.currency,
        message=message[:1000],
        correlation_id=(correlation_id or "")[:128],
        actor_id=actor.pk if actor is not None else None,
        created_at=timezone.now(),
    )
    event.save()
    return event


def _ledger_bill(
    client: CodatClient, company: Company, connection: Connection, bill: Bill
) -> codat.Bill | None:
    """The bill as the ledger has it now (list-bills by id: the spec has no get-bill), or None."""
    query = f"id={bill.codat_id}"
    page = client.list_bills_page(
        company.codat_company_id, connection.codat_connection_id, query=query
    )
    for item in page.items:
        if item.id == bill.codat_id:
            return item
    return None


def _what_changed(bill: Bill, item: codat.Bill | None, expected_due: Decimal) -> list[str]:
    if item is None:
        return ["the bill is no longer in the ledger (it was deleted there)"]
    changes = []
    status = str(item.status)
    if status == Bill.Status.PAID:
        changes.append("it was paid in full elsewhere")
    elif status == Bill.Status.VOID:
        changes.append("it was voided")
    elif status not in Bill.UNPAID:
        changes.append(f"its status is now {status}")
    due = item.amount_due if item.amount_due is not None else item.total_amount
    if due != expected_due and status != Bill.Status.PAID:
        changes.append(
            f"the amount due changed from {format_amount(expected_due, bill.currency)} to "
            f"{format_money(due, bill.currency)}"
        )
    if item.currency.upper() != bill.currency:
        changes.append(f"its currency changed from {bill.currency} to {item.currency.upper()}")
    return changes


def bill_pay(
    *,
    company: Company,
    bill: Bill,
    bank_account: BankAccount,
    amount: Decimal,
    paid_on: dt.date,
    idempotency_key: uuid.UUID,
    amount_due: Decimal,
    currency_rate: Decimal | None = None,
    reference: str = "",
    user: User | None = None,
) -> Payment:
    """Record a payment of `bill` in the ledger exactly once.

    `idempotency_key` comes with the confirmed form: a resubmit, refresh or double click returns
    the payment that key already made. `amount_due` is what the user saw when confirming; if
    the ledger's bill differs (paid, voided, changed elsewhere) nothing is sent and UnableToPay
    says what changed. A ledger that cannot be reached leaves the payment pending; a task
    retries it with the same key. Raises UnableToPay for every refusal.
    """
    member_permission_check(can_pay, company=company, user=user)
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_form(existing, company=company, bill=bill)
    payment_check(
        company=company,
        bill=bill,
        bank_account=bank_account,
        amount=amount,
        paid_on=paid_on,
        currency_rate=currency_rate,
        amount_due=amount_due,
    )
    connection = require_linked_connection(company)
    if bank_account.currency == bill.currency and bill.currency == company.base_currency:
        currency_rate = None
    payment = Payment(
        company=company,
        bill=bill,
        bank_account=bank_account,
        amount=amount,
        currency=bill.currency,
        currency_rate=currency_rate,
        paid_on=paid_on,
        reference=reference.strip(),
        idempotency_key=idempotency_key,
        amount_due_before=amount_due,
        attempts=1,  # sent right after the bill check below
        created_by_id=user.pk if user is not None else None,
    )
    # The related rows were fetched for this company just now; the database checks the rest.
    payment.full_clean(
        exclude=["company", "bill", "bank_account", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            # Under the approval's lock, so that two payers at once cannot both pass its amount.
            try:
                payment.approval = approvals.payment_gate(
                    company=company, bill=bill, amount=amount, user=user
                )
            except ApprovalError as exc:
                raise UnableToPay(exc.message) from None
            payment.save()
            _event(payment, PaymentEvent.Kind.CREATED, actor=user)
    except IntegrityError:
        # The database decides the races: the same form twice at once, or another payment of
        # this bill in flight (the one-pending-per-bill constraint).
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_form(existing, company=company, bill=bill)
        raise UnableToPay(_in_flight_message(bill)) from None

    # Right before recording: the ledger's bill must still be what the user confirmed.
    with codat_client() as client:
        try:
            item = _ledger_bill(client, company, connection, bill)
        except CodatError as exc:
            _stop(payment, f"The ledger could not be read to check the bill: {exc.message}", user)
            raise UnableToPay(
                f"Nothing was recorded: the bill could not be checked in the ledger "
                f"({exc.message}). Try again in a moment."
            ) from exc
        changes = _what_changed(bill, item, amount_due)
        if changes:
            if item is not None:
                mirror.store_bill(company, item)  # the user sees the ledger's figures from now on
            _stop(payment, "The bill changed in the ledger: " + "; ".join(changes) + ".", user)
            raise UnableToPay(
                "Nothing was recorded, because since you confirmed "
                + "; ".join(changes)
                + ". Check the bill and pay again if something is still due."
            )
        payment = _submit(client, payment.pk, connection=connection, actor=user, first=True)
    if payment.status == Payment.Status.FAILED:
        raise UnableToPay(f"The ledger refused the payment: {payment.last_error}")
    if payment.status == Payment.Status.PENDING:
        _enqueue_retry(payment)
    return payment


def _same_form(payment: Payment, *, company: Company, bill: Bill) -> Payment:
    if payment.company_id != company.pk or payment.bill_id != bill.pk:
        raise UnableToPay("This payment form is not valid any more; start the payment again.")
    return payment


def _in_flight_message(bill: Bill) -> str:
    pending = Payment.objects.filter(
        bill=bill, status__in=[Payment.Status.PENDING, Payment.Status.NEEDS_REVIEW]
    ).first()
    if pending is not None and pending.needs_review:
        return (
            "An earlier payment of this bill needs review: billpay cannot tell whether the "
            "ledger recorded it. Nothing more was sent. Review that payment on the bill's page, "
            "then pay again if something is still due."
        )
    who = ""
    if pending is not None and pending.created_by is not None:
        who = f" by {pending.created_by}"
    when = f" at {timezone.localtime(pending.created_at):%H:%M}" if pending else ""
    return (
        f"Another payment of this bill was started{who}{when} and is still being recorded; "
        "nothing more was sent. Wait for it to finish, then check the amount due."
    )


def _stop(payment: Payment, message: str, actor: User | None) -> None:
    now = timezone.now()
    stopped = Payment.objects.filter(
        pk=payment.pk, status=Payment.Status.PENDING
    ).update(
        status=Payment.Status.STOPPED,
        attempts=0,  # nothing was sent
        last_error=message[:1000],
        updated_at=now,
        settled_at=now,
    )
    if stopped:
        payment.status = Payment.Status.STOPPED
        _event(payment, PaymentEvent.Kind.STOPPED, message=message, actor=actor)


def _settle(payment: Payment, status: str, **changes: Any) -> bool:
    """Compare-and-set a pending payment to its final status; False if it was settled already."""
    now = timezone.now()
    return bool(
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            status=status, updated_at=now, settled_at=now, **changes
        )
    )


def _submit(
    client: CodatClient,
    payment_id: int,
    *,
    connection: Connection,
    actor: User | None = None,
    raise_unavailable: bool = False,
    first: bool = False,
) -> Payment:
    """Send a pending payment to the ledger with its key and settle it by the answer."""
    # The body is built from the stored row, never from the form: every resend of this key must
    # be byte-for-byte the same, or the ledger answers 422 instead of replaying.
    payment = Payment.objects.select_related("company", "bank_account", "bill").get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    if not first:  # the first attempt was counted when the row was created
        Payment.objects.filter(pk=payment.pk).update(
            attempts=F("attempts") + 1, updated_at=timezone.now()
        )
        payment.attempts += 1
    prototype = codat.BillPaymentPrototype(
        amount=payment.amount,
        date=payment.paid_on,
        account_id=payment.bank_account.codat_id,
        reference=payment.reference or None,
        currency_rate=payment.currency_rate,
    )
    try:
        recorded = client.create_bill_payment(
            payment.company.codat_company_id,
            connection.codat_connection_id,
            payment.bill.codat_id,
            prototype,
            idempotency_key=str(payment.idempotency_key),
        )
    except CodatUnavailable as exc:
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            last_error=exc.message[:1000]
        )
        payment.last_error = exc.message[:1000]
        _event(
            payment,
            PaymentEvent.Kind.UNAVAILABLE,
            message=exc.message,
            correlation_id=exc.correlation_id,
            actor=actor,
        )
        if raise_unavailable:
            raise
        return payment
    except (CodatRejected, CodatAuthError) as exc:
        message = "; ".join(exc.form_messages()) if isinstance(exc, CodatRejected) else exc.message
        if _settle(payment, Payment.Status.FAILED, last_error=message[:1000]):
            payment.refresh_from_db()
            _event(
                payment,
                PaymentEvent.Kind.REJECTED,
                message=message,
                correlation_id=exc.correlation_id,
                actor=actor,
            )
        payment.refresh_from_db()
        return payment
    except CodatError as exc:
        # An answer of the wrong shape: the ledger may have recorded it. Left pending for the
        # reconcile job, which reads the bill's amount due.
        Payment.objects.filter(pk=payment.pk).update(last_error=exc.message[:1000])
        payment.last_error = exc.message[:1000]
        _event(payment, PaymentEvent.Kind.NEEDS_REVIEW, message=exc.message, actor=actor)
        return payment
    # The bill is read back before the row is settled, so that both land in one commit; a crash
    # in between leaves the row pending, and its retry is replayed by the ledger.
    item = _read_back(client, payment, connection)
    codat_id = recorded.id[:64]
    with transaction.atomic():
        if _settle(payment, Payment.Status.SUCCEEDED, codat_id=codat_id, last_error=""):
            payment.status, payment.codat_id, payment.last_error = (
                Payment.Status.SUCCEEDED,
                codat_id,
                "",
            )
            _event(payment, PaymentEvent.Kind.SUCCEEDED, correlation_id=recorded.id, actor=actor)
        if item is not None:
            mirror.store_bills(payment.company, [item])
            payment.bill.refresh_from_db()
    if payment.status != Payment.Status.SUCCEEDED:
        payment.refresh_from_db()  # settled meanwhile (a parallel retry or the reconcile job)
    return payment


def _read_back(client: CodatClient, payment: Payment, connection: Connection) -> codat.Bill | None:
    """After a payment, read the bill back so its amount due and status follow the ledger."""
    try:
        return _ledger_bill(client, payment.company, connection, payment.bill)
    except CodatError as exc:
        # The next read of the bill (a payment's check, a refresh) catches up.
        logger.warning(
            "Reading bill %s back after payment %s failed: %s", payment.bill_id, payment.pk, exc
        )
        return None


def _enqueue_retry(payment: Payment) -> None:
    tasks.payment_retry.delay_on_commit(payment.pk)


def payment_retry(*, payment_id: int) -> Payment:
    """Resend a pending payment with its own key (the ledger replays it if it was recorded).

    Raises CodatUnavailable while the ledger cannot be reached, for the task to retry. Past the
    ledger's replay window a resend could record it twice, so nothing is sent: the bill's amount
    due settles it now, as `payments_reconcile` would, or hands it to a person (needs review).
    """
    payment = Payment.objects.select_related("company", "bill").get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    connection = require_linked_connection(payment.company)
    with codat_client() as client:
        if payment.created_at < timezone.now() - PAYMENT_REPLAY_WINDOW:
            return _reconcile_by_amount_due(client, payment, connection)
        return _submit(client, payment.pk, connection=connection, raise_unavailable=True)


@dataclass
class ReconcileResult:
    """What one run of `payments_reconcile` did, by outcome."""

    checked: int = 0
    resent: int = 0
    succeeded: int = 0
    failed: int = 0
    still_pending: int = 0
    needs_review: int = 0


def payments_reconcile(
    *, now: dt.datetime | None = None, older_than: dt.timedelta = PAYMENT_RETRY_WINDOW
) -> ReconcileResult:
    """Settle payments left pending past the retry window by asking the ledger.

    Within the ledger's replay window the payment is resent with its key (a replay if it was
    recorded). After it, the bill's amount due tells: lowered by exactly this payment means it
    was recorded; unchanged means it never arrived; anything else needs a person (status needs
    review, resolved with `payment_resolve`).
    """
    now = now or timezone.now()
    result = ReconcileResult()
    stale = (
        Payment.objects.pending()
        .filter(updated_at__lt=now - older_than)
        .select_related("company", "bill")
        .order_by("updated_at")[:500]
    )
    for payment in stale:
        result.checked += 1
        try:
            connection = require_linked_connection(payment.company)
        except PayablesError:
            result.still_pending += 1
            continue
        with codat_client() as client:
            if payment.created_at >= now - PAYMENT_REPLAY_WINDOW:
                result.resent += 1
                payment = _submit(client, payment.pk, connection=connection)
            else:
                payment = _reconcile_by_amount_due(client, payment, connection)
        if payment.status == Payment.Status.SUCCEEDED:
            result.succeeded += 1
        elif payment.status == Payment.Status.FAILED:
            result.failed += 1
        elif payment.status == Payment.Status.NEEDS_REVIEW:
            result.needs_review += 1
        else:
            result.still_pending += 1
    return result


def _reconcile_by_amount_due(
    client: CodatClient, payment: Payment, connection: Connection
) -> Payment:
    try:
        item = _ledger_bill(client, payment.company, connection, payment.bill)
    except CodatError as exc:
        logger.warning("Reconciling payment %s: the ledger was not readable: %s", payment.pk, exc)
        return payment
    if item is None:
        message = "The bill is no longer in the ledger; check the payment there."
        _review(payment, message)
        return payment
    due = item.amount_due if item.amount_due is not None else item.total_amount
    if due == payment.amount_due_before - payment.amount:
        message = "Found in the ledger: the bill's amount due fell by exactly this payment."
        if _settle(payment, Payment.Status.SUCCEEDED, last_error=""):
            payment.refresh_from_db()
            _event(payment, PaymentEvent.Kind.RECONCILED, message=message)
    elif due == payment.amount_due_before:
        message = "Not in the ledger: the bill's amount due is unchanged, so it was never recorded."
        if _settle(payment, Payment.Status.FAILED, last_error=message):
            payment.refresh_from_db()
            _event(payment, PaymentEvent.Kind.RECONCILED, message=message)
    else:
        message = (
            f"The bill's amount due is {due} (it was {payment.amount_due_before} before this "
            f"payment of {payment.amount}); it also changed elsewhere. Check it in the ledger."
        )
        _review(payment, message)
    mirror.store_bill(payment.company, item)
    payment.refresh_from_db()
    return payment


def _review(payment: Payment, message: str) -> None:
    """Hand a payment the reconcile job cannot settle to a person (status needs review): nothing
    retries it any more, and it holds the bill until `payment_resolve`."""
    flagged = Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
        status=Payment.Status.NEEDS_REVIEW, last_error=message[:1000], updated_at=timezone.now()
    )
    if flagged:
        payment.status = Payment.Status.NEEDS_REVIEW
        _event(payment, PaymentEvent.Kind.NEEDS_REVIEW, message=message)


@dataclass(frozen=True)
class ReviewFacts:
    """What the ledger says now about a payment's bill, for the person resolving it.

    `amount_due` is None when the ledger could not be read (`error` says why) or no longer has
    the bill (`missing`). The API cannot list a bill's payments, so this is all billpay can check.
    """

    amount_due: Decimal | None
    status: str = ""
    missing: bool = False
    error: str = ""


def payment_review_facts(*, payment: Payment) -> ReviewFacts:
    """Read the payment's bill from the ledger now (its amount due and status), and keep it."""
    try:
        connection = require_linked_connection(payment.company)
        with codat_client() as client:
            item = _ledger_bill(client, payment.company, connection, payment.bill)
    except PayablesError as exc:
        return ReviewFacts(amount_due=None, error=exc.message)
    except CodatError as exc:
        return ReviewFacts(amount_due=None, error=f"The ledger could not be read: {exc.message}")
    if item is None:
        return ReviewFacts(amount_due=None, missing=True)
    mirror.store_bill(payment.company, item)
    due = item.amount_due if item.amount_due is not None else item.total_amount
    return ReviewFacts(amount_due=due, status=str(item.status))


def payment_resolve(
    *, payment: Payment, in_ledger: bool, ledger_payment_id: str = "", user: User | None
) -> Payment:
    """A person's answer for a payment that needs review: it is in the ledger (with the ledger's
    payment id, as they found it there) or it is not. Settles it once (compare-and-set), with a
    payment event and an audit entry; the bill can then be paid again. Raises UnableToPay."""
    ledger_payment_id = ledger_payment_id.strip()
    if in_ledger and not ledger_payment_id:
        raise UnableToPay(
            "Enter the payment's id as the ledger shows it, so that it can be found again.",
            field="ledger_payment_id",
        )
    if len(ledger_payment_id) > 64:
        raise UnableToPay(
            "A ledger payment id has at most 64 characters.", field="ledger_payment_id"
        )
    if in_ledger:
        status = Payment.Status.SUCCEEDED
        message = f"Resolved by a person: it is in the ledger as payment {ledger_payment_id}."
        changes: dict[str, Any] = {"codat_id": ledger_payment_id}
    else:
        status = Payment.Status.FAILED
        message = "Resolved by a person: it is not in the ledger."
        changes = {}
    before: dict[str, object] = {"status": payment.status, "codat_id": payment.codat_id}
    now = timezone.now()
    with transaction.atomic():
        settled = Payment.objects.filter(
            pk=payment.pk, company=payment.company, status=Payment.Status.NEEDS_REVIEW
        ).update(status=status, last_error=message, updated_at=now, settled_at=now, **changes)
        if not settled:
            raise UnableToPay("This payment does not need review any more; nothing was changed.")
        payment.refresh_from_db()
        _event(payment, PaymentEvent.Kind.RESOLVED, message=message, actor=user)
        audit_log_record(
            company=payment.company,
            action="payment.resolved",
            object_type="payment",
            object_id=str(payment.pk),
            object_repr=str(payment),
            before=before,
            after={"status": payment.status, "codat_id": payment.codat_id, "note": message},
            actor=user,
        )
    return payment


def bank_account_create(
    *,
    company: Company,
    name: str,
    account_type: str,
    account_number: str,
    currency: str,
    idempotency_key: uuid.UUID,
    sort_code: str = "",
    nominal_code: str = "",
    user: User | None = None,
) -> BankAccount:
    """Create a bank account in the ledger and keep its copy; it can be paid from at once.

    Raises PaymentError, each problem on its field, when the platform cannot take it (an account
    type it cannot create, no ledger code where it needs one: codat.platforms), when the ledger
    refuses it (in its words), or when the ledger is unavailable.
    """
    member_permission_check(can_manage_bank_accounts, company=company, user=user)
    connection = require_linked_connection(company)
    rules = rules_for(connection.platform_key)
    problems: dict[str, list[str]] = {}
    refused_type = platform_checks.bank_account_type_problem(rules, account_type)
    if refused_type:
        problems["account_type"] = [refused_type]
    if rules.bank_account_code_required and not nominal_code.strip():
        problems["nominal_code"] = [platform_checks.bank_account_code_missing(rules)]
    if problems:
        raise PaymentError(
            " ".join(m for errors in problems.values() for m in errors),
            field_errors={**problems, "__all__": []},
        )
    prototype = codat.BankAccountPrototype(
        name=name.strip(),
        account_type=codat.BankAccountType(account_type),
        account_number=account_number.strip(),
        currency=currency.strip().upper(),
        sort_code=sort_code.strip() or None,
        nominal_code=nominal_code.strip() or None,
    )
    try:
        with codat_client() as client:
            created = client.create_bank_account(
                company.codat_company_id,
                connection.codat_connection_id,
                prototype,
                idempotency_key=str(idempotency_key),
            )
    except CodatRejected as exc:
        # Refused, nothing recorded: the corrected (or repeated) form goes with a new key.
        if idempotency_key_reused(exc):
            raise PaymentError(KEY_REUSED_MESSAGE, fresh_key=True) from exc
        by_field, top = platform_checks.refusal_fields(
            rules,
            exc.form_messages(),
            by_kind=platform_checks.BANK_ACCOUNT_FIELDS,
            hints=platform_checks.BANK_ACCOUNT_HINTS,
        )
        # Each refusal on its field; the message names those of no field, or points below.
        message = "The ledger refused the bank account: " + (
            "; ".join(top) if top else "see the fields marked below."
        )
        raise PaymentError(
            message, fresh_key=True, field_errors={**by_field, "__all__": [message]}
        ) from exc
    except CodatError as exc:
        raise PaymentError(
            f"The ledger could not be reached: {exc.message} Try again.",
            fresh_key=idempotency_key_spent(exc),
        ) from exc
    with transaction.atomic():
        (row,) = mirror.upsert(
            BankAccount, company, [mirror.bank_account_row(company, created, timezone.now())]
        )
    return BankAccount.objects.get(company=company, codat_id=row.codat_id)
