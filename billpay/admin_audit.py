"""Staff actions in the admin go to the audit log: every add, change, delete and bulk action, in
every registered ModelAdmin (billpay's, the sandbox's fault settings, the beat schedule...).

`audit_staff_changes(admin.site)` runs once from billpay/urls.py, when every app's admin module
has been imported; it gives each registered ModelAdmin the mixin below.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse


def _record(
    request: HttpRequest, action: str, obj: Model | None, *, detail: Any = None, ids: Any = None
) -> None:
    from accounts.models import Company
    from accounts.services import audit_log_record

    company = None
    if obj is not None:
        company = obj if isinstance(obj, Company) else getattr(obj, "company", None)
        company = company if isinstance(company, Company) else None
    opts = obj._meta if obj is not None else None
    audit_log_record(
        company=company,
        actor=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
        action=action,
        object_type=opts.label_lower if opts is not None else "",
        object_id="" if obj is None else str(obj.pk),
        object_repr="" if obj is None else str(obj)[:255],
        after={"detail": detail, **({"ids": ids} if ids is not None else {})},
    )


class StaffAuditMixin:
    """Mirrors the admin's own LogEntry records into the audit log, and logs bulk actions."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _record(request, "admin.add", obj, detail=message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _record(request, "admin.change", obj, detail=message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            _record(request, "admin.delete", obj, detail=str(obj))
        return super().log_deletions(request, queryset)  # type: ignore[misc]

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        name = request.POST.get("action", "")
        ids = request.POST.getlist(ACTION_CHECKBOX_NAME)
        response = super().response_action(request, queryset)  # type: ignore[misc]
        if name and name != "delete_selected":
            model = queryset.model
            sample = queryset.filter(pk__in=ids).first() if ids else None
            _record(
                request,
                f"admin.action.{name}"[:64],
                sample,
                detail=f"{model._meta.label_lower}: {name}",
                ids=ids,
            )
        return response


def audit_staff_changes(site: admin.AdminSite) -> None:
    """Give every ModelAdmin registered on the site the StaffAuditMixin (idempotent)."""
    for model_admin in site._registry.values():
        cls = type(model_admin)
        if issubclass(cls, StaffAuditMixin):
            continue
        model_admin.__class__ = type(f"Audited{cls.__name__}", (StaffAuditMixin, cls), {})
