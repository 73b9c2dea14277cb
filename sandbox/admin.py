"""Admin for the sandbox ledger: look inside the emulated platform, move connections between
statuses, and inject faults. Every model here lives in the "sandbox" database; the router sends
the admin's queries there, so nothing below names a database."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from billpay.admin_readonly import ReadOnlyAdmin
from sandbox import services
from sandbox.models import (
    Fault,
    IdempotencyRecord,
    LedgerAttachment,
    LedgerCompany,
    LedgerConnection,
    LedgerRecord,
    RateWindow,
)
from sandbox.platforms import platform_for


class LedgerConnectionInline(admin.TabularInline):
    model = LedgerConnection
    extra = 0
    fields = ("platform_key", "status", "organisation_name", "base_currency", "seeded", "created")
    readonly_fields = ("created",)
    show_change_link = True


@admin.register(LedgerCompany)
class LedgerCompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "created")
    search_fields = ("name",)
    readonly_fields = ("id",)
    inlines = (LedgerConnectionInline,)


@admin.register(LedgerConnection)
class LedgerConnectionAdmin(admin.ModelAdmin):
    list_display = ("id", "company", "platform", "status", "seeded", "last_sync", "created")
    list_filter = ("status", "platform_key")
    list_select_related = ("company",)
    search_fields = ("company__name", "organisation_name")
    readonly_fields = ("id",)
    actions = ("link", "deauthorize", "unlink", "read_complete")

    @admin.display(description="platform", ordering="platform_key")
    def platform(self, connection: LedgerConnection) -> str:
        return platform_for(connection.platform_key).name

    @admin.action(description="Link (as if the user allowed access on the consent page)")
    def link(self, request: HttpRequest, queryset: QuerySet[LedgerConnection]) -> None:
        for connection in queryset:
            services.connection_consent(connection=connection, granted=True)
        self.message_user(request, f"Linked {len(queryset)} connection(s).", messages.SUCCESS)

    @admin.action(description="Deauthorize (as if access was revoked in the platform)")
    def deauthorize(self, request: HttpRequest, queryset: QuerySet[LedgerConnection]) -> None:
        for connection in queryset:
            services.connection_deauthorize(connection=connection)
        self.message_user(request, f"Deauthorized {len(queryset)} connection(s).", messages.SUCCESS)

    @admin.action(description="Unlink (as the unlink PATCH does)")
    def unlink(self, request: HttpRequest, queryset: QuerySet[LedgerConnection]) -> None:
        for connection in queryset:
            services.connection_unlink(connection=connection)
        self.message_user(request, f"Unlinked {len(queryset)} connection(s).", messages.SUCCESS)

    @admin.action(description="Finish a sync (sends read.completed when webhooks are on)")
    def read_complete(self, request: HttpRequest, queryset: QuerySet[LedgerConnection]) -> None:
        for connection in queryset:
            services.connection_read_complete(connection=connection)
        self.message_user(request, f"Synced {len(queryset)} connection(s).", messages.SUCCESS)


@admin.register(LedgerRecord)
class LedgerRecordAdmin(ReadOnlyAdmin):
    list_display = ("record_id", "dataset", "connection", "parent_id", "modified")
    list_filter = ("dataset",)
    list_select_related = ("connection",)
    search_fields = ("record_id",)
    fields = ("connection", "dataset", "record_id", "parent_id", "modified", "pretty_document")

    @admin.display(description="document")
    def pretty_document(self, record: LedgerRecord) -> str:
        # Re-indent without parsing numbers as float: the text is shown, never computed with.
        text = json.dumps(json.loads(record.document, parse_float=str), indent=2)
        return format_html("<pre>{}</pre>", text)


@admin.register(LedgerAttachment)
class LedgerAttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "bill_id", "content_type", "file_size", "connection", "created")
    search_fields = ("name", "bill_id")
    # The bytes stay out of every admin page; files arrive through the upload operation only.
    exclude = ("content",)
    readonly_fields = ("id", "connection", "bill_id", "content_type", "file_size", "created")

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerAttachment]:
        return super().get_queryset(request).defer("content").select_related("connection")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ("key", "client", "state", "status", "created")
    list_filter = ("state", "status")
    search_fields = ("key",)
    exclude = ("body",)
    readonly_fields = ("response_body",)

    @admin.display(description="body")
    def response_body(self, record: IdempotencyRecord) -> str:
        return format_html("<pre>{}</pre>", bytes(record.body).decode("utf-8", "replace"))


class FaultForm(forms.ModelForm):
    class Meta:
        model = Fault
        fields = (
            "kind",
            "company",
            "method",
            "path_contains",
            "probability",
            "remaining",
            "latency_ms",
            "retry_after_seconds",
            "active",
        )

    def clean_method(self) -> str:
        # The ledger compares methods exactly, and they arrive upper-case.
        return str(self.cleaned_data["method"]).strip().upper()


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    form = FaultForm
    list_display = (
        "kind",
        "company",
        "method",
        "path_contains",
        "probability",
        "remaining",
        "active",
        "created",
    )
    list_filter = ("active", "kind")
    list_select_related = ("company",)
    actions = ("switch_off",)

    @admin.action(description="Switch off")
    def switch_off(self, request: HttpRequest, queryset: QuerySet[Fault]) -> None:
        count = queryset.filter(active=True).update(active=False)
        self.message_user(request, f"Switched off {count} fault(s).", messages.SUCCESS)


@admin.register(RateWindow)
class RateWindowAdmin(admin.ModelAdmin):
    """The daily quota's counter; lower `count` to let a demo continue after a 429."""

    list_display = ("day", "count")
