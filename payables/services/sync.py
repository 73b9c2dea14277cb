"""Keeping billpay in step with the ledger after the first-link import: starting scheduled and
on-demand refreshes that read only what changed (run by `payables.services.runs`), clean-up of
stuck runs, and the sync-health checks.

A refresh is an `ImportRun` of kind REFRESH, so it shares the one-live-run-per-company rule with
the first-link import and is recorded the same way (start, end, counts, error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, Connection
from codat.money import format_money
from payables import tasks
from payables.errors import RefreshStopped
from payables.inbox import short_date
from payables.models import Attachment, Bill, ImportRun, Payment, Supplier
from payables.services.connection import reconnect_message
from payables.services.imports import payables_import_retry
from payables.services.payments import PAYMENT_REPLAY_WINDOW


class Trigger(StrEnum):
    """What started a refresh, kept on its run."""

    SCHEDULE = "schedule"
    USER = "user"
    STAFF = "staff"
    WEBHOOK = "webhook"


# Changes are asked for from a little before the last successful run started: the ledger's clock
# may differ from ours, and sourceModifiedDate has whole seconds. Re-reading a record is harmless
# (every write is an upsert by ledger id).
REFRESH_OVERLAP = dt.timedelta(minutes=2)


# ---------------------------------------------------------------------------------------------
# Starting refreshes


def refresh_since(company: Company) -> dt.datetime | None:
    """Where the next refresh asks for changes from: a little before the last successful run
    started (None: nothing succeeded yet, so everything is read)."""
    last = (
        ImportRun.objects.filter(company=company, status=ImportRun.Status.SUCCEEDED)
        .exclude(started_at=None)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return None if last is None else last - REFRESH_OVERLAP


def payables_refresh_start(
    *, company: Company, connection: Connection, trigger: str = Trigger.USER
) -> ImportRun:
    """Queue a refresh of what changed in the ledger since the last successful run, or return
    the import or refresh already pending or running for the company."""
    if connection.company_id != company.pk:
        raise ValueError("The connection belongs to another company.")
    if not connection.is_linked:
        raise RefreshStopped(reconnect_message(connection))
    live = ImportRun.objects.filter(company=company, status__in=ImportRun.ACTIVE).first()
    if live is not None:
        # A live run whose worker died is resumed, never handed back to wait on.
        return payables_import_retry(run=live) if live.is_stalled() else live
    run = ImportRun(
        company=company,
        connection=connection,
        kind=ImportRun.Kind.REFRESH,
        trigger=trigger,
        modified_since=refresh_since(company),
        created_at=timezone.now(),
    )
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
            tasks.payables_refresh.delay_on_commit(run.pk)
    except IntegrityError:
        # Another start won the race for the company's one live run (see payables_import_start).
        return ImportRun.objects.get(company=company, status__in=ImportRun.ACTIVE)
    return run


def refreshable_connections() -> list[Connection]:
    """The linked connection of every company, newest first when a company has several."""
    chosen: dict[int, Connection] = {}
    linked = Connection.objects.filter(status=Connection.Status.LINKED).select_related("company")
    for connection in linked.order_by("company_id", "-linked_at", "-id"):
        chosen.setdefault(connection.company_id, connection)
    return list(chosen.values())


def import_runs_expire_stuck(*, now: dt.datetime | None = None) -> int:
    """Fail pending or running runs that have made no progress for longer than any task may
    run (IMPORT_RUN_STUCK_SECONDS), so that a lost task never blocks a company for good.

    The backstop behind the stall sweeper (`import_runs_resume_stalled`): it counts from the
    run's last progress, so a long import that keeps storing pages is never given up."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.IMPORT_RUN_STUCK_SECONDS)
    return ImportRun.objects.filter(ImportRun.idle_since(cutoff)).update(
        status=ImportRun.Status.FAILED,
        error="This run stopped answering and was given up; the next refresh carries on.",
        finished_at=now or timezone.now(),
    )


# ---------------------------------------------------------------------------------------------
# Sync health: what is not in step with the ledger, and why


@dataclass(frozen=True)
class OutOfStep:
    """One object not in step with the ledger, with a reason a user can read."""

    kind: str
    label: str
    reason: str
    url: str
    # Where the retry button POSTs ("" when nothing can be retried from here).
    retry_url: str


Check = Callable[[Company, dt.datetime], list[OutOfStep]]


def _bills_not_refreshed(company: Company, now: dt.datetime) -> list[OutOfStep]:
    # Unpaid bills the ledger has not confirmed since the last successful read: the last refresh
    # failed or none ran for a long time.
    cutoff = now - dt.timedelta(seconds=settings.SYNC_STALE_SECONDS)
    stale = Bill.objects.unpaid().filter(company=company).filter(last_read_at__lt=cutoff)
    return [
        OutOfStep(
            kind="Bill",
            label=f"{bill.supplier_name} {bill.reference}".strip(),
            reason=f"Not read from the ledger since {bill.last_read_at:%d %b %Y %H:%M}: refresh to check it is still unpaid.",
            url=reverse("payables:bill-detail", args=[bill.pk]),
            retry_url=reverse("payables:refresh-now"),
        )
        for bill in stale.order_by("last_read_at", "id")[:200]
    ]


def _bills_without_supplier(company: Company, now: dt.datetime) -> list[OutOfStep]:
    missing = Bill.objects.unpaid().filter(company=company).filter(supplier=None)
    return [
        OutOfStep(
            kind="Bill",
            label=f"{bill.supplier_name or bill.supplier_codat_id} {bill.reference}".strip(),
            reason="Its supplier has not been read from the ledger yet: refresh to bring it in.",
            url=reverse("payables:bill-detail", args=[bill.pk]),
            retry_url=reverse("payables:refresh-now"),
        )
        for bill in missing.order_by("due_date", "id")[:200]
    ]


