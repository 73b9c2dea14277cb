from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email address."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Company(models.Model):
    """An SMB using billpay: one Codat company."""

    name = models.CharField(max_length=255)
    codat_company_id = models.CharField(max_length=64, unique=True)
    base_currency = models.CharField(max_length=3, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped after every committed change to the company's bills or suppliers, so that figures
    # derived from them (the inbox's totals, its supplier filter) can be cached under it.
    payables_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Separation of duties: by default whoever approved a bill may not also pay it. An owner
    # may relax that for a very small team (audited).
    approver_may_pay = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a company."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        APPROVER = "approver", "Approver"
        PAYER = "payer", "Payer"
        CLERK = "clerk", "Clerk"
        ACCOUNTANT = "accountant", "Accountant"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now)
    # A deactivated member keeps their history (audit, bills they entered) but no access.
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("company__name", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "company"], name="membership_unique_user_company"
            ),
            # A company has exactly one owner; a hand-over demotes before it promotes.
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(role="owner"),
                name="membership_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.company} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class Connection(models.Model):
    """The company's link to its accounting platform, as a Codat data connection."""

    class Status(models.TextChoices):
        PENDING_AUTH = "PendingAuth", "Waiting for consent"
        LINKED = "Linked", "Linked"
        UNLINKED = "Unlinked", "Unlinked"
        DEAUTHORIZED = "Deauthorized", "Access revoked"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="connections")
    codat_connection_id = models.CharField(max_length=64)
    platform_key = models.CharField(max_length=8)
    platform_name = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_AUTH)
    link_url = models.URLField(max_length=500)
    # The organisation (Xero tenant) behind the connection, read from company info once linked.
    organisation_name = models.CharField(max_length=255, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    status_read_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "codat_connection_id"], name="connection_unique_codat_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform_name} ({self.get_status_display()})"

    @property
    def is_linked(self) -> bool:
        return self.status == self.Status.LINKED


# --- Audit log and webhook receipts ---------------------------------------------------------------


class AuditLogEntryQuerySet(models.QuerySet["AuditLogEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit log entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit log entries are append-only.")


class AuditLogEntry(models.Model):
    """One change made to a company's data, by a user, by staff or seen by the system.

    Append-only: rows are inserted and never changed or deleted (save() refuses an update, the
    queryset refuses bulk update/delete, the admin is read-only).
    """

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="audit_log", null=True, blank=True
    )
    # None: the system did it (a scheduled refresh saw the change in the ledger, a webhook).
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = models.Manager.from_queryset(AuditLogEntryQuerySet)()

    class Meta:
        verbose_name_plural = "audit log entries"
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [
            # An object's history: WHERE company=? AND object_type=? AND object_id=? ORDER BY created_at.
            models.Index(
                fields=["company", "object_type", "object_id", "created_at"],
                name="audit_object_history",
            ),
        ]

    def __str__(self) -> str:
        who = self.actor or "system"
        return f"{self.action} {self.object_type} {self.object_id} by {who}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit log entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit log entries are append-only.")


class WebhookEvent(models.Model):
    """A webhook message received from Codat, kept once per `webhook-id` (Svix's message id)."""

    class Status(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"

    message_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices)
    note = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"{self.event_type} ({self.message_id})"


# --- Invitations ------------------------------------------------------------------------------


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def for_company(self, company: Company) -> InvitationQuerySet:
        return self.filter(company=company)

    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (an expired one is still open: it can be resent)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An e-mailed offer to join a company with a role, accepted once through its link.

    The link carries a random token; only its SHA-256 is stored, so the table alone opens no door.
    Resending replaces the token (the old link stops working) and extends the expiry.
    """

    VALID_FOR = timedelta(days=7)

    class State(models.TextChoices):
        OPEN = "open", "Open"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(InvitationQuerySet)()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            # One open invitation per address and company: inviting again means resending.
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="owner"), name="invitation_role_not_owner"
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.company} ({self.role})"

    def clean(self) -> None:
        super().clean()
        self.email = User.objects.normalize_email(self.email).lower()

    def state(self, now: datetime | None = None) -> Invitation.State:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.OPEN
