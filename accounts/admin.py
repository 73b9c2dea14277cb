from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import (
    AuditLogEntry,
    Company,
    Connection,
    Invitation,
    Membership,
    User,
    WebhookEvent,
)
from billpay.admin_readonly import ReadOnlyAdmin


class UserCreateForm(UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


# The change link leads to Connection's own admin, which is in payables/admin.py because its
# actions (refresh now) start payables work.
class ConnectionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Connection
    extra = 0
    fields = ("platform_name", "codat_connection_id", "status", "status_read_at", "linked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "codat_company_id", "base_currency", "created_at")
    search_fields = ("name", "codat_company_id")
    readonly_fields = ("codat_company_id", "created_at")
    inlines = (MembershipInline, ConnectionInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "company", "role", "created_at", "deactivated_at")
    list_filter = ("role",)
    search_fields = ("user__email", "company__name")
    autocomplete_fields = ("user", "company")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are made, resent and revoked in company settings, where each change is
    audited; staff see them here."""

    list_display = ("email", "company", "role", "invited_by", "sent_at", "expires_at", "state")
    list_filter = ("role",)
    search_fields = ("email", "company__name")
    list_select_related = ("company", "invited_by")
    exclude = ("token_hash",)


# --- Audit log and webhook receipts: read-only --------------------------------------------------


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "company", "actor", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("company__name", "actor__email", "object_id", "object_repr", "action")
    list_select_related = ("company", "actor")
    date_hierarchy = "created_at"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "event_type", "company", "status", "note", "message_id")
    list_filter = ("event_type", "status")
    search_fields = ("message_id", "company__name", "event_type")
    list_select_related = ("company",)
