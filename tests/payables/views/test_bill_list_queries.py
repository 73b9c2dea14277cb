"""The inbox's query count (constant in the number of bills, at most 10) and its pure helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payables.inbox import aging_buckets, aging_chart, not_imported_note
from payables.models import Attachment, Bill, ImportRun
from tests.payables.factories import (
    AttachmentFactory,
    BillFactory,
    ImportRunFactory,
    SupplierFactory,
)

TODAY = dt.date(2026, 3, 15)
URL = "/"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _load(company, n: int) -> None:
    suppliers = [SupplierFactory(company=company) for _ in range(min(n, 20))]
    bills = Bill.objects.bulk_create(
        BillFactory.build(company=company, supplier=suppliers[i % len(suppliers)],
                          due_date=days(i % 200 - 100), issue_date=days(-120),
                          currency=("GBP", "EUR", "USD")[i % 3])
        for i in range(n)
    )  # fmt: skip
    Attachment.objects.bulk_create(
        AttachmentFactory.build(company=company, bill=b, name="a.pdf", content=None)
        for b in bills[::3]
    )
    ImportRunFactory(company=company, status=ImportRun.Status.SUCCEEDED, finished_at=timezone.now(),
                     not_imported={"Paid": 4})  # fmt: skip


QUERY_CASES = [
    {},
    {"status": "Open", "currency": "GBP", "due": "overdue"},
    {"q": "ltd", "sort": "-amount_due"},
    {"page": "3"},
]


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize("params", QUERY_CASES)
def test_query_count_is_small_and_constant(
    client_logged_in, company, other_company, params, django_assert_max_num_queries
):
    _load(other_company, 50)
    client_logged_in.get(URL)  # the session's first request stores the active company
    counts = []
    for n in (10, 200):
        Bill.objects.filter(company=company).delete()
        _load(company, n)
        for headers in ({}, {"HX-Request": "true"}):
            with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as captured:
                response = client_logged_in.get(URL, params, headers=headers)
            assert response.status_code == 200
            counts.append(len(captured))
    assert counts[0] == counts[2]  # full page: the same at 10 and 200 bills
    assert counts[1] == counts[3]  # htmx fragment: likewise


def test_detail_query_count_does_not_grow_with_lines(
    client_logged_in, company, django_assert_max_num_queries
):
    from tests.payables.factories import BillLineItemFactory

    bill = BillFactory(company=company)
    for position in range(1, 30):
        BillLineItemFactory(bill=bill, position=position, account_codat_id=f"a{position}")
    client_logged_in.get(f"/bills/{bill.pk}/")
    # 11: the payments section reads the bill's payment history in one more query.
    with django_assert_max_num_queries(11):
        assert client_logged_in.get(f"/bills/{bill.pk}/").status_code == 200


def test_aging_chart_scales_to_the_largest_bucket():
    buckets = aging_buckets(TODAY)
    chart = aging_chart(buckets, {"current": Decimal(50), "d90_plus": Decimal(200)}, "GBP")
    heights = [bar.height for bar in chart.bars]
    assert heights == [25, 1, 1, 1, 100]
    assert [bar.label for bar in chart.bars] == ["Current", "1-30", "31-60", "61-90", "90+"]
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert all(bar.x + bar.width <= chart.width for bar in chart.bars)
    assert "90+ days overdue: 200.00 GBP" in chart.description


def test_aging_chart_with_nothing_due():
    chart = aging_chart(aging_buckets(TODAY), {}, "GBP")
    assert [bar.height for bar in chart.bars] == [1] * 5


def test_not_imported_note():
    assert not_imported_note({}) == ""
    assert not_imported_note({"Paid": 0}) == ""
    assert not_imported_note({"Draft": 2, "Paid": 12, "Void": 3, "Unknown": 1}) == (
        "Not shown: 12 paid, 3 void, 2 draft, 1 unknown bills — the inbox lists unpaid bills only"
    )
    assert not_imported_note({"Void": 1}).startswith("Not shown: 1 void bill —")
    assert not_imported_note({"Paid": "junk"}) == ""  # type: ignore[dict-item]
