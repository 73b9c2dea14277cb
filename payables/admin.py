"""Admin for the payables app: the ledger's copies are read-only; staff can refresh a connection,
retry a failed import, resend a pending payment and resolve one that needs review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import Connection
from accounts.services import OnboardingError, connection_unlink
from billpay.admin_readonly import ReadOnlyAdmin
from payables.errors import PayablesError, RefreshStopped
from payables.forms import PaymentResolveForm, add_errors
from payables.models import (
    Account,
    Attachment,
    BankAccount,
    Bill,
    BillLineItem,
    ImportRun,
    Payment,
    PaymentEvent,
    Supplier,
    TaxRate,
)
from payables.services.imports import payables_import_retry
from payables.services.payments import payment_resolve, payment_review_facts
from payables.services.sync import Trigger, payables_refresh_start
from payables.tasks import payment_retry


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- The ledger's copies: suppliers, bills, accounts, tax rates, bank accounts, attachments ------


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ("name", "company", "status", "default_currency", "balance", "last_read_at")
    list_filter = ("status",)
    search_fields = ("name", "codat_id", "company__name")
    list_select_related = ("company",)


class BillLineItemInline(ReadOnlyInline):
    model = BillLineItem
    fields = (
        "position",
        "description",
        "quantity",
        "unit_amount",
        "tax_amount",
        "total_amount",
        "account_codat_id",
        "tax_rate_codat_id",
    )


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = (
        "name",
        "content_type",
        "size",
        "sync_status",
        "sync_error",
        "sync_started_at",
        "created_at",
    )


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("week", "Due in 7 days"), ("later", "Due later")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        week = today + dt.timedelta(days=7)
        if self.value() == "overdue":
            return queryset.filter(status__in=Bill.UNPAID, due_date__lt=today)
        if self.value() == "week":
            return queryset.filter(status__in=Bill.UNPAID, due_date__gte=today, due_date__lte=week)
        if self.value() == "later":
            return queryset.filter(due_date__gt=week)
        return queryset


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "company",
        "supplier_name",
        "status",
        "due_date",
        "currency",
        "amount_due",
        "total_amount",
        "last_read_at",
    )
    list_filter = ("status", "currency", DueFilter)
    search_fields = ("reference", "codat_id", "supplier_name", "supplier__name", "company__name")
    list_select_related = ("company",)
    date_hierarchy = "due_date"
    inlines = (BillLineItemInline, AttachmentInline)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "company", "type", "currency", "status", "last_read_at")
    list_filter = ("status",)
    search_fields = ("name", "nominal_code", "codat_id", "company__name")
    list_select_related = ("company",)


@admin.register(TaxRate)
class TaxRateAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "company", "code", "effective_tax_rate", "status", "last_read_at")
    list_filter = ("status",)
    search_fields = ("name", "code", "codat_id", "company__name")
    list_select_related = ("company",)


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "company", "account_type", "currency", "status", "last_read_at")
    list_filter = ("status", "account_type")
    search_fields = ("name", "account_number", "codat_id", "company__name")
    list_select_related = ("company",)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "company", "bill", "content_type", "size", "sync_status")
    list_filter = ("sync_status",)
    search_fields = ("name", "codat_id", "company__name")
    list_select_related = ("company", "bill")


# --- Connections and their runs: refresh now, unlink, retry a failed import ---------------------


class NeedsReconnectFilter(admin.SimpleListFilter):
    title = "needs reconnect"
    parameter_name = "reconnect"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Access revoked or unlinked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(
                status__in=[Connection.Status.DEAUTHORIZED, Connection.Status.UNLINKED]
            )
        return queryset


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Connections (an accounts model, administered here because its actions start payables
    work) with their last successful sync, refresh now and unlink."""

    list_display = (
        "company",
        "platform_name",
        "status",
        "needs_reconnect",
        "last_sync",
        "status_read_at",
        "linked_at",
    )
    list_filter = ("status", NeedsReconnectFilter, "platform_key")
    search_fields = ("company__name", "codat_connection_id", "organisation_name")
    # Statuses are read from Codat, never typed in here.
    readonly_fields = (
        "codat_connection_id",
        "status",
        "link_url",
        "status_read_at",
        "linked_at",
        "created_at",
    )
    actions = ("refresh_now", "unlink")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Connection]:
        return (
            super()
            .get_queryset(request)
            .select_related("company")
            .annotate(
                last_sync_at=Max(
                    "company__import_runs__finished_at",
                    filter=Q(company__import_runs__status=ImportRun.Status.SUCCEEDED),
                )
            )
        )

    @admin.display(description="Last sync", ordering="last_sync_at")
    def last_sync(self, obj: Any) -> Any:
        return obj.last_sync_at

    @admin.display(description="Reconnect?", boolean=True)
    def needs_reconnect(self, obj: Connection) -> bool:
        return obj.status in (Connection.Status.DEAUTHORIZED, Connection.Status.UNLINKED)

    @admin.action(description="Refresh now from the ledger")
    def refresh_now(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        started = 0
        for connection in queryset.select_related("company"):
            try:
                payables_refresh_start(
                    company=connection.company, connection=connection, trigger=Trigger.STAFF
                )
            except RefreshStopped as exc:
                self.message_user(request, f"{connection.company}: {exc.message}", messages.WARNING)
            else:
                started += 1
        self.message_user(request, f"{started} refresh(es) queued.", messages.SUCCESS)

    @admin.action(description="Unlink in Codat (data is kept; the user can reconnect)")
    def unlink(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        for connection in queryset.select_related("company"):
            try:
                connection_unlink(connection=connection)
            except OnboardingError as exc:
                self.message_user(request, f"{connection.company}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{connection.company}: unlinked.", messages.SUCCESS)


class TriggerFilter(admin.SimpleListFilter):
    """What started a run; a first-link import has none, which gets a name of its own (the
    default filter would list the empty value as a link without text)."""

    title = "trigger"
    parameter_name = "trigger"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("none", "None (first-link import)"), *((t.value, t.value) for t in Trigger)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "none":
            return queryset.filter(trigger="")
        return queryset.filter(trigger=value) if value else queryset


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """Imports and refreshes (sync runs): start, end, counts and errors."""

    list_display = (
        "__str__",
        "company",
        "kind",
        "trigger",
        "status",
        "phase",
        "bills_imported",
        "suppliers_imported",
        "attempts",
        "started_at",
        "finished_at",
        "error",
    )
    list_filter = ("status", "kind", TriggerFilter)
    search_fields = ("company__name",)
    list_select_related = ("company",)
    actions = ("retry",)

    @admin.action(description="Retry the selected failed imports")
    def retry(self, request: HttpRequest, queryset: QuerySet[ImportRun]) -> None:
        runs = list(queryset)
        failed = [run for run in runs if run.status == ImportRun.Status.FAILED]
        for run in failed:
            payables_import_retry(run=run)
        self.message_user(request, f"{len(failed)} import(s) queued again.", messages.SUCCESS)
        skipped = len(runs) - len(failed)
        if skipped:
            self.message_user(
                request, f"{skipped} import(s) were not failed and were left alone.", messages.INFO
            )


# --- Payments: money rows and their audit log are never edited here -----------------------------


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = ("created_at", "kind", "status", "amount", "currency", "message", "correlation_id")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "company",
        "bill",
        "amount",
        "currency",
        "status",
        "paid_on",
        "codat_id",
        "attempts",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("codat_id", "idempotency_key", "reference", "bill__reference", "company__name")
    list_select_related = ("company", "bill", "created_by")
    date_hierarchy = "created_at"
    inlines = (PaymentEventInline,)
    actions = ("retry",)
    readonly_fields = ("review",)

    @admin.display(description="Review")
    def review(self, obj: Payment) -> str:
        if not obj.needs_review:
            return "—"
        url = reverse("admin:payables_payment_resolve", args=[obj.pk])
        return format_html('<a class="button" href="{}">Resolve this payment</a>', url)

    def get_urls(self) -> list[URLPattern]:
        resolve = self.admin_site.admin_view(self.resolve_view)
        return [
            path("<int:payment_id>/resolve/", resolve, name="payables_payment_resolve"),
            *super().get_urls(),
        ]

    def resolve_view(self, request: HttpRequest, payment_id: int) -> HttpResponse:
        """A payment that needs review: staff look in the ledger and say whether it is there;
        the same service as the app's review page (audited, compare-and-set)."""
        if not request.user.has_perm("payables.view_payment"):
            raise PermissionDenied
        payment = get_object_or_404(
            Payment.objects.select_related("company", "bill", "bank_account"), pk=payment_id
        )
        form = PaymentResolveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                payment_resolve(
                    payment=payment,
                    in_ledger=form.cleaned_data["answer"] == "in_ledger",
                    ledger_payment_id=form.cleaned_data["ledger_payment_id"],
                    user=request.user,  # type: ignore[arg-type]
                )
            except PayablesError as exc:
                add_errors(form, exc)
            else:
                self.message_user(request, f"Payment {payment.pk} resolved.", messages.SUCCESS)
                return redirect("admin:payables_payment_change", payment.pk)
        facts = payment_review_facts(payment=payment) if payment.needs_review else None
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Resolve payment {payment.pk}",
            "opts": self.model._meta,
            "payment": payment,
            "bill": payment.bill,
            "facts": facts,
            "form": form,
            "due_if_recorded": payment.amount_due_before - payment.amount,
        }
        return TemplateResponse(request, "admin/payables/payment_resolve.html", ctx)

    @admin.action(description="Resend the selected pending payments (same key: never twice)")
    def retry(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        pending = [p.pk for p in queryset if p.status == Payment.Status.PENDING]
        for pk in pending:
            payment_retry.delay_on_commit(pk)
        self.message_user(request, f"{len(pending)} pending payment(s) queued.", messages.SUCCESS)


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "payment",
        "kind",
        "status",
        "amount",
        "currency",
        "actor",
        "correlation_id",
    )
    list_filter = ("kind", "status")
    search_fields = ("correlation_id", "message", "payment__codat_id")
    list_select_related = ("payment", "actor")
