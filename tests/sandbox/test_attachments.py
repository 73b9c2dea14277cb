"""Bill attachments: multipart upload with each platform's limits, the bare list, raw download."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

import httpx
import pytest
from django.utils import timezone

from codat.platforms import MB
from sandbox.api.records import save_document
from sandbox.models import Dataset, LedgerAttachment, LedgerCompany, LedgerConnection

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

BILL_ID = "9a1d1e4c-3f0b-4c4e-8d0e-7b3a6a0c2f11"
# Bytes that trip naive multipart handling: CR, LF, CRLF, dashes and NULs.
AWKWARD = b"%PDF-1.7\r\n--\r\n\n\r\x00\xff" + bytes(range(256)) + b"\r\n--boundary\r\n"


def add_bill(connection: LedgerConnection, bill_id: str = BILL_ID) -> str:
    save_document(
        connection,
        Dataset.BILLS,
        {
            "id": bill_id,
            "supplierRef": {"id": "sup-1", "supplierName": "Acme"},
            "issueDate": "2024-01-01T00:00:00",
            "dueDate": "2024-02-01T00:00:00",
            "currency": "GBP",
            "status": "Open",
        },
    )
    return bill_id


@pytest.fixture
def bill_path(payables_path: str, linked_connection: LedgerConnection) -> str:
    return f"{payables_path}/bills/{add_bill(linked_connection)}/attachments"


def upload(
    ledger: httpx.Client, path: str, name: str, content: bytes, *args: Any
) -> httpx.Response:
    return ledger.post(path, files={"file": (name, content, *args)})


def messages(response: httpx.Response) -> list[str]:
    return [item["message"] for item in response.json()["validation"]["errors"]]


# --- upload-bill-attachment ---------------------------------------------------------------------


def test_upload_answers_201_with_the_attachment(ledger: httpx.Client, bill_path: str) -> None:
    before = timezone.now().replace(microsecond=0)
    response = upload(ledger, bill_path, "receipt.png", b"\x89PNG-data", "image/png")

    assert response.status_code == 201
    attachment = response.json()
    assert str(uuid.UUID(attachment["id"])) == attachment["id"]
    assert attachment["name"] == "receipt.png"
    assert attachment["contentType"] == "image/png"
    assert attachment["fileSize"] == 9
    assert attachment["includeWhenSent"] is False
    assert attachment["sourceModifiedDate"] == attachment["dateCreated"]
    assert dt.datetime.fromisoformat(attachment["dateCreated"]) >= before


def test_upload_stores_the_bytes(
    ledger: httpx.Client, bill_path: str, linked_connection: LedgerConnection
) -> None:
    attachment = upload(ledger, bill_path, "invoice.pdf", AWKWARD).json()

    stored = LedgerAttachment.objects.get(pk=attachment["id"])
    assert bytes(stored.content) == AWKWARD
    assert stored.bill_id == BILL_ID
    assert stored.connection == linked_connection


def test_upload_guesses_a_content_type_the_client_left_generic(
    ledger: httpx.Client, bill_path: str
) -> None:
    response = upload(ledger, bill_path, "invoice.pdf", b"%PDF", "application/octet-stream")

    assert response.json()["contentType"] == "application/pdf"


def test_upload_keeps_only_the_base_name(ledger: httpx.Client, bill_path: str) -> None:
    response = upload(ledger, bill_path, "C:\\Users\\me\\scan.jpg", b"jpg")

    assert response.json()["name"] == "scan.jpg"


def test_upload_reads_a_hand_written_multipart_body(ledger: httpx.Client, bill_path: str) -> None:
    # Preamble, a quoted boundary, another field first, an RFC 2231 file name, an epilogue.
    body = (
        b"preamble\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
        b"--XyZ\r\n"
        b"Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''re%C3%A7u.pdf\r\n"
        b"Content-Type: application/pdf\r\n\r\n" + AWKWARD + b"\r\n--XyZ--\r\nepilogue"
    )

    response = ledger.post(
        bill_path, content=body, headers={"content-type": 'multipart/form-data; boundary="XyZ"'}
    )

    assert response.status_code == 201
    assert response.json()["name"] == "re\u00e7u.pdf"
    download = ledger.get(f"{bill_path}/{response.json()['id']}/download")
    assert download.content == AWKWARD


def test_upload_of_a_truncated_multipart_body_is_400(ledger: httpx.Client, bill_path: str) -> None:
    body = b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"'

    response = ledger.post(
        bill_path, content=body, headers={"content-type": "multipart/form-data; boundary=XyZ"}
    )

    assert response.status_code == 400
    assert messages(response) == ["The request must be multipart/form-data with a `file` part."]


@pytest.mark.parametrize("size", [1, 2, 3, 1023, 65_537])
def test_upload_keeps_random_bytes_exactly(ledger: httpx.Client, bill_path: str, size: int) -> None:
    content = os.urandom(size)
    attachment = upload(ledger, bill_path, "blob.bin.pdf", content).json()

    assert ledger.get(f"{bill_path}/{attachment['id']}/download").content == content


def test_upload_without_a_file_part_is_400(ledger: httpx.Client, bill_path: str) -> None:
    response = ledger.post(bill_path, files={"document": ("a.pdf", b"%PDF")})

    assert response.status_code == 400
    assert messages(response) == ["`File` must not be empty."]


def test_upload_that_is_not_multipart_is_400(ledger: httpx.Client, bill_path: str) -> None:
    response = ledger.post(bill_path, json={"file": "aGVsbG8="})

    assert response.status_code == 400
    assert messages(response) == ["The request must be multipart/form-data with a `file` part."]


def test_upload_of_an_empty_file_is_400(ledger: httpx.Client, bill_path: str) -> None:
    response = upload(ledger, bill_path, "empty.pdf", b"")

    assert response.status_code == 400
    assert messages(response) == ["`File` must not be empty."]


def test_upload_without_a_file_name_is_400(ledger: httpx.Client, bill_path: str) -> None:
    response = ledger.post(bill_path, data={"file": "just text"}, files={"other": ("x", b"x")})

    assert response.status_code == 400
    assert messages(response) == ["`File Name` must not be empty."]


def test_xero_takes_a_file_of_exactly_4_mb(ledger: httpx.Client, bill_path: str) -> None:
    response = upload(ledger, bill_path, "big.pdf", b"\0" * (4 * MB))

    assert response.status_code == 201
    assert response.json()["fileSize"] == 4 * 1024 * 1024


def test_xero_refuses_a_file_over_4_mb(
    ledger: httpx.Client, bill_path: str, linked_connection: LedgerConnection
) -> None:
    response = upload(ledger, bill_path, "big.pdf", b"\0" * (4 * 1024 * 1024 + 1))

    assert response.status_code == 400
    [message] = messages(response)
    assert "4 MB" in message
    assert "Xero" in message
    assert not LedgerAttachment.objects.exists()


@pytest.mark.parametrize("name", ["setup.exe", "script.js", "noextension", "archive.tar.gz"])
def test_xero_refuses_a_file_type_outside_its_list(
    ledger: httpx.Client, bill_path: str, name: str
) -> None:
    response = upload(ledger, bill_path, name, b"MZ")

    assert response.status_code == 400
    [message] = messages(response)
    assert "cannot be attached in Xero" in message
    assert "PDF" in message


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("SCAN.PDF", "application/pdf"),
        ("photo.JPeG", "image/jpeg"),
        ("books.numbers", "application/vnd.apple.numbers"),
        ("a.7z", "application/x-7z-compressed"),
        ("m.eml", "message/rfc822"),
    ],
)
def test_xero_takes_its_listed_types_in_any_case(
    ledger: httpx.Client, bill_path: str, name: str, content_type: str
) -> None:
    response = upload(ledger, bill_path, name, b"data", content_type)
    assert response.status_code == 201
    # Stored under the name and type as sent, and listed back with both.
    row = LedgerAttachment.objects.get(pk=response.json()["id"])
    assert (row.name, row.content_type, bytes(row.content)) == (name, content_type, b"data")
    [stored] = [a for a in ledger.get(bill_path).json() if a["id"] == response.json()["id"]]
    assert (stored["name"], stored["contentType"], stored["fileSize"]) == (name, content_type, 4)


@pytest.fixture
def qbo_bill_path(ledger_company: LedgerCompany) -> str:
    connection = LedgerConnection.objects.create(
        company=ledger_company,
        platform_key="qhyg",
        status=LedgerConnection.Status.LINKED,
        seeded=True,
    )
    bill_id = add_bill(connection, "146")
    return f"/companies/{ledger_company.id}/connections/{connection.id}/payables/bills/{bill_id}/attachments"


def test_qbo_has_its_own_size_and_type_rules(ledger: httpx.Client, qbo_bill_path: str) -> None:
    assert upload(ledger, qbo_bill_path, "big.pdf", b"\0" * (5 * MB)).status_code == 201
    assert upload(ledger, qbo_bill_path, "data.xml", b"<x/>").status_code == 201
    refused = upload(ledger, qbo_bill_path, "archive.zip", b"PK")
    assert refused.status_code == 400
    assert "cannot be attached in QuickBooks Online" in messages(refused)[0]


def test_upload_to_an_unknown_bill_is_404(ledger: httpx.Client, payables_path: str) -> None:
    response = upload(ledger, f"{payables_path}/bills/nope/attachments", "a.pdf", b"%PDF")

    assert response.status_code == 404
    assert response.json()["error"] == "No data available for bills for ID nope"


def test_upload_is_refused_on_an_unlinked_connection(
    ledger: httpx.Client, bill_path: str, linked_connection: LedgerConnection
) -> None:
    linked_connection.status = LedgerConnection.Status.UNLINKED
    linked_connection.save()

    response = upload(ledger, bill_path, "a.pdf", b"%PDF")

    assert response.status_code == 400
    assert not LedgerAttachment.objects.exists()


# --- list-bill-attachments ----------------------------------------------------------------------


def test_list_is_a_bare_array_of_the_bills_attachments(
    ledger: httpx.Client, bill_path: str, payables_path: str, linked_connection: LedgerConnection
) -> None:
    first = upload(ledger, bill_path, "one.pdf", b"1").json()
    second = upload(ledger, bill_path, "two.png", b"22", "image/png").json()
    other_bill = add_bill(linked_connection, "other")
    upload(ledger, f"{payables_path}/bills/{other_bill}/attachments", "x.pdf", b"x")

    response = ledger.get(bill_path)

    assert response.status_code == 200
    assert response.json() == [first, second]


def test_list_of_a_bill_without_attachments_is_empty(ledger: httpx.Client, bill_path: str) -> None:
    assert ledger.get(bill_path).json() == []


def test_list_of_an_unknown_bill_is_404(ledger: httpx.Client, payables_path: str) -> None:
    assert ledger.get(f"{payables_path}/bills/nope/attachments").status_code == 404


def test_list_answers_409_while_the_initial_read_runs(
    ledger: httpx.Client, bill_path: str, linked_connection: LedgerConnection
) -> None:
    linked_connection.data_ready_at = timezone.now() + dt.timedelta(minutes=1)
    linked_connection.save()

    response = ledger.get(bill_path)

    assert response.status_code == 409
    assert response.json()["error"] == "The data set has not been requested."


def test_list_on_a_never_linked_connection_is_409(
    ledger: httpx.Client, bill_path: str, linked_connection: LedgerConnection
) -> None:
    # list-bill-attachments declares no 400; a PendingAuth connection's data was never requested.
    linked_connection.status = LedgerConnection.Status.PENDING_AUTH
    linked_connection.save()

    assert ledger.get(bill_path).status_code == 409


# --- download-bill-attachment -------------------------------------------------------------------


def test_download_returns_the_exact_bytes(ledger: httpx.Client, bill_path: str) -> None:
    content = AWKWARD + os.urandom(70_000)
    attachment = upload(ledger, bill_path, "scan.pdf", content).json()

    response = ledger.get(f"{bill_path}/{attachment['id']}/download")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == content


def test_download_from_an_unlinked_connection_still_works(
    ledger: httpx.Client, bill_path: str, linked_connection: LedgerConnection
) -> None:
    attachment = upload(ledger, bill_path, "scan.pdf", b"%PDF").json()
    linked_connection.status = LedgerConnection.Status.UNLINKED
    linked_connection.save()

    assert ledger.get(f"{bill_path}/{attachment['id']}/download").content == b"%PDF"
    assert len(ledger.get(bill_path).json()) == 1


def test_download_of_an_unknown_attachment_is_404(ledger: httpx.Client, bill_path: str) -> None:
    response = ledger.get(f"{bill_path}/{uuid.uuid4()}/download")

    assert response.status_code == 404
    assert response.json()["error"].startswith("No data available for attachments")


def test_download_with_an_attachment_id_that_is_not_a_uuid_is_404(
    ledger: httpx.Client, bill_path: str
) -> None:
    upload(ledger, bill_path, "scan.pdf", b"%PDF")

    assert ledger.get(f"{bill_path}/42/download").status_code == 404


def test_download_through_another_bill_is_404(
    ledger: httpx.Client, bill_path: str, payables_path: str, linked_connection: LedgerConnection
) -> None:
    attachment = upload(ledger, bill_path, "scan.pdf", b"%PDF").json()
    other_bill = add_bill(linked_connection, "other")

    response = ledger.get(
        f"{payables_path}/bills/{other_bill}/attachments/{attachment['id']}/download"
    )

    assert response.status_code == 404


def test_download_from_an_unknown_bill_is_404(ledger: httpx.Client, payables_path: str) -> None:
    response = ledger.get(f"{payables_path}/bills/nope/attachments/{uuid.uuid4()}/download")

    assert response.status_code == 404
    assert response.json()["error"] == "No data available for bills for ID nope"


def test_download_on_a_never_linked_connection_is_404(
    ledger: httpx.Client, bill_path: str, linked_connection: LedgerConnection
) -> None:
    linked_connection.status = LedgerConnection.Status.PENDING_AUTH
    linked_connection.save()

    assert ledger.get(f"{bill_path}/{uuid.uuid4()}/download").status_code == 404
