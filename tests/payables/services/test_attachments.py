"""Attachments: checked before anything is stored, kept locally, sent to and listed back from the
ledger, pending while it is down; on local files and on S3 (moto)."""

from __future__ import annotations

import io

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billpay.ledger import codat_client_override
from payables.errors import AttachmentError, NotConnected
from payables.models import Attachment, Bill
from payables.services.attachments import attachment_open, attachment_sync, attachment_upload
from payables.tasks import attachment_sync as attachment_sync_task
from sandbox.models import Fault, LedgerAttachment
from sandbox.services import fault_inject, faults_clear
from tests.ledger_company import LedgerCompany
from tests.payables.factories import AttachmentFactory, BillFactory
from tests.payables.ledger_fixtures import sandbox_client
from tests.payables.pdfs import PNG_1PX, make_pdf

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    # `ledger`: the sandbox behind a client whose retries of injected 503s answer without sleeping.
    pytest.mark.usefixtures("storage_backend", "ledger"),
]

HTMX = {"HX-Request": "true"}
PDF = make_pdf(["Invoice INV-1", "Total: 120.00"])


@pytest.fixture
def bill(linked: LedgerCompany) -> Bill:
    return Bill.objects.for_company(linked.company).first()  # type: ignore[return-value]


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_names() -> list[str]:
    """Every file under attachments/ in the configured storage."""
    found: list[str] = []

    def walk(path: str) -> None:
        try:
            folders, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        found.extend(f"{path}/{f}" for f in files)
        for folder in folders:
            walk(f"{path}/{folder}")

    walk("attachments")
    return found


def ledger_attachments(bill: Bill) -> list[LedgerAttachment]:
    return list(LedgerAttachment.objects.filter(bill_id=bill.codat_id))


def test_an_upload_is_stored_sent_and_checked_against_the_ledger_listing(bill: Bill) -> None:
    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    assert attachment.sync_status == Attachment.SyncStatus.SYNCED, attachment.sync_error
    assert (attachment.name, attachment.size, attachment.content_type) == (
        "invoice.pdf",
        len(PDF),
        "application/pdf",
    )
    [copy] = ledger_attachments(bill)
    assert str(copy.id) == attachment.codat_id
    assert (copy.name, copy.file_size) == ("invoice.pdf", len(PDF))
    # Kept in billpay's storage under an unguessable key.
    assert attachment.file.name.startswith(f"attachments/{bill.company_id}/")
    assert len(attachment.file.name.split("/")[2]) == 32
    with attachment.file.open("rb") as f:
        assert f.read() == PDF


def test_several_files_upload_through_the_view(client_logged_in, bill: Bill) -> None:
    url = reverse("payables:attachment-upload", args=[bill.pk])

    response = client_logged_in.post(
        url, {"files": [upload("a.pdf", PDF), upload("b.png", PNG_1PX, "image/png")]}
    )

    assert response.status_code == 302
    assert sorted(a.name for a in bill.attachments.all()) == ["a.pdf", "b.png"]
    assert all(a.sync_status == "synced" for a in bill.attachments.all())
    assert len(ledger_attachments(bill)) == 2


REFUSED = [
    ("too big", "big.pdf", b"%PDF-" + b"0" * (4 * 1024 * 1024), "Xero takes files up to 4 MB"),
    ("empty", "empty.pdf", b"", "is empty"),
    ("extension not allowed", "tool.exe", b"MZ\x90\x00", "Xero does not take .exe files"),
    (
        "an executable called .pdf",
        "invoice.pdf",
        b"MZ\x90\x00\x03" + b"\x00" * 100,
        "not a real .pdf",
    ),
    ("a png that is a pdf", "photo.png", PDF, "not a real .png"),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "message"), REFUSED, ids=[c[0] for c in REFUSED]
)
def test_refused_files_say_why_and_nothing_is_kept(
    client_logged_in, bill: Bill, case, name, content, message
) -> None:
    url = reverse("payables:attachment-upload", args=[bill.pk])
    file = upload("x.pdf", content)
    file.name = name  # as a forged multipart part would name it

    response = client_logged_in.post(url, {"files": [file]}, headers=HTMX)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_names() == []
    assert ledger_attachments(bill) == []


