"""The inbox caches its totals and supplier filter under the company's payables version.

These tests run with the real cache and real commits (elsewhere tests run without a cache, as
nothing commits inside their transaction): every committed change to a bill or supplier must show
on the next request, and an unchanged company must not be summed again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Company
from payables.models import Bill, Supplier
from tests.payables.factories import BillFactory, SupplierFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/"


@pytest.fixture(autouse=True)
def real_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield
    cache.clear()


def version(company: Company) -> int:
    return Company.objects.get(pk=company.pk).payables_version


def summed(client) -> tuple[str, bool]:
    """The page, and whether the request ran the summary's aggregate query."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return response.text, any("SUM(" in q["sql"].upper() for q in captured.captured_queries)


def test_an_unchanged_company_is_not_summed_again(client_logged_in, company):
    BillFactory(company=company, total_amount=Decimal(100), amount_due=Decimal(100))
    _page, first = summed(client_logged_in)
    page, second = summed(client_logged_in)
    assert first
    assert not second
    assert "100.00" in page


def test_a_committed_update_shows_on_the_next_request(client_logged_in, company):
    bill = BillFactory(company=company, total_amount=Decimal(100), amount_due=Decimal(100))
    summed(client_logged_in)
    Bill.objects.filter(pk=bill.pk).update(amount_due=Decimal("40.00"))
    page, again = summed(client_logged_in)
    assert again
    assert "data-total>40.00<" in page


def test_a_new_bill_and_supplier_show_in_totals_and_the_supplier_filter(client_logged_in, company):
    BillFactory(company=company, total_amount=Decimal(100), amount_due=Decimal(100))
    summed(client_logged_in)
    newcomer = SupplierFactory(company=company, name="Zebra Freight")
    BillFactory(company=company, supplier=newcomer, amount_due=Decimal(5), total_amount=Decimal(5))
    page, _ = summed(client_logged_in)
    assert "Zebra Freight</option>" in page
    assert "data-total>105.00<" in page


def test_a_paid_bill_leaves_the_totals(client_logged_in, company):
    keep = BillFactory(company=company, total_amount=Decimal(100), amount_due=Decimal(100))
    paid = BillFactory(company=company, total_amount=Decimal(7), amount_due=Decimal(7))
    summed(client_logged_in)
    paid.status = Bill.Status.PAID
    paid.amount_due = Decimal(0)
    paid.save()
    page, _ = summed(client_logged_in)
    assert "data-total>100.00<" in page
    assert keep.reference in page
    assert paid.reference not in page


def test_overdue_moves_at_midnight(client_logged_in, company):
    BillFactory(
        company=company,
        due_date=dt.date(2026, 3, 15),
        total_amount=Decimal(10),
        amount_due=Decimal(10),
    )
    page, _ = summed(client_logged_in)
    assert 'data-overdue class="">0.00<' in page
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC), tick=False):
        page, again = summed(client_logged_in)
    assert again
    assert 'data-overdue class="bad">10.00<' in page


def test_every_kind_of_write_moves_the_version(company):
    start = version(company)
    bill = BillFactory(company=company)  # supplier.save() + bill.save()
    assert version(company) == start + 2
    Bill.objects.filter(pk=bill.pk).update(reference="X-1")
    assert version(company) == start + 3
    bill.reference = "X-2"
    Bill.objects.bulk_update([bill], ["reference"])
    assert version(company) == start + 4
    Bill.objects.bulk_create([BillFactory.build(company=company, supplier=bill.supplier)])
    assert version(company) == start + 5
    Supplier.objects.filter(pk=bill.supplier_id).update(name="Renamed")
    assert version(company) == start + 6
    bill.delete()
    assert version(company) == start + 7
    Bill.objects.for_company(company).delete()
    assert version(company) == start + 8


def test_a_rolled_back_change_does_not_move_the_version(company):
    start = version(company)

    def create_then_fail() -> None:
        with transaction.atomic():
            BillFactory(company=company)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert version(company) == start
    assert not Bill.objects.for_company(company).exists()


def test_a_change_moves_only_its_own_companys_version(company, other_company):
    start, other_start = version(company), version(other_company)
    BillFactory(company=company)
    assert version(company) > start
    assert version(other_company) == other_start


def test_an_update_scoped_to_the_company_needs_no_read_of_whose_rows_it_touches(
    company, other_company
):
    mine, theirs = BillFactory(company=company), BillFactory(company=other_company)
    start, other_start = version(company), version(other_company)

    with CaptureQueriesContext(connection) as scoped:
        Bill.objects.for_company(company).filter(pk=mine.pk).update(reference="X-1")
    with CaptureQueriesContext(connection) as both:
        Bill.objects.filter(company__in=[company, other_company]).update(reference="X-2")
    with CaptureQueriesContext(connection) as by_pk:
        Bill.objects.filter(pk=theirs.pk).update(reference="X-3")

    def selects(captured: CaptureQueriesContext) -> int:
        return sum(q["sql"].startswith("SELECT") for q in captured.captured_queries)

    assert (selects(scoped), selects(both), selects(by_pk)) == (0, 0, 1)
    assert (version(company), version(other_company)) == (start + 2, other_start + 2)


def test_the_cached_supplier_filter_still_marks_the_chosen_supplier(client_logged_in, company):
    chosen = SupplierFactory(company=company, name="Chosen & Sons")
    BillFactory(company=company, supplier=chosen)
    BillFactory(company=company)
    summed(client_logged_in)  # caches the options
    page = client_logged_in.get(URL, {"supplier": chosen.pk}).text
    assert f'<option value="{chosen.pk}" selected>Chosen &amp; Sons</option>' in page
    supplier_select = page[page.index('<select name="supplier"') :]
    supplier_select = supplier_select[: supplier_select.index("</select>")]
    assert supplier_select.count(" selected>") == 1


def test_the_paid_filter_gets_its_own_totals(client_logged_in, company):
    BillFactory(company=company, total_amount=Decimal(100), amount_due=Decimal(100))
    BillFactory(
        company=company,
        status=Bill.Status.PAID,
        total_amount=Decimal(33),
        amount_due=Decimal(0),
    )
    unpaid, _ = summed(client_logged_in)
    paid = client_logged_in.get(URL, {"status": "Paid"}).text
    again, _ = summed(client_logged_in)
    assert 'GBP <span class="muted">· 1 bill<' in unpaid
    assert "data-total>100.00<" in unpaid
    assert "data-total-paid>33.00<" in paid  # what the paid bills totalled, not "0.00 due"
    assert "data-total>100.00<" in again
