from __future__ import annotations

from django.urls import path

from payables.views import imports, inbox

app_name = "payables"

urlpatterns = [
    path("", inbox.bill_list, name="bill-list"),
    path("bills/<int:bill_id>/", inbox.bill_detail, name="bill-detail"),
    path("imports/<int:run_id>/", imports.import_progress, name="import-progress"),
    path("imports/<int:run_id>/status/", imports.import_status, name="import-status"),
    path("imports/<int:run_id>/retry/", imports.import_retry, name="import-retry"),
]