@pytest.mark.parametrize(
    "name", ["../../etc/invoice.pdf", "..\\..\\invoice.pdf", "/abs/invoice.pdf", ".."]
)
def test_path_traversal_names_are_refused_by_the_service(bill: Bill, name: str) -> None:
    # A plain File keeps the name as given (UploadedFile would strip the folders itself).
    file = File(io.BytesIO(PDF), name=name)

    with pytest.raises(AttachmentError, match="must not contain folders"):
        attachment_upload(bill=bill, upload=file)

    assert not Attachment.objects.exists()
    assert stored_names() == []
    assert ledger_attachments(bill) == []


def test_a_forged_path_in_a_multipart_name_never_reaches_storage(
    client_logged_in, bill: Bill
) -> None:
    # Django's multipart parser keeps only the last path part of a part's filename, so the view
    # sees a bare name; the service would refuse a path outright (above).
    file = upload("x.pdf", PDF)
    file.name = "../../../etc/invoice.pdf"

    client_logged_in.post(reverse("payables:attachment-upload", args=[bill.pk]), {"files": [file]})

    [attachment] = Attachment.objects.all()
    assert attachment.name == "invoice.pdf"
    assert ".." not in attachment.file.name
    assert attachment.file.name.startswith(f"attachments/{bill.company_id}/")


def test_control_characters_are_removed_from_names(bill: Bill) -> None:
    attachment = attachment_upload(bill=bill, upload=upload("in\x00voi\x1bce\u202e.pdf", PDF))

    assert attachment.name == "invoice.pdf"
    assert ledger_attachments(bill)[0].name == "invoice.pdf"


def test_upload_while_the_ledger_is_down_stays_pending_and_celery_sends_it(
    client_logged_in, bill: Bill, enqueued_attachment
) -> None:
    fault_inject(kind=Fault.Kind.UNAVAILABLE, path_contains="/attachments")

    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    assert attachment.sync_status == Attachment.SyncStatus.PENDING
    assert "Waiting for the ledger" in attachment.sync_error
    enqueued_attachment.assert_called_once_with(attachment.pk)
    fragment = client_logged_in.get(
        reverse("payables:attachment-upload", args=[bill.pk]), headers=HTMX
    ).content.decode()
    assert 'data-sync="pending"' in fragment
    assert fragment.count('hx-trigger="every 3s"') == 1  # polls until it lands
    assert ledger_attachments(bill) == []
    with attachment.file.open("rb") as f:  # kept locally meanwhile
        assert f.read() == PDF
    faults_clear()
    attachment_sync_task.apply(args=[attachment.pk]).get()
    attachment.refresh_from_db()
    assert attachment.sync_status == Attachment.SyncStatus.SYNCED
    assert len(ledger_attachments(bill)) == 1


@pytest.mark.usefixtures("enqueued_attachment")
def test_a_lost_upload_answer_is_found_in_the_ledger_instead_of_sent_twice(bill: Bill) -> None:
    fault_inject(
        kind=Fault.Kind.LOST_RESPONSE, method="POST", path_contains="/attachments", times=1
    )

    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    assert attachment.sync_status == Attachment.SyncStatus.PENDING
    attachment = attachment_sync(attachment_id=attachment.pk)
    assert attachment.sync_status == Attachment.SyncStatus.SYNCED
    assert len(ledger_attachments(bill)) == 1
    assert attachment.codat_id == str(ledger_attachments(bill)[0].id)


