"""What billpay keeps of the company's payables: a local, queryable copy of the ledger's records,
the payments billpay records, the bills it creates or edits (and the documents they start from),
and the runs that read the ledger.

The ledger (Codat) is the source of truth; every copied row carries its ledger id, unique per
company, and when it was last read, so that re-reading upserts instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND
from django.utils import timezone

from accounts.models import Company, Connection
from payables.errors import PaymentError
from payables.policies import Policy

# --- Money fields, company-scoped querysets and the payables version ------------------------------

# Every amount in billpay is one of these: 19 digits with 4 decimals holds any ledger amount exactly.
MONEY_MAX_DIGITS = 19
MONEY_DECIMAL_PLACES = 4
RATE_MAX_DIGITS = 19
RATE_DECIMAL_PLACES = 9  # Codat computes currency rates to 9 decimal places.


def money_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs
    )


def rate_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(
        max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES, **kwargs
    )


class CompanyQuerySet(models.QuerySet[Any]):
    def for_company(self, company: Company) -> Self:
        return self.filter(company=company)


def payables_changed(company_ids: Iterable[int], *, using: str | None = None) -> None:
    """Bump the companies' `payables_version` once the current transaction commits.

    After commit, not inside the transaction: an UPDATE of the company row there would hold its
    lock while the writer goes on to lock bills, and two such writers could deadlock. A reader
    that caches under the old version meanwhile caches what it read, which is then never served
    again once the version moves on."""
    ids = sorted(set(company_ids))
    if ids:
        transaction.on_commit(partial(_bump_versions, ids, using), using=using)


def _bump_versions(ids: Sequence[int], using: str | None) -> None:
    Company.objects.using(using).filter(pk__in=ids).update(
        payables_version=F("payables_version") + 1
    )


class VersionedQuerySet(CompanyQuerySet):
    """Every write through the ORM bumps the companies' payables version (see `payables_changed`).

    `save()` and `delete()` on an instance are covered by `VersionedRecord`; `bulk_update()`
    goes through `update()`."""

    def _companies(self) -> list[int]:
        pinned = self._pinned_companies()
        if pinned is not None:
            return pinned
        return list(self.order_by().values_list("company_id", flat=True).distinct())

    def _pinned_companies(self) -> list[int] | None:
        """The companies the WHERE clause pins these rows to (`for_company(c)`, `company_id=`,
        `company__in=[...]`), read off the query instead of asked of the database; None when it
        does not say. A company whose rows all fail the other conditions gets a needless bump,
        which costs one cache miss."""
        where = self.query.where
        if where.connector != AND or where.negated:
            return None
        for condition in where.children:
            column = getattr(condition, "lhs", None)
            if not (
                isinstance(condition, Exact | In)
                and isinstance(column, Col)
                and column.alias == self.model._meta.db_table
                and column.target.attname == "company_id"
            ):
                continue
            values = [condition.rhs] if isinstance(condition, Exact) else condition.rhs
            if isinstance(values, list | tuple | set | frozenset) and all(
                isinstance(v, int) for v in values
            ):
                return list(values)
        return None

    def update(self, **kwargs: Any) -> int:
        companies = self._companies()
        rows = super().update(**kwargs)
        payables_changed(companies, using=self.db)
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        payables_changed((obj.company_id for obj in created), using=self.db)
        return created

    def delete(self) -> tuple[int, dict[str, int]]:
        companies = self._companies()
        deleted = super().delete()
        payables_changed(companies, using=self.db)
        return deleted


# --- The ledger's copy: suppliers, bills, mapping options, bank accounts, attachments -------------


class LedgerRecord(models.Model):
    """Fields every copied ledger record has."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    codat_id = models.CharField(max_length=64)
    source_modified_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class VersionedRecord(LedgerRecord):
    """A ledger record whose changes move the company's payables version (bills, suppliers)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        payables_changed([self.company_id], using=self._state.db)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        payables_changed([self.company_id], using=self._state.db)
        return deleted


class Supplier(VersionedRecord):
    class Status(models.TextChoices):
        ACTIVE = "Active"
        ARCHIVED = "Archived"
        UNKNOWN = "Unknown"

    name = models.CharField(max_length=255)
    contact_name = models.CharField(max_length=255, blank=True)
    email_address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=100, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    default_currency = models.CharField(max_length=3, blank=True)
    balance = money_field(null=True, blank=True)

    objects = models.Manager.from_queryset(VersionedQuerySet)()

    class Meta:
        ordering = ("name", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "codat_id"], name="supplier_unique_codat_id"
            ),
        ]
        indexes: ClassVar = [
            # Supplier filter and type-ahead: WHERE company=? ORDER BY name.
            models.Index(fields=["company", "name"], name="supplier_company_name"),
        ]

    def __str__(self) -> str:
        return self.name


class BillQuerySet(VersionedQuerySet):
    def unpaid(self) -> BillQuerySet:
        return self.filter(status__in=Bill.UNPAID)

    def overdue(self, today: dt.date) -> BillQuerySet:
        return self.unpaid().filter(due_date__lt=today)


class Bill(VersionedRecord):
    class Status(models.TextChoices):
        OPEN = "Open"
        PARTIALLY_PAID = "PartiallyPaid", "Partially paid"
        PAID = "Paid"
        VOID = "Void"
        DRAFT = "Draft"
        UNKNOWN = "Unknown"

    UNPAID: ClassVar = (Status.OPEN, Status.PARTIALLY_PAID)

    supplier = models.ForeignKey(
        Supplier, on_delete=models.SET_NULL, null=True, blank=True, related_name="bills"
    )
    # As the ledger names them, so a bill reads right even before its supplier is imported.
    supplier_codat_id = models.CharField(max_length=64)
    supplier_name = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=255, blank=True)
    issue_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3)
    currency_rate = rate_field(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    total_amount = money_field()
    amount_due = money_field()
    # Lower-cased supplier name, reference and line descriptions: the inbox's free-text search.
    search_text = models.TextField(blank=True)

    objects = models.Manager.from_queryset(BillQuerySet)()

    class Meta:
        ordering = ("due_date", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["company", "codat_id"], name="bill_unique_codat_id"),
            models.CheckConstraint(
                condition=Q(total_amount__gte=0) & Q(amount_due__gte=0),
                name="bill_amounts_not_negative",
            ),
        ]
        indexes: ClassVar = [
            # The inbox: WHERE company=? AND status IN (unpaid) ORDER BY due_date.
            models.Index(fields=["company", "status", "due_date"], name="bill_inbox"),
            # Filter by supplier: WHERE company=? AND supplier=?.
            models.Index(fields=["company", "supplier"], name="bill_company_supplier"),
        ]

    def __str__(self) -> str:
        return self.reference or self.codat_id

    @property
    def is_unpaid(self) -> bool:
        return self.status in self.UNPAID

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_unpaid and self.due_date < (today or timezone.localdate())

    def days_overdue(self, today: dt.date | None = None) -> int:
        return max(((today or timezone.localdate()) - self.due_date).days, 0)


class BillLineItem(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="line_items")
    position = models.PositiveSmallIntegerField()
    description = models.TextField(blank=True)
    quantity = money_field()
    unit_amount = money_field()
    tax_amount = money_field(default=Decimal(0))
    total_amount = money_field()
    account_codat_id = models.CharField(max_length=64, blank=True)
    tax_rate_codat_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("bill", "position")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["bill", "position"], name="line_item_unique_position"),
        ]

    def __str__(self) -> str:
        return self.description or f"Line {self.position}"


class MappingStatus(models.TextChoices):
    ACTIVE = "Active"
    ARCHIVED = "Archived"


class Account(LedgerRecord):
    """An account from the bill mapping options (the chart of accounts)."""

    nominal_code = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=16, choices=MappingStatus.choices)

    objects = models.Manager.from_queryset(CompanyQuerySet)()

    class Meta:
        ordering = ("nominal_code", "name", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["company", "codat_id"], name="account_unique_codat_id"),
        ]

    def __str__(self) -> str:
        return f"{self.nominal_code} {self.name}".strip()


class TaxRate(LedgerRecord):
    """A tax rate from the bill mapping options."""

    name = models.CharField(max_length=255, blank=True)
    code = models.CharField(max_length=64, blank=True)
    effective_tax_rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    total_tax_rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    status = models.CharField(max_length=16, choices=MappingStatus.choices)

    objects = models.Manager.from_queryset(CompanyQuerySet)()

    class Meta:
        ordering = ("name", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "codat_id"], name="tax_rate_unique_codat_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.code or self.codat_id


class BankAccount(LedgerRecord):
    """A bank account from the payment mapping options: where payments are made from."""

    class Type(models.TextChoices):
        DEBIT = "Debit"
        CREDIT = "Credit"
        UNKNOWN = "Unknown"

    name = models.CharField(max_length=255, blank=True)
    account_number = models.CharField(max_length=64, blank=True)
    sort_code = models.CharField(max_length=32, blank=True)
    nominal_code = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    account_type = models.CharField(max_length=16, choices=Type.choices, default=Type.UNKNOWN)
    status = models.CharField(max_length=16, choices=MappingStatus.choices)

    objects = models.Manager.from_queryset(CompanyQuerySet)()

    class Meta:
        ordering = ("name", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "codat_id"], name="bank_account_unique_codat_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})" if self.currency else self.name


def attachment_key(instance: Attachment, filename: str) -> str:
    # Unguessable keys: nothing about a file's location can be inferred from another's.
    return f"attachments/{instance.company_id}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file attached to a bill, kept locally and in the ledger."""

    class SyncStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SYNCED = "synced", "In the ledger"
        FAILED = "failed", "Failed"

    # Longer than the attachment_sync task's whole run of retries (ten, backing off to 5 minutes:
    # about 15 minutes): an upload pending for longer has no task left working on it.
    STUCK_AFTER = dt.timedelta(minutes=30)

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="attachments")
    codat_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=attachment_key, blank=True)
    sync_status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.PENDING
    )
    sync_error = models.CharField(max_length=500, blank=True)
    # When the current attempt to send it to the ledger began: the upload, or the last retry.
    sync_started_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.name

    def is_stuck(self, now: dt.datetime | None = None) -> bool:
        """Pending for longer than any task keeps trying: nothing will send it unless asked."""
        now = now or timezone.now()
        return (
            self.sync_status == self.SyncStatus.PENDING
            and self.sync_started_at < now - self.STUCK_AFTER
        )

    def can_retry(self, now: dt.datetime | None = None) -> bool:
        """A failed upload can be sent again, and so can a stuck one; one that a task is still
        sending cannot, so that the file never lands twice."""
        return self.sync_status == self.SyncStatus.FAILED or self.is_stuck(now)

    @classmethod
    def retryable(cls, now: dt.datetime) -> Q:
        """The condition `can_retry` checks, for a compare-and-set claim."""
        return Q(sync_status=cls.SyncStatus.FAILED) | Q(
            sync_status=cls.SyncStatus.PENDING, sync_started_at__lt=now - cls.STUCK_AFTER
        )


