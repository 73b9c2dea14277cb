"""The payments page and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from payables.models import BankAccount, Payment
from payables.views.payments import CSV_HEADER
from tests.payables.factories import BankAccountFactory, BillFactory, PaymentFactory

pytestmark = pytest.mark.django_db

LIST = reverse("payables:payment-list")
EXPORT = reverse("payables:payment-export")


def make_payment(company, status=Payment.Status.SUCCEEDED, **fields):
    bill = fields.pop("bill", None) or BillFactory(company=company)
    bank = BankAccount.objects.filter(company=company, codat_id="bank-1").first()
    bank = bank or BankAccountFactory(company=company, codat_id="bank-1", name="Current account")
    values = {
        "bill": bill, "bank_account": bank, "amount": Decimal("120.00"),
        "paid_on": dt.date(2026, 3, 1), "status": status,
        "codat_id": "ledger-pay-1" if status == Payment.Status.SUCCEEDED else "",
    }  # fmt: skip
    values.update(fields)
    return PaymentFactory(company=company, **values)


def test_it_lists_the_companys_payments(client_logged_in, company, other_company):
    mine = make_payment(company, reference="March run")
    theirs = make_payment(other_company, codat_id="their-ledger-id")
    html = client_logged_in.get(LIST).text
    assert f'data-payment="{mine.pk}"' in html
    assert mine.bill.supplier_name in html
    assert mine.bill.reference in html
    assert "120.00" in html
    assert "Current account (GBP)" in html
    assert "ledger-pay-1" in html
    assert "Recorded" in html
    assert f'data-payment="{theirs.pk}"' not in html
    assert "their-ledger-id" not in html


def test_filters_by_status_text_and_dates(client_logged_in, company):
    done = make_payment(company)
    pending = make_payment(
        company, status=Payment.Status.PENDING, paid_on=dt.date(2026, 4, 1), reference="April"
    )
    html = client_logged_in.get(LIST, {"status": "pending"}).text
    assert f'data-payment="{pending.pk}"' in html
    assert f'data-payment="{done.pk}"' not in html
    html = client_logged_in.get(LIST, {"date_from": "2026-03-15"}).text
    assert f'data-payment="{pending.pk}"' in html
    assert f'data-payment="{done.pk}"' not in html
    html = client_logged_in.get(LIST, {"q": done.bill.reference}).text
    assert f'data-payment="{done.pk}"' in html
    assert f'data-payment="{pending.pk}"' not in html


def test_junk_filters_are_ignored_with_a_note(client_logged_in, company):
    make_payment(company)
    html = client_logged_in.get(LIST, {"status": "stolen", "date_from": "yesterday"}).text
    assert "Ignored the status filter" in html
    assert "Ignored the date_from filter" in html
    assert "data-payment=" in html


def test_htmx_gets_only_the_table(client_logged_in, company):
    make_payment(company)
    response = client_logged_in.get(LIST, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="payment-table"')
    assert "<html" not in response.text


def test_csv_export_has_every_column_and_only_this_company(
    client_logged_in, company, other_company
):
    usd = BillFactory(company=company, currency="USD")
    mine = make_payment(
        company, bill=usd, amount=Decimal(20), reference="=HYPERLINK(evil)",
        currency_rate=Decimal("0.781000000"),
    )  # fmt: skip
    make_payment(other_company)
    response = client_logged_in.get(EXPORT)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:11] == [
        "date", "supplier", "bill", "amount", "currency", "currency_rate", "base_amount",
        "base_currency", "bank_account", "status", "ledger_id",
    ]  # fmt: skip
    assert len(rows) == 2
    row = rows[1]
    # The spec's example: $20 at 0.781 = £15.62 (currencyRate is base units per foreign unit).
    assert row[:11] == [
        "2026-03-01", mine.bill.supplier_name, mine.bill.reference, "20.00", "USD",
        "0.781", "15.62", "GBP", "Current account (GBP)", "succeeded", "ledger-pay-1",
    ]  # fmt: skip
    assert row[11] == "'=HYPERLINK(evil)"  # no formula injection


def test_csv_export_gives_base_amounts_only_where_known(client_logged_in, company):
    make_payment(company, bill=BillFactory(company=company, currency="GBP", reference="GB-1"))
    make_payment(company, bill=BillFactory(company=company, currency="JPY", reference="JP-1"),
                 amount=Decimal(12000), codat_id="ledger-pay-2")  # fmt: skip
    response = client_logged_in.get(EXPORT)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_bill = {r[2]: r for r in rows[1:]}
    assert by_bill["GB-1"][3:8] == ["120.00", "GBP", "", "120.00", "GBP"]
    # A JPY payment without a rate: its amount in yen, no base amount billpay could vouch for.
    assert by_bill["JP-1"][3:8] == ["12000", "JPY", "", "", "GBP"]


def test_csv_export_follows_the_filters(client_logged_in, company):
    make_payment(company)
    make_payment(company, status=Payment.Status.FAILED)
    response = client_logged_in.get(EXPORT, {"status": "failed"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[CSV_HEADER.index("status")] for r in rows[1:]] == ["failed"]


def test_anonymous_goes_to_login(client):
    for url in (LIST, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_wrong_method_is_405(client_logged_in):
    assert client_logged_in.post(LIST).status_code == 405
    assert client_logged_in.post(EXPORT).status_code == 405
