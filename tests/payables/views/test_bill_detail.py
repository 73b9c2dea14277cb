from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from payables.models import Account, Bill
from tests.payables.factories import (
    AccountFactory,
    AttachmentFactory,
    BillFactory,
    BillLineItemFactory,
    SupplierFactory,
    TaxRateFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def url(bill: Bill) -> str:
    return reverse("payables:bill-detail", args=[bill.pk])


@pytest.fixture
def bill(company):
    supplier = SupplierFactory(company=company, name="Northwind Traders")
    bill = BillFactory(
        company=company,
        supplier=supplier,
        reference="INV-777",
        issue_date=dt.date(2026, 2, 1),
        due_date=dt.date(2026, 3, 10),
        currency="EUR",
        currency_rate=Decimal("0.857000000"),
        status=Bill.Status.PARTIALLY_PAID,
        total_amount=Decimal("1440.00"),
        amount_due=Decimal("440.00"),
        last_read_at=timezone.make_aware(dt.datetime(2026, 3, 14, 8, 5)),
    )
    AccountFactory(company=company, codat_id="acc-1", nominal_code="429", name="General Expenses")
    TaxRateFactory(company=company, codat_id="tax-1", name="20% (VAT on Expenses)")
    BillLineItemFactory(bill=bill, position=1, description="Paper, A4", quantity=Decimal(10),
                        unit_amount=Decimal("100.00"), tax_amount=Decimal("200.00"),
                        total_amount=Decimal("1200.00"), account_codat_id="acc-1",
                        tax_rate_codat_id="tax-1")  # fmt: skip
    BillLineItemFactory(bill=bill, position=2, description="Delivery", quantity=Decimal(1),
                        unit_amount=Decimal("200.00"), tax_amount=Decimal("40.00"),
                        total_amount=Decimal("240.00"), account_codat_id="acc-unknown")  # fmt: skip
    AttachmentFactory(company=company, bill=bill, name="invoice.pdf", content=None, size=20480)
    return bill


def test_it_shows_the_bill(client_logged_in, bill):
    response = client_logged_in.get(url(bill))
    assert response.status_code == 200
    html = response.text
    for text in (
        "Northwind Traders", "INV-777", "1 Feb 2026", "10 Mar 2026", "Partially paid",
        "Overdue 5d", "data-currency-rate>0.857 GBP per 1 EUR<",
        "data-base-total>1,234.08 GBP<", "1,440.00 EUR", "440.00 EUR",
        "Read from the ledger <time", "14 Mar 2026, 08:05",
    ):  # fmt: skip
        assert text in html, text


def test_a_bill_in_the_base_currency_shows_no_rate(client_logged_in, bill):
    Bill.objects.filter(pk=bill.pk).update(currency="GBP", currency_rate=Decimal("1.000000000"))
    assert "Currency rate" not in client_logged_in.get(url(bill)).text


def test_it_shows_line_items_with_account_and_tax_rate_names(client_logged_in, bill):
    html = client_logged_in.get(url(bill)).text
    assert "Paper, A4" in html
    assert "Delivery" in html
    assert "429 General Expenses" in html
    assert "20% (VAT on Expenses)" in html
    assert "acc-unknown" in html  # an account billpay has not read yet shows its ledger id
    assert "1,200.00" in html
    assert "200.00" in html


def test_it_shows_payments_and_attachments(client_logged_in, bill):
    html = client_logged_in.get(url(bill)).text
    assert "No payments recorded in billpay yet" in html
    assert "The ledger shows 1,000.00 EUR of 1,440.00 already paid." in html
    assert "invoice.pdf" in html
    assert "20.0\xa0KB" in html
    assert "application/pdf" in html


def test_lookups_do_not_cross_companies(client_logged_in, bill, other_company):
    Account.objects.filter(codat_id="acc-1").delete()
    AccountFactory(company=other_company, codat_id="acc-1", name="Their Account")
    assert "Their Account" not in client_logged_in.get(url(bill)).text


def test_query_count_is_small(client_logged_in, bill, django_assert_max_num_queries):
    client_logged_in.get(url(bill))
    # 11: the payments section reads the bill's payment history in one more query.
    with django_assert_max_num_queries(11):
        assert client_logged_in.get(url(bill)).status_code == 200


def test_a_bill_without_lines_or_attachments(client_logged_in, company):
    bill = BillFactory(company=company)
    html = client_logged_in.get(url(bill)).text
    assert "The ledger has no line items for this bill." in html
    assert "No attachments." in html


def test_other_company_gets_404(client_logged_in, other_company):
    theirs = BillFactory(company=other_company)
    assert client_logged_in.get(url(theirs)).status_code == 404


def test_unknown_bill_gets_404(client_logged_in, company):
    assert client_logged_in.get("/bills/999999/").status_code == 404


def test_user_without_a_company_gets_404(client, user, other_company):
    client.force_login(user)
    assert client.get(url(BillFactory(company=other_company))).status_code == 404


def test_anonymous_goes_to_login(client, bill):
    response = client.get(url(bill))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_gets_405(client_logged_in, bill, method):
    assert getattr(client_logged_in, method)(url(bill)).status_code == 405


def test_junk_id_is_not_a_route(client_logged_in):
    assert client_logged_in.get("/bills/abc/").status_code == 404