def _suppliers_not_refreshed(company: Company, now: dt.datetime) -> list[OutOfStep]:
    cutoff = now - dt.timedelta(seconds=settings.SYNC_STALE_SECONDS)
    with_bills = Supplier.objects.for_company(company).filter(
        last_read_at__lt=cutoff, bills__status__in=Bill.UNPAID
    )
    return [
        OutOfStep(
            kind="Supplier",
            label=supplier.name,
            reason=f"Details not read from the ledger since {supplier.last_read_at:%d %b %Y %H:%M}.",
            url=reverse("payables:supplier-detail", args=[supplier.pk]),
            retry_url=reverse("payables:supplier-refresh", args=[supplier.pk]),
        )
        for supplier in with_bills.distinct().order_by("last_read_at", "id")[:200]
    ]


def _attachments_not_synced(company: Company, now: dt.datetime) -> list[OutOfStep]:
    rows = (
        Attachment.objects.filter(company=company)
        .exclude(sync_status=Attachment.SyncStatus.SYNCED)
        .select_related("bill")
        .order_by("created_at", "id")[:200]
    )
    out = []
    for attachment in rows:
        if attachment.sync_status == Attachment.SyncStatus.FAILED:
            reason = f"Upload to the ledger failed: {attachment.sync_error or 'no reason given'}."
        elif attachment.is_stuck(now):
            since = timezone.localtime(attachment.sync_started_at)
            reason = (
                f"Waiting since {short_date(since.date())}, {since:%H:%M} with nothing sending"
                " it: retry it, or the next sweep will."
            )
        else:
            reason = "Waiting to be uploaded to the ledger."
        out.append(
            OutOfStep(
                kind="Attachment",
                label=f"{attachment.name} on {attachment.bill}",
                reason=reason,
                url=reverse("payables:bill-detail", args=[attachment.bill_id]),
                # One that a task is still sending is left to it (see Attachment.can_retry).
                retry_url=reverse("payables:attachment-retry", args=[attachment.pk])
                if attachment.can_retry(now)
                else "",
            )
        )
    return out


def _runs_failed(company: Company, now: dt.datetime) -> list[OutOfStep]:
    last = ImportRun.objects.filter(company=company).order_by("-created_at", "-id").first()
    if last is None or last.status != ImportRun.Status.FAILED:
        return []
    return [
        OutOfStep(
            kind="Refresh",
            label=f"{last.get_kind_display()} of {last.created_at:%d %b %Y %H:%M}",
            reason=f"It failed: {last.error or 'no reason given'}",
            url=reverse("payables:refresh-progress", args=[last.pk]),
            retry_url=reverse("payables:refresh-now"),
        )
    ]


def _payments(company: Company, status: str) -> list[Payment]:
    return list(
        Payment.objects.filter(company=company, status=status)
        .select_related("bill")
        .order_by("created_at", "id")[:200]
    )


def _payment_label(payment: Payment) -> str:
    amount = format_money(payment.amount, payment.currency)
    return f"{amount} to {payment.bill.supplier_name} for {payment.bill}"


def _payments_not_settled(company: Company, now: dt.datetime) -> list[OutOfStep]:
    """Payments sent to the ledger whose outcome billpay has not learned yet."""
    return [
        OutOfStep(
            kind="Payment",
            label=_payment_label(payment),
            reason=(
                "Sent to the ledger but not confirmed yet"
                + (f" (last answer: {payment.last_error})" if payment.last_error else "")
                + (
                    ". billpay keeps trying with the same key, so it cannot be recorded twice."
                    if payment.created_at >= now - PAYMENT_REPLAY_WINDOW
                    else ". It is past the ledger's replay window, so billpay no longer resends "
                    "it: Retry checks the bill's amount due in the ledger to settle it, or asks "
                    "you to review it."
                )
            ),
            url=reverse("payables:bill-detail", args=[payment.bill_id]),
            retry_url=reverse("payables:payment-retry", args=[payment.pk]),
        )
        for payment in _payments(company, Payment.Status.PENDING)
    ]


def _payments_to_review(company: Company, now: dt.datetime) -> list[OutOfStep]:
    """Payments whose outcome billpay cannot learn: a person looks in the ledger and says."""
    return [
        OutOfStep(
            kind="Payment",
            label=_payment_label(payment),
            reason=(
                f"Needs review: {payment.last_error} billpay no longer retries it; check the "
                "ledger and say whether it is there. Until then the bill cannot be paid again."
            ),
            url=reverse("payables:payment-review", args=[payment.pk]),
            retry_url="",
        )
        for payment in _payments(company, Payment.Status.NEEDS_REVIEW)
    ]


# The sync-health checks. Each takes the company and now and returns what is not in step.
SYNC_HEALTH_CHECKS: list[Check] = [
    _runs_failed,
    _bills_not_refreshed,
    _bills_without_supplier,
    _suppliers_not_refreshed,
    _attachments_not_synced,
    _payments_not_settled,
    _payments_to_review,
]


def sync_health(company: Company, *, now: dt.datetime | None = None) -> list[OutOfStep]:
    """Everything of the company not in step with the ledger; empty means all in step."""
    moment = now or timezone.now()
    return [item for check in SYNC_HEALTH_CHECKS for item in check(company, moment)]
