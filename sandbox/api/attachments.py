"""Bill attachments: upload (multipart), list (a bare array) and download (raw bytes)."""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import PurePosixPath
from typing import Any

from codat.platforms import MB
from sandbox.api.base import ApiError, Call, LedgerResponse, json_response, route, validation_error
from sandbox.api.records import iso, payables_connection, platform_of
from sandbox.models import Dataset, LedgerAttachment, LedgerConnection, LedgerRecord
from sandbox.platforms import Platform

P = "/companies/{companyId}/connections/{connectionId}/payables"
BILL_ATTACHMENTS = f"{P}/bills/{{billId}}/attachments"
GENERIC_CONTENT_TYPES = frozenset({"", "application/octet-stream"})


def _bill_or_404(connection: LedgerConnection, bill_id: str) -> None:
    exists = LedgerRecord.objects.filter(
        connection=connection, dataset=Dataset.BILLS, record_id=bill_id
    ).exists()
    if not exists:
        raise ApiError(404, f"No data available for bills for ID {bill_id}")


def attachment_json(attachment: LedgerAttachment) -> dict[str, Any]:
    # `sourceModifiedDate`: the field's shared description says it "is not populated when pulling
    # attachments", but the spec's examples of exactly these operations carry one and the schema
    # does not allow null; an attachment is never modified after upload, so it is the upload time.
    # `includeWhenSent` is false because nothing here asks the platform to include the file when
    # the bill is sent, and Xero's IncludeOnline defaults to false.
    created = iso(attachment.created)
    return {
        "id": str(attachment.id),
        "name": attachment.name,
        "contentType": attachment.content_type,
        "dateCreated": created,
        "fileSize": attachment.file_size,
        "includeWhenSent": False,
        "sourceModifiedDate": created,
    }


@dataclass(frozen=True, slots=True)
class UploadedFile:
    name: str
    content_type: str
    content: bytes


def _headers(raw: bytes) -> EmailMessage:
    """Parse MIME headers with the stdlib (quoting, RFC 2231 `filename*`, UTF-8 names)."""
    message = BytesParser(policy=HTTP).parsebytes(raw + b"\r\n\r\n", headersonly=True)
    assert isinstance(message, EmailMessage)
    return message


def _form_parts(body: bytes, boundary: bytes) -> Iterator[tuple[EmailMessage, bytes]]:
    """The parts of a multipart/form-data body (RFC 7578), each part's bytes exactly as sent.

    Only the headers go through the email parser: it would read the body of a part typed
    message/rfc822 (an .eml file) as a nested message, or multipart/* as more parts.
    """
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary)
    for section in sections[1:]:
        if section.startswith(b"--"):
            return  # the close delimiter
        _padding, newline, rest = section.partition(b"\r\n")
        if not newline:
            break
        if rest.startswith(b"\r\n"):
            yield _headers(b""), rest[2:]
            continue
        head, blank, content = rest.partition(b"\r\n\r\n")
        if not blank:
            break
        yield _headers(head), content
    raise _not_multipart()


def _not_multipart() -> ApiError:
    return validation_error(
        ["The request must be multipart/form-data with a `file` part."], validator="Attachment"
    )


