from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from billpay.admin_audit import audit_staff_changes

audit_staff_changes(admin.site)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("payables.urls")),
]
if settings.SANDBOX_ENABLED:
    urlpatterns.insert(-1, path("sandbox/", include("sandbox.urls")))