# --- Payments recorded from billpay: a local row first, then the ledger ---------------------------


class PaymentQuerySet(CompanyQuerySet):
    def pending(self) -> PaymentQuerySet:
        return self.filter(status=Payment.Status.PENDING)


class Payment(models.Model):
    """One payment of a bill, recorded in the ledger exactly once.

    The row is committed (status pending) before the ledger is called; its `idempotency_key`
    travels as the Idempotency-Key header, so any retry of the same row is replayed, never
    doubled, by the ledger. The answer moves it to succeeded or failed by compare-and-set.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending sync"
        SUCCEEDED = "succeeded", "Recorded"
        FAILED = "failed", "Failed"
        # Stopped before it was sent: the bill changed in the ledger after the user confirmed.
        STOPPED = "stopped", "Stopped (bill changed)"
        # Its answer was lost and the ledger cannot tell any more (past its replay window, the
        # bill changed elsewhere too): a person checks the ledger and resolves it.
        NEEDS_REVIEW = "needs_review", "Needs review"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="+")
    amount = money_field()  # in the bill's currency, as the ledger's BillPayment.amount
    currency = models.CharField(max_length=3)
    currency_rate = rate_field(null=True, blank=True)
    paid_on = models.DateField()
    reference = models.CharField(max_length=255, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    codat_id = models.CharField(max_length=64, blank=True)
    # The ledger's amount due just before this payment was sent: the reconcile job compares the
    # bill's amount due with it to tell whether a payment whose answer was lost was recorded.
    amount_due_before = money_field()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=1000, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The approval that allowed it, when the company has an approval policy: together, the
    # payments under one approval never pass its approved amount.
    approval = models.ForeignKey(
        "ApprovalRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(PaymentQuerySet)()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            # At most one payment in flight per bill: a second browser (or a double click with a
            # fresh form) cannot start another until the first is settled. One that needs review
            # may be in the ledger, so it holds the bill too until a person resolves it.
            # Succeeded payments are not included: partial payments leave a bill with several.
            models.UniqueConstraint(
                fields=["bill"],
                condition=Q(status__in=["pending", "needs_review"]),
                name="payment_one_in_flight_per_bill",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(currency_rate__isnull=True) | Q(currency_rate__gt=0),
                name="payment_currency_rate_positive",
            ),
        ]
        indexes: ClassVar = [
            # The payments page: WHERE company=? [AND status=?] ORDER BY created_at DESC.
            models.Index(fields=["company", "-created_at"], name="payment_company_created"),
            # The reconcile job: WHERE status='pending' AND updated_at < ?.
            models.Index(
                fields=["updated_at"],
                condition=Q(status="pending"),
                name="payment_pending_updated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.bill_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def needs_review(self) -> bool:
        return self.status == self.Status.NEEDS_REVIEW


class PaymentEvent(models.Model):
    """An append-only audit line: every attempt and state change of a payment."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STOPPED = "stopped", "Stopped before sending"
        SENT = "sent", "Sent to the ledger"
        SUCCEEDED = "succeeded", "Recorded in the ledger"
        REJECTED = "rejected", "Refused by the ledger"
        UNAVAILABLE = "unavailable", "Ledger unavailable (will retry)"
        RECONCILED = "reconciled", "Settled by reconciliation"
        NEEDS_REVIEW = "needs_review", "Needs review"
        RESOLVED = "resolved", "Resolved by a person"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Payment.Status.choices)
    amount = money_field()
    currency = models.CharField(max_length=3)
    message = models.CharField(max_length=1000, blank=True)
    correlation_id = models.CharField(max_length=128, blank=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M:%S})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PaymentError("Payment events are append-only.")
        super().save(*args, **kwargs)


