"""Adding a bank account in the ledger, from company settings and from the pay dialog."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from payables.models import BankAccount
from sandbox.models import Dataset, LedgerRecord
from tests.ledger_company import LedgerCompany
from tests.payables.factories import BillFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

URL = reverse("payables:bank-account-create")


@pytest.fixture
def web(client, user, paying):
    client.force_login(user)
    return client


def data(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Payroll account",
        "account_type": "Debit",
        "account_number": "0120 0440",
        "sort_code": "50-50-50",
        "nominal_code": "",
        "currency": "gbp",
        "idempotency_key": str(uuid.uuid4()),
    }
    values.update(changes)
    return values


def in_ledger(paying: LedgerCompany, name: str) -> bool:
    return any(
        name in doc
        for doc in LedgerRecord.objects.filter(
            connection=paying.ledger, dataset=Dataset.BANK_ACCOUNTS
        ).values_list("document", flat=True)
    )


def test_it_creates_the_account_in_the_ledger_and_locally(web, paying):
    response = web.post(URL, data())
    assert response.status_code == 302
    account = BankAccount.objects.get(company=paying.company, name="Payroll account")
    assert (account.currency, account.status, account.account_type) == ("GBP", "Active", "Debit")
    assert in_ledger(paying, "Payroll account")
    # It is a choice in the pay form at once.
    bill = paying.bill("GBP")
    assert "Payroll account (GBP)" in web.get(reverse("payables:bill-pay", args=[bill.pk])).text


def test_the_same_form_twice_creates_one_account(web, paying):
    values = data()
    web.post(URL, values)
    web.post(URL, values)
    assert BankAccount.objects.filter(company=paying.company, name="Payroll account").count() == 1


def test_from_the_pay_dialog_it_returns_to_the_payment_with_the_account_chosen(web, paying):
    bill = paying.bill("GBP")
    response = web.post(URL, data(bill=bill.pk), headers={"HX-Request": "true"})
    account = BankAccount.objects.get(company=paying.company, name="Payroll account")
    assert response.text.lstrip().startswith("<dialog")
    assert f'<option value="{account.pk}" selected>' in response.text
    plain = web.post(URL, data(bill=bill.pk, name="Second account"))
    second = BankAccount.objects.get(company=paying.company, name="Second account")
    assert plain["Location"] == (
        reverse("payables:bill-pay", args=[bill.pk]) + f"?bank_account={second.pk}"
    )
    assert f'<option value="{second.pk}" selected>' in web.get(plain["Location"]).text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"account_number": ""}, "This field is required."),
        ({"currency": "€€€"}, "Enter a three-letter currency code"),
        ({"account_type": "Gold"}, "Select a valid choice."),
        # Xero creates no credit cards through this API (codat.platforms): billpay says so first.
        ({"account_type": "Credit"}, "Xero cannot create a credit card account through Codat"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(web, paying, changes, message):
    response = web.post(URL, data(**changes))
    assert response.status_code == 200
    assert message in response.text
    assert 'value="50-50-50"' in response.text  # the input is kept
    assert not BankAccount.objects.filter(company=paying.company, name="Payroll account").exists()
    assert not in_ledger(paying, "Payroll account")


def test_htmx_get_is_the_dialog_only(web):
    response = web.get(URL, {"bill": ""}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith("<dialog")


def test_another_companys_bill_is_404(web, other_company):
    theirs = BillFactory(company=other_company)
    assert web.get(URL, {"bill": theirs.pk}).status_code == 404


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_wrong_method_is_405(web):
    assert web.put(URL).status_code == 405


def test_company_settings_links_here_and_it_returns_there(web, paying):
    settings_url = reverse("accounts:company-settings")
    assert f"{URL}?next={settings_url}" in web.get(settings_url).text
    response = web.post(URL, data(next=settings_url))
    assert response["Location"] == settings_url
    response = web.post(URL, data(next="https://evil.example/", name="Other"))
    assert response["Location"] == reverse("payables:payment-list")


def test_a_bill_id_too_big_for_the_database_is_ignored(web):
    response = web.get(URL, {"bill": "9" * 25})
    assert response.status_code == 200
