"""Template helpers of the bill pages: the attachments section and the edit link."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from payables.files import PREVIEWABLE
from payables.models import Attachment, Bill
from payables.services.bills import bill_edit_refusal

register = template.Library()


@register.filter
def any_pending(attachments: Iterable[Attachment]) -> bool:
    """Whether the list should keep polling: some file is still on its way to the ledger."""
    return any(a.sync_status == Attachment.SyncStatus.PENDING for a in attachments)


@register.filter
def previewable(attachment: Attachment) -> bool:
    """PDFs and images are shown in the page; other types only download."""
    return attachment.content_type in PREVIEWABLE


@register.filter
def editable(bill: Bill) -> bool:
    """Whether the bill may be edited (the rule is the service's, not the template's)."""
    return not bill_edit_refusal(bill)