# --- Bill submissions: bills created or edited from billpay, and the documents they start from ----


class BillSubmission(models.Model):
    """One submit of the create- or edit-bill form, keyed by the form's token.

    The token is sent to the ledger as the Idempotency-Key; the unique key makes a double submit
    (two tabs, a double click, a retry after a lost answer) resolve to the one bill.
    """

    class Kind(models.TextChoices):
        CREATE = "create", "Create"
        UPDATE = "update", "Update"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="+")
    # Who submitted it: nobody may approve a bill they created or last edited.
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Created from a dropped document (the approval policies' "captured from a document").
    from_document = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["company", "key"], name="bill_submission_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


def bill_document_key(instance: BillDocument, filename: str) -> str:
    # The same unguessable layout as attachments: the file becomes the bill's attachment as is.
    return f"attachments/{instance.company_id}/{uuid.uuid4().hex}/{filename}"


class BillDocument(models.Model):
    """A PDF or image dropped to start a bill: kept until the bill is saved with it attached."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to=bill_document_key)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["token"], name="bill_document_unique_token"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Runs: the first-link import and the refreshes that read the ledger's payables ----------------


class ImportRunQuerySet(CompanyQuerySet):
    def last_succeeded(self) -> ImportRun | None:
        """The run that finished most recently with success: when the data was last read."""
        return (
            self.filter(status=ImportRun.Status.SUCCEEDED).order_by("-finished_at", "-id").first()
        )


class ImportRun(models.Model):
    """One pull of the ledger's payables into billpay: the first-link import or a refresh.

    It stores where each paged read got to, so that a retried task resumes instead of restarting.
    """

    class Kind(models.TextChoices):
        FIRST_LINK = "first_link", "First-link import"
        REFRESH = "refresh", "Refresh"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    ACTIVE: ClassVar = (Status.PENDING, Status.RUNNING)

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="import_runs")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FIRST_LINK)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(max_length=32, blank=True)
    suppliers_token = models.CharField(max_length=1000, blank=True)
    bills_token = models.CharField(max_length=1000, blank=True)
    suppliers_done = models.BooleanField(default=False)
    bills_done = models.BooleanField(default=False)
    suppliers_imported = models.PositiveIntegerField(default=0)
    bills_imported = models.PositiveIntegerField(default=0)
    # Bills the ledger has but the inbox leaves out, by status: {"Draft": 3, "Paid": 40, ...}.
    not_imported = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The attempt that holds the run: set when a task claims it, checked by every write the
    # attempt makes, so a worker that wakes after the run was resumed elsewhere writes nothing.
    lease = models.CharField(max_length=32, blank=True)
    # The heartbeat: when an attempt last stored a page or changed phase (claims count too). A
    # live run with nothing for IMPORT_STALL_SECONDS is stalled: its worker died.
    progressed_at = models.DateTimeField(null=True, blank=True)
    # How many times the stall sweeper resumed this run (bounded by IMPORT_STALL_MAX_RESUMES).
    resumes = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshes: what started the run, and the ledger changes it asked for (sourceModifiedDate>=).
    trigger = models.CharField(max_length=16, blank=True)
    modified_since = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(ImportRunQuerySet)()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            # One import at a time per company: a second "link" or "retry" reuses the live one.
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(status__in=["pending", "running"]),
                name="import_run_one_active_per_company",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.company} ({self.status})"

    @property
    def last_progress(self) -> dt.datetime:
        """When the run last showed life: its last stored page, its claim, or its creation."""
        return self.progressed_at or self.started_at or self.created_at

    def is_stalled(self, now: dt.datetime | None = None) -> bool:
        """Live (pending or running) but with no progress for IMPORT_STALL_SECONDS."""
        cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.IMPORT_STALL_SECONDS)
        return self.status in self.ACTIVE and self.last_progress < cutoff

    @classmethod
    def stalled(cls, now: dt.datetime) -> Q:
        """The condition `is_stalled` checks, for a query or a compare-and-set."""
        return cls.idle_since(now - dt.timedelta(seconds=settings.IMPORT_STALL_SECONDS))

    @classmethod
    def idle_since(cls, cutoff: dt.datetime) -> Q:
        """Live runs whose last progress (see `last_progress`) is older than `cutoff`."""
        return Q(status__in=cls.ACTIVE) & (
            Q(progressed_at__lt=cutoff)
            | Q(progressed_at=None, started_at__lt=cutoff)
            | Q(progressed_at=None, started_at=None, created_at__lt=cutoff)
        )


# --- Approvals: versioned policies, one request per bill exposure, decisions, delegations ---------


class ApprovalGroup(models.Model):
    """Named members a policy step can ask ("Finance leads")."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    members = models.ManyToManyField("accounts.User", related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["company", "name"], name="approval_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalPolicyQuerySet(CompanyQuerySet):
    def active(self) -> ApprovalPolicyQuerySet:
        return self.filter(status=ApprovalPolicy.Status.ACTIVE)


class ApprovalPolicy(models.Model):
    """One version of a company's approval policy. Versions are never edited: a change saves a
    new version, which becomes active at once, or once a second owner or admin confirms it when
    the company has two. Requests keep the version (and the steps) they started with."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for a second owner or admin"
        ACTIVE = "active", "Active"
        SUPERSEDED = "superseded", "Replaced by a later version"
        WITHDRAWN = "withdrawn", "Withdrawn"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    rules = models.JSONField()  # payables.policies.Policy.as_json()
    status = models.CharField(max_length=16, choices=Status.choices)
    # The backlog choice at the first policy: bills due on or before this date need no approval.
    exempt_due_on_or_before = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(ApprovalPolicyQuerySet)()

    class Meta:
        ordering = ("-version",)
        verbose_name_plural = "approval policies"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "version"], name="approval_policy_unique_version"
            ),
            # One version in force, and at most one waiting for confirmation, per company.
            models.UniqueConstraint(
                fields=["company"], condition=Q(status="active"), name="approval_policy_one_active"
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(status="proposed"),
                name="approval_policy_one_proposed",
            ),
        ]

    def __str__(self) -> str:
        return f"Approval policy v{self.version} ({self.get_status_display().lower()})"

    @property
    def policy(self) -> Policy:
        return Policy.from_json(self.rules)


class ApprovalRequestQuerySet(CompanyQuerySet):
    def live(self) -> ApprovalRequestQuerySet:
        return self.filter(state__in=ApprovalRequest.LIVE)

    def pending(self) -> ApprovalRequestQuerySet:
        return self.filter(state=ApprovalRequest.State.PENDING)


class ApprovalRequest(models.Model):
    """What one bill, as it stood (its snapshot), needs before it may be paid.

    `state` moves pending → approved | declined, and any live request → reset (the bill changed
    so that the company's exposure rose: a new request starts) or withdrawn (paid or voided
    elsewhere before a decision). Every move is a compare-and-set on the row (services)."""

    class State(models.TextChoices):
        NOT_REQUIRED = "not_required", "No approval needed"
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        RESET = "reset", "Started over (the bill changed)"
        WITHDRAWN = "withdrawn", "Withdrawn"

    LIVE: ClassVar = (State.NOT_REQUIRED, State.PENDING, State.APPROVED, State.DECLINED)
    # A bill in one of these may be paid, up to the approved amount.
    PAYABLE: ClassVar = (State.NOT_REQUIRED, State.APPROVED)

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="approvals")
    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.PROTECT, related_name="requests")
    # The rule the bill met (payables.policies.FALLBACK for the fallback) and its steps as
    # they were: a later policy version changes nothing for this request.
    rule_index = models.IntegerField()
    rule = models.JSONField()
    snapshot = models.JSONField()
    source = models.CharField(max_length=16)
    base_amount = money_field(null=True, blank=True)  # None: foreign without a rate
    state = models.CharField(max_length=16, choices=State.choices)
    # The step being decided (sequential rules), 0-based; a parallel rule decides all at once.
    current_step = models.PositiveIntegerField(default=0)
    approved_amount = money_field(null=True, blank=True)  # in the bill's currency
    # The billpay user who created or last edited the bill: they may not approve it.
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)  # why not required, reset, declined
    # Routed when the company's first policy came in: an owner may approve these in one action.
    backlog = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(ApprovalRequestQuerySet)()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            # One live request per bill: the gate payments read.
            models.UniqueConstraint(
                fields=["bill"],
                condition=Q(state__in=["not_required", "pending", "approved", "declined"]),
                name="approval_request_one_live_per_bill",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approved_amount__isnull=False),
                name="approval_request_approved_has_amount",
            ),
        ]
        indexes: ClassVar = [
            # "Waiting for me" and the navigation's count: WHERE company=? AND state='pending'.
            models.Index(
                fields=["company", "created_at"],
                condition=Q(state="pending"),
                name="approval_request_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Approval of {self.bill_id} ({self.state})"

    @property
    def is_payable(self) -> bool:
        return self.state in self.PAYABLE


class ApprovalDecision(models.Model):
    """One person's decision on one step of a request; never edited."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "Approved"
        DECLINE = "decline", "Declined"

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    step = models.PositiveIntegerField()
    # Who clicked, and whom it counts for: themselves, or the person they stand in for.
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    for_user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["request", "step", "for_user"], name="approval_decision_once_per_person"
            ),
            models.UniqueConstraint(
                fields=["request", "step", "user"], name="approval_decision_once_per_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on step {self.step}"


class ApprovalDelegation(models.Model):
    """While `from_user` is away (`starts_on`..`ends_on`, inclusive), `to_user` approves for them."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    from_user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    to_user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("starts_on", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="approval_delegation_dates"
            ),
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="approval_delegation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user_id} → {self.to_user_id} ({self.starts_on} to {self.ends_on})"

    def covers(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on
