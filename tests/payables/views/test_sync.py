"""Refresh now with its progress page, the sync-health page and the reconnect banner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Connection
from payables.models import Attachment, Bill, ImportRun, Payment
from payables.services.sync import SYNC_HEALTH_CHECKS, Trigger, sync_health
from payables.tasks import payables_refresh
from tests.payables.factories import (
    AttachmentFactory,
    BillFactory,
    ImportRunFactory,
    PaymentFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

REFRESH_NOW = reverse("payables:refresh-now")
HEALTH = reverse("payables:sync-health")


def progress(run: ImportRun) -> str:
    return reverse("payables:refresh-progress", args=[run.pk])


def status(run: ImportRun) -> str:
    return reverse("payables:refresh-status", args=[run.pk])


def test_refresh_now_starts_a_run_and_shows_its_progress(
    ledger_client, imported, enqueued_refresh
) -> None:
    response = ledger_client.post(REFRESH_NOW)
    run = ImportRun.objects.get(company=imported.company, kind=ImportRun.Kind.REFRESH)
    assert run.trigger == Trigger.USER
    assert response.status_code == 302
    assert response["Location"] == progress(run)
    enqueued_refresh.assert_called_once_with(run.pk)
    page = ledger_client.get(progress(run)).content.decode()
    assert "Waiting to start" in page
    assert 'hx-trigger="every 2s"' in page
    payables_refresh(run.pk)
    fragment = ledger_client.get(status(run), headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # htmx: stop polling
    assert "data-refresh-done" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_refresh_now_htmx_redirects_the_client(ledger_client, imported, enqueued_refresh) -> None:
    response = ledger_client.post(REFRESH_NOW, headers={"HX-Request": "true"})
    run = ImportRun.objects.get(company=imported.company, kind=ImportRun.Kind.REFRESH)
    assert response["HX-Redirect"] == progress(run)


def test_refresh_now_while_the_import_runs_shows_the_import(
    client_logged_in, company, enqueued_refresh
) -> None:
    running = ImportRunFactory(company=company, status=ImportRun.Status.RUNNING)
    response = client_logged_in.post(REFRESH_NOW)
    assert response["Location"] == reverse("payables:import-progress", args=[running.pk])
    enqueued_refresh.assert_not_called()


def test_refresh_now_on_a_revoked_connection_says_reconnect(
    client_logged_in, company, enqueued_refresh
) -> None:
    Connection.objects.filter(company=company).update(status=Connection.Status.DEAUTHORIZED)
    response = client_logged_in.post(REFRESH_NOW, follow=True)
    html = response.content.decode()
    assert "Access to Xero was revoked" in html
    assert "data-reconnect-banner" in html
    assert not ImportRun.objects.filter(company=company).exists()


def test_refresh_wrong_method_and_anonymous(client, client_logged_in) -> None:
    assert client_logged_in.get(REFRESH_NOW).status_code == 405
    assert client_logged_in.post(HEALTH).status_code == 405
    client.logout()
    for url in (HEALTH, REFRESH_NOW):
        response = client.post(url) if url == REFRESH_NOW else client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_progress_of_another_company_is_404(client_logged_in, other_company) -> None:
    theirs = ImportRunFactory(company=other_company, kind="refresh")
    assert client_logged_in.get(progress(theirs)).status_code == 404
    assert client_logged_in.get(status(theirs)).status_code == 404


def test_failed_refresh_shows_error_and_retry(client_logged_in, company) -> None:
    run = ImportRunFactory(company=company, kind="refresh", status="failed",
                           error="The ledger is down.")  # fmt: skip
    html = client_logged_in.get(progress(run)).content.decode()
    assert "The ledger is down." in html
    assert "data-refresh-retry" in html


def test_sync_health_empty_means_all_in_step(client_logged_in, company) -> None:
    supplier = SupplierFactory(company=company)
    BillFactory(company=company, supplier=supplier)
    html = client_logged_in.get(HEALTH).content.decode()
    assert "data-all-in-step" in html


def test_sync_health_lists_what_is_out_of_step_with_reasons(
    client_logged_in, company, settings
) -> None:
    settings.SYNC_STALE_SECONDS = 3600
    old = timezone.now() - dt.timedelta(hours=5)
    supplier = SupplierFactory(company=company, name="Stale Supplier", last_read_at=old)
    BillFactory(company=company, supplier=supplier, reference="STALE-1", last_read_at=old)
    BillFactory(company=company, supplier=None, supplier_codat_id="sup-x", supplier_name="Ghost",
                reference="ORPHAN-1")  # fmt: skip
    fresh = BillFactory(company=company, reference="FRESH-1")
    BillFactory(company=company, reference="PAID-OLD", status=Bill.Status.PAID, last_read_at=old)
    AttachmentFactory(company=company, bill=fresh, name="scan.pdf", content=None,
                      sync_status="failed", sync_error="File too large")  # fmt: skip
    AttachmentFactory(company=company, bill=fresh, name="ok.pdf", content=None,
                      sync_status="synced")  # fmt: skip
    ImportRunFactory(company=company, kind="refresh", status="failed", error="Rate limited.")
    response = client_logged_in.get(HEALTH)
    html = response.content.decode()
    labels = [(i.kind, i.label) for i in response.context["items"]]
    assert ("Bill", "Stale Supplier STALE-1") in labels
    assert ("Bill", "Ghost ORPHAN-1") in labels
    assert ("Supplier", "Stale Supplier") in labels
    assert any(kind == "Attachment" and "scan.pdf" in label for kind, label in labels)
    assert "Refresh" in {k for k, _ in labels}
    assert "Rate limited." in html
    assert "PAID-OLD" not in html
    assert "ok.pdf" not in html
    assert "FRESH-1 " not in html
    assert "Upload to the ledger failed: File too large." in html
    assert f'action="{reverse("payables:supplier-refresh", args=[supplier.pk])}"' in html
    assert f'action="{REFRESH_NOW}"' in html
    assert "Retry" in html


def test_sync_health_checks_are_a_hook_list() -> None:
    # Payments (issue 5) add their check to this list.
    assert isinstance(SYNC_HEALTH_CHECKS, list)
    assert len(SYNC_HEALTH_CHECKS) >= 4


def test_sync_health_of_another_company_is_not_shown(
    client_logged_in, other_company, settings
) -> None:
    settings.SYNC_STALE_SECONDS = 3600
    BillFactory(company=other_company, reference="THEIRS-1",
                last_read_at=timezone.now() - dt.timedelta(days=3))  # fmt: skip
    assert "THEIRS-1" not in client_logged_in.get(HEALTH).content.decode()


def retry_url(attachment: Attachment) -> str:
    return reverse("payables:attachment-retry", args=[attachment.pk])


def failed_attachment(bill: Bill, **fields) -> Attachment:
    fields = {"sync_status": "failed", "sync_error": "The ledger was unavailable.", **fields}
    return AttachmentFactory(company=bill.company, bill=bill, name="invoice.pdf",
                             content=b"%PDF-1.4 test", **fields)  # fmt: skip


def test_attachment_retry_uploads_it_to_the_ledger(ledger_client, imported) -> None:
    from sandbox.models import LedgerAttachment

    bill = Bill.objects.for_company(imported.company).first()
    assert bill is not None
    attachment = failed_attachment(bill)
    html = ledger_client.get(HEALTH).content.decode()
    assert f'action="{retry_url(attachment)}"' in html
    response = ledger_client.post(retry_url(attachment), {"next": HEALTH}, follow=True)
    attachment.refresh_from_db()
    assert attachment.sync_status == "synced"
    assert attachment.sync_error == ""
    stored = LedgerAttachment.objects.get(pk=attachment.codat_id)
    assert stored.bill_id == bill.codat_id
    assert bytes(stored.content) == b"%PDF-1.4 test"
    assert response.redirect_chain[-1][0] == HEALTH  # back where the user was
    assert "is in the ledger" in response.content.decode()
    # Synced: a second retry does nothing.
    ledger_client.post(retry_url(attachment))
    assert LedgerAttachment.objects.filter(bill_id=bill.codat_id).count() == 1


def test_attachment_retry_failing_again_keeps_the_reason(ledger_client, imported) -> None:
    bill = Bill.objects.for_company(imported.company).first()
    assert bill is not None
    attachment = failed_attachment(bill)
    Connection.objects.filter(pk=imported.connection.pk).update(status="Deauthorized")
    response = ledger_client.post(retry_url(attachment), {"next": HEALTH}, follow=True)
    attachment.refresh_from_db()
    assert attachment.sync_status == "failed"
    assert "Access to Xero was revoked" in attachment.sync_error
    assert "could not be uploaded" in response.content.decode()


def test_attachment_retry_with_the_ledger_down_stays_pending_for_the_task(
    ledger_client, imported, enqueued_attachment
) -> None:
    from sandbox.models import Fault
    from sandbox.services import fault_inject

    bill = Bill.objects.for_company(imported.company).first()
    assert bill is not None
    attachment = failed_attachment(bill)
    fault_inject(kind=Fault.Kind.UNAVAILABLE, path_contains="/attachments")
    response = ledger_client.post(retry_url(attachment), {"next": HEALTH}, follow=True)

    attachment.refresh_from_db()
    assert attachment.sync_status == "pending"
    enqueued_attachment.assert_called_once_with(attachment.pk)
    assert "keeps trying" in response.content.decode()
    # Now a task is sending it: the page offers no retry that could send it twice.
    assert f'action="{retry_url(attachment)}"' not in response.content.decode()


def test_a_pending_attachment_is_retried_only_once_it_is_stuck(ledger_client, imported) -> None:
    bill = Bill.objects.for_company(imported.company).first()
    assert bill is not None
    attachment = failed_attachment(bill, sync_status="pending", sync_error="")

    with mock.patch("payables.services.attachments.attachment_sync") as sync:
        response = ledger_client.post(retry_url(attachment), follow=True)
    assert not sync.called
    assert "already being sent" in response.content.decode()
    assert "Waiting to be uploaded" in ledger_client.get(HEALTH).content.decode()

    long_ago = timezone.now() - Attachment.STUCK_AFTER - dt.timedelta(minutes=1)
    Attachment.objects.filter(pk=attachment.pk).update(sync_started_at=long_ago)
    html = ledger_client.get(HEALTH).content.decode()
    assert "with nothing sending it" in html
    assert f'action="{retry_url(attachment)}"' in html
    ledger_client.post(retry_url(attachment))
    attachment.refresh_from_db()
    assert attachment.sync_status == "synced"
    assert attachment.sync_started_at > long_ago


def test_a_retry_never_leaves_the_site(ledger_client, imported) -> None:
    bill = Bill.objects.for_company(imported.company).first()
    assert bill is not None
    attachment = failed_attachment(bill)
    response = ledger_client.post(retry_url(attachment), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("payables:bill-detail", args=[bill.pk]) + "#attachments"


def test_attachment_retry_of_another_company_is_404(client_logged_in, other_company) -> None:
    theirs = failed_attachment(BillFactory(company=other_company))
    assert client_logged_in.post(retry_url(theirs)).status_code == 404
    assert client_logged_in.get(retry_url(theirs)).status_code == 405


def test_a_payment_to_review_reads_in_its_currencys_minor_units(company) -> None:
    # The needs-review row was the last to write money by hand ("1,000.00 JPY").
    payment = PaymentFactory(
        company=company,
        bill__currency="JPY",
        bill__total_amount=Decimal("1000"),
        status=Payment.Status.NEEDS_REVIEW,
        last_error="The bill changed in the ledger.",
    )
    [item] = [i for i in sync_health(company) if i.kind == "Payment"]
    assert item.label.startswith("1,000 JPY to ")
    assert item.url == reverse("payables:payment-review", args=[payment.pk])
