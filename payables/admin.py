"""Admin for the payables app: the ledger's copies are read-only, imports can be retried."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from payables.models import (
    Account,
    Attachment,
    BankAccount,
    Bill,
    BillLineItem,
    ImportRun,
    Supplier,
    TaxRate,
)
from payables.services import payables_import_retry


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows copied from the ledger: the ledger is the source of truth, so staff only look."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
    fields = ("name", "content_type", "size", "sync_status", "created_at")


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
    list_filter = ("status", "currency")
    search_fields = ("reference", "codat_id", "supplier_name", "company__name")
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


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "company",
        "kind",
        "status",
        "phase",
        "bills_imported",
        "suppliers_imported",
        "attempts",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
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
