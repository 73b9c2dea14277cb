"""The bill page's payment history, read in one query whatever the number of payments."""

from __future__ import annotations

from django import template

from payables.models import Bill, Payment

register = template.Library()


@register.simple_tag
def bill_payments(bill: Bill) -> list[Payment]:
    """`{% bill_payments bill as payments %}`: newest first, with bank account and author."""
    return list(
        Payment.objects.filter(bill=bill)
        .select_related("bank_account", "created_by")
        .order_by("-created_at", "-id")
    )
