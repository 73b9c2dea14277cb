"""The inbox's pure parts: due buckets, per-currency display of money and the aging chart's geometry.

No database access here: the view runs the queries and hands the rows to these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from codat.money import format_amount


def plain_decimal(value: Decimal, places: int = 0) -> Decimal:
    """A stored figure as a person would write it: at least `places` decimals, no trailing zeros
    beyond them, never in exponent notation (10.0000 is 10, not 1E+1; 72.7100 is 72.71)."""
    normal = value.normalize()
    if int(normal.as_tuple().exponent) > -places:
        return value.quantize(Decimal(1).scaleb(-places))
    return normal


# --- due buckets (the inbox's "due" filter) --------------------------------------------------


class Due:
    OVERDUE = "overdue"
    NEXT_7 = "next-7"
    NEXT_30 = "next-30"
    LATER = "later"

    CHOICES = (
        (OVERDUE, "Overdue"),
        (NEXT_7, "Due in the next 7 days"),
        (NEXT_30, "Due in the next 30 days"),
        (LATER, "Due later"),
    )


def due_filter(bucket: str, today: dt.date) -> Q:
    """The condition on due_date for a due bucket: overdue is before today; the next 7 and 30
    days include today; later is after the next 30 days."""
    week, month = today + dt.timedelta(days=7), today + dt.timedelta(days=30)
    return {
        Due.OVERDUE: Q(due_date__lt=today),
        Due.NEXT_7: Q(due_date__gte=today, due_date__lte=week),
        Due.NEXT_30: Q(due_date__gte=today, due_date__lte=month),
        Due.LATER: Q(due_date__gt=month),
    }[bucket]


# --- aging (the chart above the table) ---------------------------------------------------------


@dataclass(frozen=True)
class AgingBucket:
    key: str
    label: str
    condition: Q


def aging_buckets(today: dt.date) -> list[AgingBucket]:
    """Current (not yet due), then 1-30, 31-60, 61-90 and 90+ days overdue."""

    def days_ago(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    return [
        AgingBucket("current", "Current", Q(due_date__gte=today)),
        AgingBucket("d1_30", "1-30", Q(due_date__lte=days_ago(1), due_date__gte=days_ago(30))),
        AgingBucket("d31_60", "31-60", Q(due_date__lte=days_ago(31), due_date__gte=days_ago(60))),
        AgingBucket("d61_90", "61-90", Q(due_date__lte=days_ago(61), due_date__gte=days_ago(90))),
        AgingBucket("d90_plus", "90+", Q(due_date__lt=days_ago(90))),
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    amount: str  # in full, for the bar's title and the chart's description
    short: str  # what fits above the bar: "4.1k"
    x: int
    y: int
    width: int
    height: int
    label_x: int


@dataclass(frozen=True)
class AgingChart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    description: str


# Drawn at this width and never wider: the text's size in the SVG is then its size on screen
# (13px; a wider viewBox squeezed into the card drew it at 9px), down to a 300px card.
CHART_WIDTH = 300
CHART_HEIGHT = 160
BAR_AREA = 100  # pixels for the tallest bar; the rest holds the amounts above and labels below
BAR_GAP = 12
TOP = 22


def short_amount(amount: Decimal) -> str:
    """An amount in at most four characters and a suffix, for a bar's label: 980, 4.1k, 100k,
    2.5M (the full figure is the bar's title and in the chart's description)."""
    value = abs(amount)
    sign = "-" if amount < 0 else ""
    for size, suffix in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k")):
        if value >= size:
            scaled = value / size
            digits = 1 if scaled < 10 else 0
            text = f"{scaled:.{digits}f}".removesuffix(".0")
            return f"{sign}{text}{suffix}"
    return f"{sign}{value.quantize(Decimal(1)):f}"


def aging_chart(buckets: list[AgingBucket], sums: Mapping[str, Any], currency: str) -> AgingChart:
    """Bars scaled to the largest bucket (an empty bucket draws a 1px line, so it still shows)."""
    amounts = [sums.get(bucket.key) or Decimal(0) for bucket in buckets]
    largest = max(amounts, default=Decimal(0))
    slot = CHART_WIDTH // len(buckets)
    width = slot - BAR_GAP
    baseline = TOP + BAR_AREA
    bars = []
    for index, (bucket, amount) in enumerate(zip(buckets, amounts, strict=True)):
        height = int(amount * BAR_AREA / largest) if largest > 0 else 0
        height = max(height, 1)
        x = index * slot + BAR_GAP // 2
        bars.append(
            Bar(
                label=bucket.label,
                amount=format_amount(amount, currency),
                short=short_amount(amount),
                x=x,
                y=baseline - height,
                width=width,
                height=height,
                label_x=x + width // 2,
            )
        )
    description = "; ".join(
        f"{bar.label}{'' if bar.label == 'Current' else ' days overdue'}: {bar.amount} {currency}"
        for bar in bars
    )
    return AgingChart(CHART_WIDTH, CHART_HEIGHT, baseline, bars, description)


# --- table rows -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One inbox row, formatted: the table shows 50 of these, and formatting them here costs a
    tenth of what the same filters cost as template tags. Numbers are strings already, so the
    template needs no `unlocalize`."""

    pk: str
    url: str
    pay_url: str
    pay_label: str  # the Pay link's accessible name: "Pay HAR-4938"
    supplier: str
    supplier_url: str  # "" for a bill with no supplier row
    reference: str
    link_text: str  # the reference, or what tells the bill apart when it has none
    issued: str
    due: str
    overdue_days: str  # "" when not overdue
    amount_due: str
    total: str
    currency: str
    status: str
    status_label: str
    attachments: str  # "" when none
    attachments_label: str  # "2 attachments"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(value: dt.date | None) -> str:
    """`15 Mar 2026`, without the translation machinery the `date` filter goes through."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def bill_name(reference: str, supplier: str, due: dt.date | None) -> str:
    """What tells a bill apart in a list: its reference, else its supplier and due date."""
    if reference:
        return reference
    return f"{supplier or 'Bill'}, due {short_date(due)}" if due else (supplier or "Bill")


def inbox_row(
    bill: Any,
    *,
    url: str,
    pay_url: str,
    supplier_url: str,
    today: dt.date,
    status_labels: Mapping[str, str],
) -> InboxRow:
    """The row for a bill annotated with `attachment_count`; `pay_url` only for an unpaid bill,
    `supplier_url` only for a bill with a supplier."""
    currency = bill.currency
    overdue = (today - bill.due_date).days
    attachments = bill.attachment_count
    supplier = bill.supplier_name or "(no name)"
    name = bill_name(bill.reference, bill.supplier_name, bill.due_date)
    return InboxRow(
        pk=str(bill.pk),
        url=url,
        pay_url=pay_url if bill.is_unpaid else "",
        pay_label=f"Pay {name}",
        supplier=supplier,
        supplier_url=supplier_url if bill.supplier_id else "",
        reference=bill.reference,
        link_text=bill.reference or f"No reference, due {short_date(bill.due_date)}",
        issued=short_date(bill.issue_date),
        due=short_date(bill.due_date),
        overdue_days=str(overdue) if overdue > 0 else "",
        amount_due=format_amount(bill.amount_due, currency),
        total=format_amount(bill.total_amount, currency),
        currency=currency,
        status=bill.status.lower(),
        status_label=status_labels.get(bill.status, bill.status),
        attachments=str(attachments) if attachments else "",
        attachments_label=f"{attachments} attachment{'' if attachments == 1 else 's'}",
    )


def not_imported_note(counts: dict[str, int]) -> str:
    """ "Not shown: 12 paid, 3 void, 2 draft bills — the inbox lists unpaid bills only", or ""."""
    counts = {s: n for s, n in counts.items() if isinstance(n, int) and n > 0}
    order = ["Paid", "Void", "Draft"]
    statuses = [s for s in order if s in counts] + sorted(s for s in counts if s not in order)
    if not statuses:
        return ""
    parts = ", ".join(f"{counts[s]} {s.lower()}" for s in statuses)
    noun = "bill" if sum(counts.values()) == 1 else "bills"
    return f"Not shown: {parts} {noun} — the inbox lists unpaid bills only"
