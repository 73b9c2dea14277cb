"""What billpay keeps of the company's payables: a local, queryable copy of the ledger's records.

The ledger (Codat) is the source of truth; every row carries its ledger id, unique per company,
and when it was last read, so that re-reading upserts instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Company, Connection

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
    def for_company(self, company: Company) -> CompanyQuerySet:
        return self.filter(company=company)


class LedgerRecord(models.Model):
    """Fields every copied ledger record has."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    codat_id = models.CharField(max_length=64)
    source_modified_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Supplier(LedgerRecord):
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

    objects = models.Manager.from_queryset(CompanyQuerySet)()

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


class BillQuerySet(CompanyQuerySet):
    def unpaid(self) -> BillQuerySet:
        return self.filter(status__in=Bill.UNPAID)

    def overdue(self, today: dt.date) -> BillQuerySet:
        return self.unpaid().filter(due_date__lt=today)


class Bill(LedgerRecord):
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
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.name


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
    error = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

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
