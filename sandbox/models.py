"""State of the sandbox ledger: the companies, connections and accounting records it emulates.

Payables records (bills, suppliers, accounts, tax rates, bank accounts, payments) are kept as the JSON
documents the API returns, so what is stored is exactly what is served; a few columns beside each
document carry what the emulator filters and orders by.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone


class LedgerCompany(models.Model):
    """A Codat company."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    tags = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "ledger companies"
        ordering = ("created", "id")

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class LedgerConnection(models.Model):
    """A company's connection to one accounting platform (the "data connection")."""

    class Status(models.TextChoices):
        PENDING_AUTH = "PendingAuth"
        LINKED = "Linked"
        UNLINKED = "Unlinked"
        DEAUTHORIZED = "Deauthorized"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(LedgerCompany, on_delete=models.CASCADE, related_name="connections")
    platform_key = models.CharField(max_length=4)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_AUTH)
    created = models.DateTimeField(default=timezone.now)
    last_sync = models.DateTimeField(null=True, blank=True)
    # The initial read of a newly linked connection ends here; list calls answer 409 until then.
    data_ready_at = models.DateTimeField(null=True, blank=True)
    # Whether the platform's demo data was generated (once, on first link).
    seeded = models.BooleanField(default=False)
    data_connection_errors = models.JSONField(default=list, blank=True)
    # The organisation in the accounting platform behind the connection.
    organisation_name = models.CharField(max_length=255, blank=True)
    base_currency = models.CharField(max_length=3, default="GBP")

    class Meta:
        ordering = ("created", "id")

    def __str__(self) -> str:
        return f"{self.platform_key} {self.status} ({self.id})"


class Dataset(models.TextChoices):
    BILLS = "bills"
    SUPPLIERS = "suppliers"
    ACCOUNTS = "accounts"
    TAX_RATES = "taxRates"
    BANK_ACCOUNTS = "bankAccounts"
    BILL_PAYMENTS = "billPayments"


class LedgerRecord(models.Model):
    """One record of the connected platform, stored as its API JSON document."""

    connection = models.ForeignKey(
        LedgerConnection, on_delete=models.CASCADE, related_name="records"
    )
    dataset = models.CharField(max_length=16, choices=Dataset.choices)
    record_id = models.CharField(max_length=64)
    document = models.TextField(help_text="The record as the API serves it (JSON).")
    # For payments: the bill paid. Bills: their supplier. Empty otherwise.
    parent_id = models.CharField(max_length=64, blank=True, default="")
    modified = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["connection", "dataset", "record_id"], name="sandbox_record_unique_id"
            ),
        ]
        indexes: ClassVar = [
            # Paging a dataset in insertion order: WHERE connection=? AND dataset=? AND id>? ORDER BY id.
            models.Index(fields=["connection", "dataset", "id"], name="sandbox_record_page"),
            # A bill's payments: WHERE connection=? AND dataset='billPayments' AND parent_id=?.
            models.Index(
                fields=["connection", "dataset", "parent_id"], name="sandbox_record_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.record_id}"


class LedgerAttachment(models.Model):
    """A file attached to a bill."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(
        LedgerConnection, on_delete=models.CASCADE, related_name="attachments"
    )
    bill_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    content = models.BinaryField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created", "id")
        indexes: ClassVar = [
            # List a bill's attachments: WHERE connection=? AND bill_id=? ORDER BY created.
            models.Index(
                fields=["connection", "bill_id", "created"], name="sandbox_attachment_bill"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IdempotencyRecord(models.Model):
    """The first response to a request carrying an Idempotency-Key, replayed for 90 minutes."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight"
        DONE = "done"

    key = models.CharField(max_length=255)
    # Keys are scoped to the API key that sent them, as Codat scopes them to the client.
    client = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_FLIGHT)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["client", "key"], name="sandbox_idempotency_unique"),
        ]
        indexes: ClassVar = [
            # The purge task: DELETE WHERE created < now - 90 minutes.
            models.Index(fields=["created"], name="sandbox_idempotency_created"),
        ]

    def __str__(self) -> str:
        return self.key


class Fault(models.Model):
    """A fault to inject into matching API calls, globally or for one company."""

    class Kind(models.TextChoices):
        LATENCY = "latency", "Latency (delay, then answer normally)"
        RATE_LIMIT = "rate_limit", "429 Too Many Requests with Retry-After"
        SERVER_ERROR = "server_error", "500 Internal Server Error"
        UNAVAILABLE = "unavailable", "503 Service Unavailable"
        TIMEOUT = "timeout", "Timeout (nothing done, no answer)"
        LOST_RESPONSE = "lost_response", "Lost response (done, answer never arrives)"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    company = models.ForeignKey(
        LedgerCompany,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="faults",
        help_text="Only calls for this company; empty for every call.",
    )
    method = models.CharField(
        max_length=8, blank=True, help_text="Only this HTTP method (GET, POST...); empty for any."
    )
    path_contains = models.CharField(
        max_length=255, blank=True, help_text="Only paths containing this text, e.g. /payment."
    )
    probability = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=1,
        help_text="Chance (0-1) that a matching call fails.",
    )
    remaining = models.PositiveIntegerField(
        null=True, blank=True, help_text="Fire this many more times, then stop; empty for no limit."
    )
    latency_ms = models.PositiveIntegerField(default=0)
    retry_after_seconds = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="sandbox_fault_probability_range",
            ),
        ]

    def __str__(self) -> str:
        scope = f"company {self.company_id}" if self.company_id else "all companies"
        return f"{self.get_kind_display()} on {scope}"


class RateWindow(models.Model):
    """Requests counted against the daily quota, which resets at 00:00 UTC."""

    day = models.DateField(unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.count}"
