from __future__ import annotations

from django.urls import path

from sandbox import views

app_name = "sandbox"

urlpatterns = [
    path("codat/<path:path>", views.api, name="api"),
    path(
        "link-api/companies/<uuid:company_id>/connections/<uuid:connection_id>/start",
        views.consent,
        name="consent",
    ),
    path("link/company/<uuid:company_id>", views.hosted_link, name="hosted-link"),
]
