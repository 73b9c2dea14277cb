from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("sandbox/", include("sandbox.urls")),
    path("", include("payables.urls")),
]
