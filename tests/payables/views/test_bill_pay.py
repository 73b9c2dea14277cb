"""The pay dialog/page: form, confirmation, recording, and every bad input refused visibly."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from codat.money import input_amount
from payables.models import Bill, MappingStatus, Payment
from sandbox.api.records import save_document
from sandbox.models import Dataset, Fault
from sandbox.services import fault_inject
from tests.ledger_company import LedgerCompany
from tests.payables.factories import BankAccountFactory, BillFactory

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("enqueued_payment"),
]


@pytest.fixture
def web(client, user, paying):
    client.force_login(user)
    return client


@pytest.fixture
def bill(paying) -> Bill:
    return paying.bill("GBP")


def url(bill: Bill) -> str:
    return reverse("payables:bill-pay", args=[bill.pk])


def form_data(paying: LedgerCompany, bill: Bill, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "amount": str(bill.amount_due),
        "paid_on": dt.date.today().isoformat(),
        "bank_account": paying.bank("GBP").pk,
        "currency_rate": "",
        "reference": "Paid by billpay",
    }
    data.update(changes)
    return data


def review(web, paying, bill, **changes):
    return web.post(url(bill), form_data(paying, bill, **changes))


def confirmed(web, paying, bill, **changes):
    """Review, then confirm with the key the confirmation step handed out."""
    page = review(web, paying, bill, **changes).text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    due = re.search(r'name="amount_due" value="([^"]+)"', page)
    assert key, page
    assert due, page
    data = form_data(paying, bill, **changes)
    data.update(idempotency_key=key.group(1), amount_due=due.group(1), confirm="1")
    return data


def nothing_recorded(paying: LedgerCompany, bill: Bill) -> None:
    assert not Payment.objects.filter(status=Payment.Status.SUCCEEDED).exists()
    assert not Payment.objects.filter(status=Payment.Status.PENDING).exists()
    assert paying.ledger_payments(bill) == []


# --- The form ------------------------------------------------------------------------------------


def test_the_form_defaults_to_the_amount_due_today_and_active_accounts(web, paying, bill):
    archived = BankAccountFactory(
        company=paying.company, codat_id="old", name="Old account", status=MappingStatus.ARCHIVED
    )
    html = web.get(url(bill)).text
    assert f'value="{input_amount(bill.amount_due, bill.currency)}"' in html
    assert re.search(r'name="amount" value="\d+\.\d{2}"', html)  # 4136.79, never 4136.7900
    assert f'value="{dt.date.today().isoformat()}"' in html
    assert str(paying.bank("GBP")) in html
    assert archived.name not in html
    assert "<html" in html  # a full page without JavaScript


def test_htmx_gets_only_the_dialog(web, bill):
    response = web.get(url(bill), headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith("<dialog")
    assert "<html" not in response.text
    assert response["Vary"].count("HX-Request") == 1


def test_anonymous_goes_to_login(client, bill):
    response = client.get(url(bill))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_another_companys_bill_is_404(web, other_company):
    theirs = BillFactory(company=other_company)
    assert web.get(url(theirs)).status_code == 404
    assert web.post(url(theirs), {"amount": "1"}).status_code == 404


def test_wrong_method_is_405(web, bill):
    assert web.put(url(bill)).status_code == 405


# --- Review, confirm, record -----------------------------------------------------------------------


def test_review_shows_exactly_what_will_be_recorded_and_records_nothing(web, paying, bill):
    response = review(web, paying, bill, amount="10.00")
    html = response.text
    assert 'data-step="confirm"' in html
    assert "10.00 GBP (partial" in html
    assert str(paying.bank("GBP")) in html
    assert "Paid by billpay" in html
    assert 'name="confirm"' in html
    nothing_recorded(paying, bill)
    assert Payment.objects.count() == 0


def test_confirm_records_the_payment_once_and_the_bill_follows(web, paying, bill):
    data = confirmed(web, paying, bill)

    response = web.post(url(bill), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("payables:bill-detail", args=[bill.pk])
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.reference == "Paid by billpay"
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    page = web.get(response["Location"]).text
    assert "recorded in the ledger" in page
    assert payment.codat_id in page  # the payment history on the bill page

    # Resubmit, refresh, back button: the same confirmed form is the same payment.
    again = web.post(url(bill), data)
    assert again.status_code == 302
    assert Payment.objects.count() == 1
    assert len(paying.ledger_payments(bill)) == 1

    # A paid bill leaves the inbox and is found under the Paid filter.
    inbox = reverse("payables:bill-list")
    assert f'data-bill="{bill.pk}"' not in web.get(inbox).text
    assert f'data-bill="{bill.pk}"' in web.get(inbox, {"status": "Paid"}).text


def test_htmx_confirm_answers_the_result_with_an_event(web, paying, bill):
    data = confirmed(web, paying, bill, amount="5.00")
    response = web.post(url(bill), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'data-result="succeeded"' in response.text
    assert "billPaid" in response["HX-Trigger"]
    assert "Partially paid" in response.text


def test_change_goes_back_to_the_form_with_the_input_kept(web, paying, bill):
    data = confirmed(web, paying, bill, amount="7.00")
    data.pop("confirm")
    data["edit"] = "1"
    html = web.post(url(bill), data).text
    assert 'data-step="form"' in html
    assert 'value="7.00"' in html
    assert Payment.objects.count() == 0


def test_a_bill_paid_elsewhere_meanwhile_is_stopped_and_explained(web, paying, bill):
    data = confirmed(web, paying, bill)
    document = paying.ledger_bill(bill)
    document.update(status="Paid", amountDue=Decimal(0))
    save_document(paying.ledger, Dataset.BILLS, document, parent_id=document["supplierRef"]["id"])

    html = web.post(url(bill), data).text

    assert "Nothing was recorded, because since you confirmed it was paid in full elsewhere" in html
    nothing_recorded(paying, bill)


def test_a_ledger_timeout_shows_pending_sync(web, paying, bill, enqueued_payment):
    fault_inject(
        kind=Fault.Kind.TIMEOUT, company=paying.ledger.company, method="POST",
        path_contains="/payment", times=1,
    )  # fmt: skip
    response = web.post(url(bill), confirmed(web, paying, bill), follow=True)
    assert "pending sync" in response.text.lower()
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING
    enqueued_payment.assert_called_once_with(payment.pk)
    assert "Pending sync" in web.get(reverse("payables:bill-detail", args=[bill.pk])).text


def test_a_foreign_bill_from_a_base_account_asks_for_the_rate(web, paying):
    bill = Bill.objects.for_company(paying.company).exclude(currency="GBP").first()
    assert bill is not None
    html = review(web, paying, bill, amount="1.00").text
    assert f"Currency rate (GBP per 1 {bill.currency})" in html
    assert f"Enter the currency rate: how many GBP one {bill.currency} is worth" in html
    # The spec's example: 20 foreign units at 0.885 = 17.70 GBP (foreign x rate = base).
    html = review(web, paying, bill, amount="20.00", currency_rate="0.885").text
    assert 'data-step="confirm"' in html
    assert f"0.885 GBP per 1 {bill.currency}" in html
    assert f"data-confirm-base>20.00 {bill.currency} at 0.885 = 17.70 GBP<" in html


def test_a_rate_of_zero_is_refused_on_the_rate_field(web, paying):
    bill = Bill.objects.for_company(paying.company).exclude(currency="GBP").first()
    assert bill is not None
    response = review(web, paying, bill, amount="1.00", currency_rate="0")
    form = response.context["form"]
    assert form.errors["currency_rate"] == ["The currency rate must be greater than zero."]


# --- Bad input: a clear message each, the input kept, nothing recorded anywhere -------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "Enter an amount greater than zero."),
        ({"amount": "-5"}, "Enter an amount greater than zero."),
        ({"amount": "0.001"}, "GBP amounts have at most 2 decimal places."),
        ({"amount": "99999999"}, "That is more than the amount due"),
        ({"amount": "ten"}, "Enter an amount."),
        ({"paid_on": "2999-01-01"}, "The payment date is too far ahead"),
        ({"paid_on": "1999-01-01"}, "too far in the past"),
        ({"paid_on": "31/31/2026"}, "Enter a date as YYYY-MM-DD."),
        ({"bank_account": "999999"}, "Choose one of this company&#x27;s active bank accounts."),
        ({"bank_account": ""}, "This field is required."),
        ({"currency_rate": "abc"}, "Enter the currency rate as a number"),
        ({"idempotency_key": "not-a-uuid"}, "This form was changed; start the payment again."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(web, paying, bill, changes, message):
    html = review(web, paying, bill, **changes).text
    assert message in html
    assert 'data-step="form"' in html
    for name, value in changes.items():
        if value and name != "bank_account":  # a select cannot show a choice it does not offer
            assert f'value="{value}"' in html
    nothing_recorded(paying, bill)
    assert Payment.objects.count() == 0


def test_another_companys_bank_account_is_refused(web, paying, bill, other_company):
    theirs = BankAccountFactory(
        company=other_company, codat_id=paying.bank("GBP").codat_id, name="Theirs"
    )
    html = review(web, paying, bill, bank_account=theirs.pk).text
    assert "Choose one of this company&#x27;s active bank accounts." in html
    nothing_recorded(paying, bill)


def test_a_confirmed_form_tampered_with_is_refused(web, paying, bill):
    data = confirmed(web, paying, bill)
    data["amount"] = str(bill.amount_due + 100)  # more than due, after the review
    html = web.post(url(bill), data).text
    assert "That is more than the amount due" in html
    data = confirmed(web, paying, bill)
    data["idempotency_key"] = "x" * 10
    html = web.post(url(bill), data).text
    assert "This form was changed; start the payment again." in html
    data = confirmed(web, paying, bill)
    del data["idempotency_key"]
    html = web.post(url(bill), data).text
    assert "This form was changed; start the payment again." in html
    nothing_recorded(paying, bill)
    assert Payment.objects.count() == 0


def test_a_key_used_on_another_bill_is_refused(web, paying, bill):
    first = web.post(url(bill), confirmed(web, paying, bill, amount="1.00"))
    assert first.status_code == 302
    used = str(Payment.objects.get().idempotency_key)
    other = (
        Bill.objects.for_company(paying.company)
        .unpaid()
        .filter(currency="GBP")
        .exclude(pk=bill.pk)
        .first()
    )
    assert other is not None
    data = confirmed(web, paying, other, amount="1.00")
    data["idempotency_key"] = used
    html = web.post(url(other), data).text
    assert "This payment form is not valid any more" in html
    assert paying.ledger_payments(other) == []


def test_a_paid_bill_has_nothing_to_pay(web, paying, bill):
    Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.PAID, amount_due=0)
    html = web.get(url(bill)).text
    assert "there is nothing to pay" in html


def test_the_inbox_row_and_the_bill_page_link_to_the_pay_dialog(web, bill):
    pay = url(bill)
    inbox = web.get(reverse("payables:bill-list")).text
    assert f'href="{pay}" hx-get="{pay}" hx-target="body" hx-swap="beforeend"' in inbox
    page = web.get(reverse("payables:bill-detail", args=[bill.pk])).text
    assert f'href="{pay}" hx-get="{pay}"' in page
    assert "No payments recorded in billpay yet" in page


def test_a_paid_bill_keeps_its_payment_history_and_no_pay_link(web, paying, bill):
    web.post(url(bill), confirmed(web, paying, bill, amount="1.00"))
    bill.refresh_from_db()  # partially paid: pay the rest
    web.post(url(bill), confirmed(web, paying, bill))
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    page = web.get(reverse("payables:bill-detail", args=[bill.pk])).text
    assert page.count("data-payment=") == 2
    assert "data-pay-link" not in page
    paid = web.get(reverse("payables:bill-list"), {"status": "Paid"}).text
    assert f'data-bill="{bill.pk}"' in paid
    assert f'href="{url(bill)}"' not in paid
