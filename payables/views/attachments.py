"""A bill's attachments: upload (one or several), list with sync state, retry, download, preview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import requires
from accounts.permissions import can_enter_bills, can_view, permission_check
from accounts.services import active_membership
from billpay.http import AuthenticatedRequest, htmx_redirect, safe_next
from payables.errors import PayablesError
from payables.files import PREVIEWABLE
from payables.framing import framed_by_self
from payables.models import Attachment, Bill
from payables.services.attachments import attachment_open
from payables.services.attachments import attachment_retry as attachment_retry_service
from payables.services.attachments import attachment_upload as attachment_upload_service
from payables.views.scoped import attachment_or_404, bill_or_404

FRAGMENT = "payables/_bill_attachments.html"
MAX_FILES = 20


def _fragment(request: AuthenticatedRequest, bill: Bill, **extra: Any) -> HttpResponse:
    ctx = {"bill": bill, "attachments": list(bill.attachments.all()), "refused": [], **extra}
    status = 400 if extra.get("refused") and not extra.get("accepted") else 200
    return render(request, FRAGMENT, ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_view)
def attachment_upload(request: AuthenticatedRequest, bill_id: int) -> HttpResponse:
    """GET: the attachments list (polled while any is pending). POST: upload one or more files."""
    bill = bill_or_404(request, bill_id)
    if request.method == "GET":
        return _fragment(request, bill)
    permission_check(can_enter_bills, active_membership(request))
    files = request.FILES.getlist("files")
    refused: list[str] = []
    accepted: list[Attachment] = []
    if not files:
        refused.append("Choose at least one file to upload.")
    if len(files) > MAX_FILES:
        refused.append(f"Upload at most {MAX_FILES} files at once.")
        files = []
    for upload in files:
        try:
            accepted.append(attachment_upload_service(bill=bill, upload=upload))
        except PayablesError as exc:
            refused.append(exc.message)
    if request.htmx:
        return _fragment(request, bill, refused=refused, accepted=accepted)
    for message in refused:
        messages.error(request, message)
    for attachment in accepted:
        state = attachment.get_sync_status_display().lower()
        messages.success(request, f"“{attachment.name}” uploaded ({state}).")
    return redirect(reverse("payables:bill-detail", args=[bill.pk]) + "#attachments")


@login_required
@require_POST
@requires(can_enter_bills)
def attachment_retry(request: AuthenticatedRequest, attachment_id: int) -> HttpResponse:
    """Send a failed or stuck attachment to the ledger again: from the bill's attachments (htmx
    swaps the list) or from sync health (`next` brings the user back there)."""
    attachment = attachment_or_404(request, attachment_id)
    started = attachment.sync_started_at
    attachment = attachment_retry_service(attachment=attachment)
    if request.htmx and request.htmx.target == "attachments":
        return _fragment(request, attachment.bill)
    name = f"“{attachment.name}”"
    if attachment.sync_status == Attachment.SyncStatus.SYNCED:
        messages.success(request, f"{name} is in the ledger.")
    elif attachment.sync_status == Attachment.SyncStatus.FAILED:
        messages.error(request, f"{name} could not be uploaded: {attachment.sync_error}")
    elif attachment.sync_started_at == started:
        messages.info(request, f"{name} is already being sent to the ledger.")
    else:
        messages.warning(
            request, f"{name}: the ledger is not answering; billpay keeps trying to send it."
        )
    bill_page = reverse("payables:bill-detail", args=[attachment.bill_id]) + "#attachments"
    target = safe_next(request, bill_page)
    return htmx_redirect(request, target)


@login_required
@require_GET
@requires(can_view)
@framed_by_self
def attachment_download(request: AuthenticatedRequest, attachment_id: int) -> HttpResponseBase:
    """The file, from billpay's storage or else streamed from the ledger; `?inline=1` previews
    PDFs and images in the page, everything else downloads."""
    attachment = attachment_or_404(request, attachment_id)
    try:
        content = attachment_open(attachment=attachment)
    except PayablesError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("payables:bill-detail", args=[attachment.bill_id]) + "#attachments")
    inline = request.GET.get("inline") == "1" and attachment.content_type in PREVIEWABLE
    response = FileResponse(
        content,
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    if not inline:
        # A download is never run as a page of this site. Inline files are PDFs and images whose
        # bytes were checked against their type, served with nosniff; a sandbox would stop the
        # browser's PDF viewer.
        response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
