from __future__ import annotations

from django.urls import path

from payables.views import attachments, bills, inbox, payments, runs, suppliers, sync, webhooks

app_name = "payables"

urlpatterns = [
    path("", inbox.bill_list, name="bill-list"),
    path("bills/<int:bill_id>/", inbox.bill_detail, name="bill-detail"),
    path("imports/<int:run_id>/", runs.run_progress, name="import-progress"),
    path("imports/<int:run_id>/status/", runs.run_status, name="import-status"),
    path("imports/<int:run_id>/retry/", runs.run_retry, name="import-retry"),
    # Suppliers, refresh and sync health
    path("suppliers/", suppliers.supplier_list, name="supplier-list"),
    path("suppliers/new/", suppliers.supplier_create_view, name="supplier-create"),
    path("suppliers/<int:supplier_id>/", suppliers.supplier_detail, name="supplier-detail"),
    path("suppliers/<int:supplier_id>/edit/", suppliers.supplier_edit, name="supplier-edit"),
    path(
        "suppliers/<int:supplier_id>/refresh/",
        suppliers.supplier_refresh_view,
        name="supplier-refresh",
    ),
    path("refresh/", sync.refresh_now, name="refresh-now"),
    path("refresh/<int:run_id>/", runs.run_progress, name="refresh-progress"),
    path("refresh/<int:run_id>/status/", runs.run_status, name="refresh-status"),
    path("sync/", sync.sync_health_view, name="sync-health"),
    path("webhooks/codat/", webhooks.codat_webhook, name="codat-webhook"),
    path("bills/<int:bill_id>/pay/", payments.bill_pay_view, name="bill-pay"),
    path("payments/", payments.payment_list, name="payment-list"),
    path("payments/export.csv", payments.payment_export, name="payment-export"),
    path("payments/<int:payment_id>/retry/", payments.payment_retry_view, name="payment-retry"),
    path("payments/<int:payment_id>/review/", payments.payment_review_view, name="payment-review"),
    path("bank-accounts/new/", payments.bank_account_create_view, name="bank-account-create"),
    # Creating and editing bills, attachments
    path("bills/new/", bills.bill_create, name="bill-create"),
    path("bills/new/from-document/", bills.bill_from_document, name="bill-from-document"),
    path("bills/documents/<uuid:token>/", bills.document_preview, name="document-preview"),
    path("bills/<int:bill_id>/edit/", bills.bill_edit, name="bill-edit"),
    path("bills/suppliers/", bills.supplier_search, name="bill-supplier-search"),
    path("bills/tax-rates/", bills.tax_rate_options, name="bill-tax-rates"),
    path("bills/supplier-coding/", bills.supplier_coding, name="bill-supplier-coding"),
    path(
        "bills/options/refresh/",
        bills.mapping_options_refresh_view,
        name="mapping-options-refresh",
    ),
    path(
        "bills/<int:bill_id>/attachments/",
        attachments.attachment_upload,
        name="attachment-upload",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        attachments.attachment_download,
        name="attachment-download",
    ),
    path(
        "attachments/<int:attachment_id>/retry/",
        attachments.attachment_retry,
        name="attachment-retry",
    ),
]
