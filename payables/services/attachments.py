"""A bill's attachments: checked and kept in billpay's storage, sent to the ledger
(retried by a task while it is unavailable) and checked against what it lists back, files
attached in the platform itself adopted, and each opened from billpay's copy or the ledger's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any, BinaryIO, cast

from django.core.files import File
from django.db import transaction
from django.utils import timezone

import codat.types as codat
from billpay.ledger import codat_client
from codat.errors import CodatError, CodatUnavailable
from payables import tasks
from payables.errors import AttachmentError, FileRefused, PayablesError
from payables.files import check_upload, clean_filename, limits_for
from payables.models import Attachment, Bill, BillDocument
from payables.services.connection import require_linked_connection


def attachment_upload(*, bill: Bill, upload: File[Any]) -> Attachment:
    """Check a file, keep it in billpay's storage as pending, then send it to the ledger.

    Nothing is stored when the file is refused. When the ledger does not answer, the attachment
    stays pending and a task retries it.
    """
    connection = require_linked_connection(bill.company)
    try:
        checked = check_upload(upload, limits=limits_for(connection.platform_key))
    except FileRefused as exc:
        raise AttachmentError(exc.message) from exc
    attachment = Attachment(
        company=bill.company,
        bill=bill,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sync_status=Attachment.SyncStatus.PENDING,
    )
    # Storage I/O (S3) happens before, not inside, the transaction.
    attachment.file.save(checked.name, upload, save=False)
    attachment.full_clean()
    with transaction.atomic():
        attachment.save()
    return _attachment_push(attachment)


def attachment_from_document(*, bill: Bill, document: BillDocument) -> Attachment:
    """Attach a dropped document to its new bill (the stored file is reused, not copied)."""
    attachment = Attachment(
        company=bill.company,
        bill=bill,
        name=document.name,
        content_type=document.content_type,
        size=document.size,
        file=document.file.name,
        sync_status=Attachment.SyncStatus.PENDING,
    )
    attachment.full_clean()
    with transaction.atomic():
        attachment.save()
        BillDocument.objects.filter(pk=document.pk).delete()
    return _attachment_push(attachment)


def _attachment_push(attachment: Attachment) -> Attachment:
    try:
        return attachment_sync(attachment_id=attachment.pk)
    except CodatUnavailable:
        tasks.attachment_sync.delay_on_commit(attachment.pk)
        attachment.refresh_from_db()
        return attachment


def attachment_retry(*, attachment: Attachment) -> Attachment:
    """Send a failed or stuck attachment to the ledger again, now (see `Attachment.can_retry`).

    It is claimed first, by compare-and-set back to pending: of two retries at once, or a retry
    and the sweep, one sends it. One that a task is still sending is left to that task and
    returned as it is. While the ledger is unavailable it stays pending and the task retries it.
    """
    now = timezone.now()
    claimed = (
        Attachment.objects.filter(Attachment.retryable(now), pk=attachment.pk)
        .exclude(file="")
        .update(sync_status=Attachment.SyncStatus.PENDING, sync_error="", sync_started_at=now)
    )
    attachment.refresh_from_db()
    if not claimed:
        return attachment
    return _attachment_push(attachment)


def attachments_resend(*, limit: int = 100) -> int:
    """Send again the attachments stuck in pending (a task lost with its worker, a broker that
    dropped it); the beat schedule runs it. Returns how many it claimed."""
    stuck = Attachment.objects.filter(
        sync_status=Attachment.SyncStatus.PENDING,
        sync_started_at__lt=timezone.now() - Attachment.STUCK_AFTER,
    ).order_by("sync_started_at", "id")[:limit]
    resent = 0
    for attachment in stuck:
        before = attachment.sync_started_at
        attachment = attachment_retry(attachment=attachment)
        resent += attachment.sync_started_at != before
    return resent


def _attachment_set(attachment_id: int, **changes: Any) -> None:
    # Compare-and-set: a synced attachment never goes back to pending or failed.
    Attachment.objects.filter(pk=attachment_id).exclude(
        sync_status=Attachment.SyncStatus.SYNCED
    ).update(**changes)


def attachment_sync(*, attachment_id: int) -> Attachment:
    """Send a pending attachment to the ledger, then list the bill's attachments back and check
    the name and size. Raises CodatUnavailable (retryable) and leaves it pending."""
    attachment = Attachment.objects.select_related("bill", "company").get(pk=attachment_id)
    if attachment.sync_status == Attachment.SyncStatus.SYNCED:
        return attachment
    bill = attachment.bill
    failed = Attachment.SyncStatus.FAILED
    try:
        connection = require_linked_connection(bill.company)
        ids = (bill.company.codat_company_id, connection.codat_connection_id, bill.codat_id)
        with codat_client() as client:
            # Uploads carry no idempotency key: an earlier upload whose answer was lost may have
            # landed. A ledger copy with the same name and size that no other row claims is it.
            claimed = set(
                Attachment.objects.filter(bill=bill)
                .exclude(pk=attachment.pk)
                .exclude(codat_id="")
                .values_list("codat_id", flat=True)
            )
            listed = client.list_bill_attachments(*ids)
            match = next(
                (
                    a
                    for a in listed
                    if a.id not in claimed
                    and a.name == attachment.name
                    and a.file_size == attachment.size
                ),
                None,
            )
            if match is None:
                with attachment.file.open("rb") as content:
                    uploaded = client.upload_bill_attachment(
                        *ids,
                        filename=attachment.name,
                        content=cast(BinaryIO, content),
                        content_type=attachment.content_type,
                    )
                listed = client.list_bill_attachments(*ids)
                match = next((a for a in listed if a.id == uploaded.id), None)
        _attachments_adopt(bill, listed, keep=match.id if match else "")
    except CodatUnavailable as exc:
        _attachment_set(attachment_id, sync_error=f"Waiting for the ledger: {exc.message}"[:500])
        raise
    except (CodatError, PayablesError) as exc:
        _attachment_set(attachment_id, sync_status=failed, sync_error=str(exc.args[0])[:500])
        attachment.refresh_from_db()
        return attachment
    if match is None:
        message = "The ledger accepted the file but does not list it on the bill."
        _attachment_set(attachment_id, sync_status=failed, sync_error=message)
    elif match.name != attachment.name or match.file_size != attachment.size:
        message = (
            f"The ledger lists “{match.name}” ({match.file_size} bytes); billpay sent "
            f"“{attachment.name}” ({attachment.size} bytes)."
        )
        _attachment_set(
            attachment_id, sync_status=failed, sync_error=message[:500], codat_id=match.id
        )
    else:
        _attachment_set(
            attachment_id,
            sync_status=Attachment.SyncStatus.SYNCED,
            sync_error="",
            codat_id=match.id,
        )
    attachment.refresh_from_db()
    return attachment


def _attachments_adopt(bill: Bill, listed: Sequence[codat.Attachment], *, keep: str) -> None:
    """Rows for the files the ledger lists on the bill that billpay does not know yet (attached in
    the platform itself): shown in the list, downloaded from the ledger on first use."""
    known = set(
        Attachment.objects.filter(bill=bill).exclude(codat_id="").values_list("codat_id", flat=True)
    )
    new = [
        Attachment(
            company_id=bill.company_id,
            bill=bill,
            codat_id=a.id,
            name=clean_filename_or(a.name or "", f"attachment-{a.id[:8]}"),
            content_type=a.content_type or "",
            size=a.file_size,
            sync_status=Attachment.SyncStatus.SYNCED,
            created_at=a.date_created or timezone.now(),
        )
        for a in listed
        if a.id not in known and a.id != keep
    ]
    Attachment.objects.bulk_create(new)


def clean_filename_or(name: str, default: str) -> str:
    try:
        return clean_filename(name)
    except FileRefused:
        return default


def attachment_give_up(*, attachment_id: int, message: str) -> None:
    """Mark a pending attachment failed after the last retry, with the reason."""
    _attachment_set(
        attachment_id, sync_status=Attachment.SyncStatus.FAILED, sync_error=message[:500]
    )


def attachment_open(*, attachment: Attachment) -> File[Any]:
    """The attachment's bytes: billpay's copy, or the ledger's (streamed into a local copy)."""
    if attachment.file.name and attachment.file.storage.exists(attachment.file.name):
        return attachment.file.open("rb")
    if not attachment.codat_id:
        raise AttachmentError("This file is neither in billpay's storage nor in the ledger.")
    bill = attachment.bill
    connection = require_linked_connection(bill.company)
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (handed to storage)
    try:
        with codat_client() as client:
            client.download_bill_attachment_to(
                bill.company.codat_company_id,
                connection.codat_connection_id,
                bill.codat_id,
                attachment.codat_id,
                spool,
            )
    except CodatError as exc:
        spool.close()
        raise AttachmentError(f"The ledger could not send the file: {exc.message}") from exc
    spool.seek(0)
    attachment.file.save(attachment.name, File(spool, name=attachment.name), save=False)
    spool.close()
    Attachment.objects.filter(pk=attachment.pk).update(file=attachment.file.name)
    return attachment.file.open("rb")