@pytest.mark.usefixtures("enqueued_attachment")
def test_after_the_last_retry_it_fails_with_the_reason_and_retry_sends_it(
    client_logged_in, bill: Bill
) -> None:
    fault_inject(kind=Fault.Kind.UNAVAILABLE, path_contains="/attachments")
    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    attachment_sync_task.apply(args=[attachment.pk], retries=attachment_sync_task.max_retries)

    attachment.refresh_from_db()
    assert attachment.sync_status == Attachment.SyncStatus.FAILED
    assert "stayed unavailable" in attachment.sync_error
    page = client_logged_in.get(reverse("payables:bill-detail", args=[bill.pk])).content.decode()
    assert 'data-sync="failed"' in page
    assert "stayed unavailable" in page
    faults_clear()
    response = client_logged_in.post(
        reverse("payables:attachment-retry", args=[attachment.pk]),
        headers={**HTMX, "HX-Target": "attachments"},
    )
    assert response.status_code == 200
    assert 'data-sync="synced"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert len(ledger_attachments(bill)) == 1


def test_download_serves_the_local_copy(client_logged_in, bill: Bill) -> None:
    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    response = client_logged_in.get(reverse("payables:attachment-download", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"


def test_pdfs_and_images_preview_inline(client_logged_in, bill: Bill) -> None:
    attachment = attachment_upload(bill=bill, upload=upload("photo.png", PNG_1PX, "image/png"))

    response = client_logged_in.get(
        reverse("payables:attachment-download", args=[attachment.pk]), {"inline": "1"}
    )

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_without_a_local_copy_download_fetches_from_the_ledger(
    client_logged_in, bill: Bill
) -> None:
    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))
    default_storage.delete(attachment.file.name)

    response = client_logged_in.get(reverse("payables:attachment-download", args=[attachment.pk]))

    assert b"".join(response.streaming_content) == PDF
    attachment.refresh_from_db()
    assert default_storage.exists(attachment.file.name)  # kept for next time
    with attachment_open(attachment=attachment) as f:
        assert f.read() == PDF


def test_another_company_cannot_download_or_retry_or_upload(
    client_logged_in, other_company
) -> None:
    bill = BillFactory(company=other_company)
    attachment = AttachmentFactory(
        company=other_company, bill=bill, name="secret.pdf", codat_id="x", content=b"%PDF"
    )

    download = client_logged_in.get(reverse("payables:attachment-download", args=[attachment.pk]))
    retry = client_logged_in.post(reverse("payables:attachment-retry", args=[attachment.pk]))
    upload_response = client_logged_in.post(
        reverse("payables:attachment-upload", args=[bill.pk]), {"files": [upload("a.pdf", PDF)]}
    )

    assert (download.status_code, retry.status_code, upload_response.status_code) == (404, 404, 404)


def test_anonymous_users_are_sent_to_login(client, bill: Bill) -> None:
    response = client.get(reverse("payables:attachment-upload", args=[bill.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_wrong_methods_are_refused(client_logged_in, bill: Bill) -> None:
    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))
    assert (
        client_logged_in.post(
            reverse("payables:attachment-download", args=[attachment.pk])
        ).status_code
        == 405
    )
    assert (
        client_logged_in.get(reverse("payables:attachment-retry", args=[attachment.pk])).status_code
        == 405
    )
    assert (
        client_logged_in.put(reverse("payables:attachment-upload", args=[bill.pk])).status_code
        == 405
    )


def test_htmx_gets_only_the_attachments_fragment(client_logged_in, bill: Bill) -> None:
    response = client_logged_in.post(
        reverse("payables:attachment-upload", args=[bill.pk]),
        {"files": [upload("invoice.pdf", PDF)]},
        headers=HTMX,
    )

    html = response.content.decode()
    assert html.startswith('<section class="card" id="attachments"')
    assert "invoice.pdf" in html
    assert 'data-sync="synced"' in html


def test_the_bill_page_lists_attachments_with_size_type_and_date(
    client_logged_in, bill: Bill
) -> None:
    attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    html = client_logged_in.get(reverse("payables:bill-detail", args=[bill.pk])).content.decode()

    assert "data-polling" not in html
    assert '<iframe src="/attachments/' in html
    assert "invoice.pdf" in html
    assert "application/pdf" in html
    assert "In the ledger" in html
    assert "?inline=1" in html


def test_an_unlinked_company_cannot_upload(bill: Bill, linked: LedgerCompany) -> None:
    linked.company.connections.update(status="Unlinked")
    with pytest.raises(NotConnected, match=r"The connection to Xero is unlinked.*Reconnect"):
        attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))
    assert not Attachment.objects.exists()