def _uploaded_file(call: Call, platform: Platform) -> UploadedFile:
    """The multipart/form-data part named `file` (spec AttachmentUpload), or a 400. QuickBooks
    Online refuses a part without a specific Content-Type (its integration reference: "QBO will
    not accept application/octet-stream"); the other platforms read the type from the name."""
    envelope = _headers(f"Content-Type: {call.request.headers.get('content-type', '')}".encode())
    boundary = envelope.get_boundary()
    if envelope.get_content_type() != "multipart/form-data" or not boundary:
        raise _not_multipart()
    for headers, content in _form_parts(call.request.body, boundary.encode("latin-1")):
        if headers.get_param("name", header="content-disposition") != "file":
            continue
        # The platform stores the file under its name (Xero's attachment URL ends with it), so a
        # file without one cannot be attached (Inference: the SDKs always send the name).
        name = (headers.get_filename() or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
        if not name:
            raise validation_error(["`File Name` must not be empty."], validator="Attachment")
        content_type = headers.get_content_type() if headers.get("content-type") else ""
        if content_type in GENERIC_CONTENT_TYPES and platform.rules.refuses_generic_upload:
            raise validation_error([platform.rules.messages.generic_upload], validator="Attachment")
        if content_type in GENERIC_CONTENT_TYPES:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return UploadedFile(name=name, content_type=content_type, content=content)
    raise validation_error(["`File` must not be empty."], validator="Attachment")


def _check_file(platform: Platform, name: str, content: bytes) -> None:
    """The platform's size and file type rules (spec Attachment; codat-api.md §4.4)."""
    errors = []
    if not content:
        errors.append("`File` must not be empty.")
    elif len(content) > platform.rules.max_attachment_bytes:
        errors.append(
            f"`File Size` must be less than or equal to {platform.rules.max_attachment_bytes // MB} MB "
            f"in {platform.ledger_name}; the file has {len(content)} bytes."
        )
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = platform.rules.attachment_extensions
    if allowed is not None and extension not in allowed:
        listed = ", ".join(sorted(e.upper() for e in allowed))
        shown = f"`.{extension}`" if extension else "without an extension"
        errors.append(
            f"Files {shown} cannot be attached in {platform.ledger_name}; allowed types: {listed}."
        )
    if errors:
        raise validation_error(errors, validator="Attachment")


@route("POST", BILL_ATTACHMENTS, "upload-bill-attachment")
def upload_bill_attachment(call: Call) -> LedgerResponse:
    """POST P/bills/{billId}/attachments: attach the multipart `file` to a bill (201)."""
    connection = payables_connection(call, write=True)
    bill_id = call.params["billId"]
    _bill_or_404(connection, bill_id)
    platform = platform_of(connection)
    upload = _uploaded_file(call, platform)
    _check_file(platform, upload.name, upload.content)
    attachment = LedgerAttachment.objects.create(
        connection=connection,
        bill_id=bill_id,
        name=upload.name[:255],
        content_type=upload.content_type[:255],
        file_size=len(upload.content),
        content=upload.content,
    )
    return json_response(201, attachment_json(attachment))


@route("GET", BILL_ATTACHMENTS, "list-bill-attachments")
def list_bill_attachments(call: Call) -> LedgerResponse:
    """GET P/bills/{billId}/attachments: the bill's attachments as a bare JSON array."""
    # This operation declares 409 (the initial read is still running) but no 400, so a connection
    # that was never linked answers 409 too: for it the data set has truly not been requested.
    connection = payables_connection(call, dataset=True, refusal_status=409)
    bill_id = call.params["billId"]
    _bill_or_404(connection, bill_id)
    attachments = LedgerAttachment.objects.filter(connection=connection, bill_id=bill_id).defer(
        "content"
    )
    return json_response(200, [attachment_json(a) for a in attachments])


@route("GET", f"{BILL_ATTACHMENTS}/{{attachmentId}}/download", "download-bill-attachment")
def download_bill_attachment(call: Call) -> LedgerResponse:
    """GET P/bills/{billId}/attachments/{attachmentId}/download: the file's bytes."""
    # No 400 or 409 is declared here: a never-linked connection has no bill to find, so 404.
    connection = payables_connection(call, refusal_status=404)
    bill_id = call.params["billId"]
    _bill_or_404(connection, bill_id)
    attachment_id = call.params["attachmentId"]
    try:
        # The spec declares attachmentId `format: uuid`; anything else names no attachment.
        key = uuid.UUID(attachment_id)
    except ValueError:
        key = None
    attachment = (
        LedgerAttachment.objects.filter(connection=connection, bill_id=bill_id, pk=key).first()
        if key is not None
        else None
    )
    if attachment is None:
        raise ApiError(404, f"No data available for attachments for ID {attachment_id}")
    return LedgerResponse(
        200, {"content-type": "application/octet-stream"}, bytes(attachment.content)
    )