def test_files_attached_in_the_platform_are_listed_and_downloaded_from_the_ledger(
    client_logged_in, linked: LedgerCompany, bill: Bill
) -> None:
    from billpay.ledger import codat_client

    with codat_client() as client:
        client.upload_bill_attachment(
            linked.company.codat_company_id,
            linked.connection.codat_connection_id,
            bill.codat_id,
            filename="from-xero.png",
            content=PNG_1PX,
            content_type="image/png",
        )

    attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    adopted = bill.attachments.get(name="from-xero.png")
    assert adopted.sync_status == Attachment.SyncStatus.SYNCED
    assert (adopted.size, adopted.content_type, adopted.file.name) == (
        len(PNG_1PX),
        "image/png",
        "",
    )
    response = client_logged_in.get(reverse("payables:attachment-download", args=[adopted.pk]))
    assert b"".join(response.streaming_content) == PNG_1PX
    assert bill.attachments.count() == 2


def test_a_ledger_copy_of_another_size_is_marked_failed_with_the_reason(bill: Bill) -> None:
    import json

    import httpx

    from sandbox.transport import sandbox_transport

    inner = sandbox_transport()

    def truncating(request: httpx.Request) -> httpx.Response:
        # The ledger lists the file one byte short, as a platform that truncated it would.
        response = inner.handle_request(request)
        if request.method == "GET" and request.url.path.endswith("/attachments"):
            response.read()
            items = json.loads(response.content)
            for item in items:
                item["fileSize"] -= 1
            return httpx.Response(200, json=items)
        return response

    with codat_client_override(sandbox_client(truncating, sleeps=True)):
        attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))

    assert attachment.sync_status == Attachment.SyncStatus.FAILED
    assert attachment.sync_error == (
        f"The ledger lists “invoice.pdf” ({len(PDF) - 1} bytes); billpay sent “invoice.pdf” "
        f"({len(PDF)} bytes)."
    )


@pytest.mark.usefixtures("enqueued_attachment")
def test_a_file_a_task_is_still_sending_has_no_retry_button_a_stuck_one_has(
    client_logged_in, bill: Bill
) -> None:
    fault_inject(kind=Fault.Kind.UNAVAILABLE, path_contains="/attachments")
    attachment = attachment_upload(bill=bill, upload=upload("invoice.pdf", PDF))
    url = reverse("payables:attachment-upload", args=[bill.pk])
    retry = f'action="{reverse("payables:attachment-retry", args=[attachment.pk])}"'

    assert retry not in client_logged_in.get(url).content.decode()
    Attachment.objects.filter(pk=attachment.pk).update(
        sync_started_at=attachment.sync_started_at - Attachment.STUCK_AFTER
    )
    assert retry in client_logged_in.get(url).content.decode()


@pytest.mark.usefixtures("enqueued_attachment")
def test_the_sweep_sends_stuck_files_once_and_leaves_the_others(bill: Bill) -> None:
    from payables.services.attachments import attachments_resend

    fault_inject(kind=Fault.Kind.UNAVAILABLE, path_contains="/attachments")
    stuck = attachment_upload(bill=bill, upload=upload("stuck.pdf", PDF))
    fresh = attachment_upload(bill=bill, upload=upload("fresh.pdf", PDF))
    faults_clear()
    Attachment.objects.filter(pk=stuck.pk).update(
        sync_started_at=stuck.sync_started_at - Attachment.STUCK_AFTER
    )

    assert attachments_resend() == 1
    assert attachments_resend() == 0  # sent: nothing is stuck any more

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.sync_status == Attachment.SyncStatus.SYNCED
    assert fresh.sync_status == Attachment.SyncStatus.PENDING  # its task still has it
    assert [a.name for a in ledger_attachments(bill)] == ["stuck.pdf"]


def test_the_sweep_runs_from_beat(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["attachments-resend"]
    assert entry["task"] == "payables.tasks.attachments_resend"
