"""A form the ledger refused can be corrected and sent again (issue 11, section 2).

Codat keeps the first answer to an Idempotency-Key and replays it, refusals included, and
refuses the key with any other body. A refused request recorded nothing, so the page hands out
a fresh key; a key whose outcome is unknown (no answer, 409 in flight, 429) is kept. All of it
against the sandbox, which implements the replay.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from codat.errors import (
    CodatConflict,
    CodatError,
    CodatRejected,
    CodatUnavailable,
    idempotency_key_spent,
)
from payables.models import BankAccount, Bill, Payment, Supplier
from sandbox.api.records import get_document, save_document
from sandbox.models import Dataset, Fault
from sandbox.services import fault_inject
from tests.ledger_company import LedgerCompany
from tests.payables.views.test_bill_create import form_data as bill_data
from tests.sandbox.spec_gaps import allow_docs_only_statuses

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture(autouse=True)
def _reused_key_answers(settings):
    # A key sent again with another body is answered 422, on the docs' word only.
    allow_docs_only_statuses(settings)


DIFFERENT_BODY = "already used for a request with a different body"


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _archive_in_ledger(linked: LedgerCompany) -> Any:
    """billpay's copy still says Active; the ledger archived the supplier since the last refresh."""
    supplier = linked.supplier()
    document = get_document(linked.ledger, "suppliers", supplier.codat_id)
    save_document(linked.ledger, "suppliers", {**document, "status": "Archived"})
    return supplier


def _another_supplier(linked: LedgerCompany, than: Any) -> Any:
    other = (
        Supplier.objects.for_company(linked.company)
        .filter(status="Active")
        .exclude(pk=than.pk)
        .first()
    )
    assert other is not None
    return other


# --- Bill create ----------------------------------------------------------------------------------


def test_a_bill_the_ledger_refused_can_be_corrected_and_saved(client_logged_in, linked) -> None:
    url = reverse("payables:bill-create")
    archived = _archive_in_ledger(linked)
    data = bill_data(linked, supplier=archived.name)
    before = linked.ledger_bill_count()

    refused = client_logged_in.post(url, data).content.decode()

    assert "is archived in Xero" in refused
    token = _field(refused, "token")
    assert token != data["token"]  # the refused request recorded nothing: a fresh key
    corrected = {**data, "token": token, "supplier": _another_supplier(linked, archived).name}
    response = client_logged_in.post(url, corrected)
    assert response.status_code == 302, response.content.decode()
    assert linked.ledger_bill_count() == before + 1
    assert Bill.objects.filter(reference="INV-9001").count() == 1


def test_a_refused_bill_sent_again_unchanged_is_refused_for_its_own_reason(
    client_logged_in, linked
) -> None:
    url = reverse("payables:bill-create")
    data = bill_data(linked, supplier=_archive_in_ledger(linked).name)

    first = client_logged_in.post(url, data).content.decode()
    again = client_logged_in.post(url, {**data, "token": _field(first, "token")}).content.decode()

    assert "is archived in Xero" in again
    assert DIFFERENT_BODY not in again
    assert 'value="INV-9001"' in again


def test_a_lost_answer_keeps_the_key_and_the_resubmit_creates_one_bill(
    client_logged_in, linked
) -> None:
    url = reverse("payables:bill-create")
    fault_inject(kind=Fault.Kind.LOST_RESPONSE, method="POST", path_contains="/bills", times=1)
    data = bill_data(linked)
    before = linked.ledger_bill_count()

    lost = client_logged_in.post(url, data).content.decode()

    assert _field(lost, "token") == data["token"]  # the ledger may have it: only this key can tell
    assert client_logged_in.post(url, data).status_code == 302
    assert linked.ledger_bill_count() == before + 1
    assert Bill.objects.filter(reference="INV-9001").count() == 1


@pytest.mark.parametrize(
    ("error", "spent"),
    [
        (CodatUnavailable("timed out"), False),  # no answer: the write may have happened
        (CodatConflict("in flight", status_code=409), False),  # the same key still running
        (CodatUnavailable("slow down", status_code=429), False),  # never kept by Codat
        (CodatUnavailable("down", status_code=503), True),  # kept and replayed for 90 minutes
        (CodatRejected("bad line", status_code=400), True),  # refused: nothing recorded
        (CodatRejected("other body", status_code=422), True),
    ],
)
def test_which_answers_spend_the_key(error: CodatError, spent: bool) -> None:
    assert idempotency_key_spent(error) is spent


def test_an_edited_resubmit_after_a_lost_answer_is_explained_and_can_be_sent(
    client_logged_in, linked
) -> None:
    url = reverse("payables:bill-create")
    fault_inject(kind=Fault.Kind.LOST_RESPONSE, method="POST", path_contains="/bills", times=1)
    data = bill_data(linked)
    before = linked.ledger_bill_count()
    client_logged_in.post(url, data)

    edited = {**data, "reference": "INV-9002"}
    html = client_logged_in.post(url, edited).content.decode()

    # The first version is in the ledger; billpay says so instead of Codat's jargon, keeps the
    # input, and a deliberate second save is possible (with a new key).
    assert "may already be in the ledger" in html
    assert DIFFERENT_BODY not in html
    assert 'value="INV-9002"' in html
    token = _field(html, "token")
    assert token != data["token"]
    assert linked.ledger_bill_count() == before + 1
    assert client_logged_in.post(url, {**edited, "token": token}).status_code == 302
    assert linked.ledger_bill_count() == before + 2


# --- Bill edit ------------------------------------------------------------------------------------


def test_an_edit_the_ledger_refused_can_be_corrected_and_saved(client_logged_in, linked) -> None:
    bill = Bill.objects.for_company(linked.company).filter(status="Open").first()
    assert bill is not None
    assert bill.amount_due == bill.total_amount
    url = reverse("payables:bill-edit", args=[bill.pk])
    archived = _archive_in_ledger(linked)
    data = bill_data(linked, supplier=archived.name, reference="EDITED-4")

    refused = client_logged_in.post(url, data).content.decode()

    assert "is archived in Xero" in refused
    token = _field(refused, "token")
    assert token != data["token"]
    corrected = {**data, "token": token, "supplier": _another_supplier(linked, archived).name}
    response = client_logged_in.post(url, corrected)
    assert response.status_code == 302, response.content.decode()
    bill.refresh_from_db()
    assert bill.reference == "EDITED-4"


# --- Bank account create --------------------------------------------------------------------------


def bank_data(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Payroll account",
        "account_type": "Debit",
        "account_number": "0120 0440",
        "sort_code": "50-50-50",
        "nominal_code": "",
        "currency": "GBP",
        "idempotency_key": str(uuid.uuid4()),
    }
    values.update(changes)
    return values


@pytest.fixture
def web(client, user, paying):
    client.force_login(user)
    return client


def test_a_bank_account_the_ledger_refused_can_be_corrected(web, paying) -> None:
    url = reverse("payables:bank-account-create")
    # A name the ledger's chart already has: only the ledger knows its chart (Xero: "Please
    # enter a unique Name.").
    taken = BankAccount.objects.filter(company=paying.company).first()
    assert taken is not None
    data = bank_data(name=taken.name)

    refused = web.post(url, data).text

    assert "The ledger refused the bank account" in refused
    assert "Please enter a unique Name." in refused
    key = _field(refused, "idempotency_key")
    assert key != data["idempotency_key"]
    response = web.post(url, {**data, "idempotency_key": key, "name": "Payroll account"})
    assert response.status_code == 302, response.text
    assert BankAccount.objects.filter(company=paying.company, name="Payroll account").count() == 1


def test_a_bank_account_whose_answer_was_lost_keeps_its_key(web, paying) -> None:
    url = reverse("payables:bank-account-create")
    fault_inject(
        kind=Fault.Kind.LOST_RESPONSE, method="POST", path_contains="/bankAccounts", times=1
    )
    data = bank_data()

    lost = web.post(url, data).text

    assert _field(lost, "idempotency_key") == data["idempotency_key"]
    assert web.post(url, data).status_code == 302
    accounts = [
        doc
        for doc in paying.ledger.records.filter(dataset=Dataset.BANK_ACCOUNTS).values_list(
            "document", flat=True
        )
        if "Payroll account" in str(doc)
    ]
    assert len(accounts) == 1
    assert BankAccount.objects.filter(company=paying.company, name="Payroll account").count() == 1


# --- Pay again after a payment stopped because the bill changed -----------------------------------


@pytest.mark.usefixtures("enqueued_payment")
def test_pay_again_after_the_bill_changed_makes_a_new_attempt(web, paying) -> None:
    bill = paying.bill("GBP")
    url = reverse("payables:bill-pay", args=[bill.pk])
    base = {
        "amount": "10.00",
        "paid_on": dt.date.today().isoformat(),
        "bank_account": paying.bank("GBP").pk,
        "currency_rate": "",
        "reference": "Paid by billpay",
    }
    review = web.post(url, base).text
    confirm = {
        **base,
        "idempotency_key": _field(review, "idempotency_key"),
        "amount_due": _field(review, "amount_due"),
        "confirm": "1",
    }
    # Changed in the ledger after the confirmation step: a lower amount due.
    document = paying.ledger_bill(bill)
    document.update(amountDue=document["amountDue"] - Decimal(1))
    save_document(paying.ledger, Dataset.BILLS, document, parent_id=document["supplierRef"]["id"])
    stopped = web.post(url, confirm).text
    assert "Nothing was recorded" in stopped
    assert _field(stopped, "idempotency_key") != confirm["idempotency_key"]

    # Pay again: review, then confirm with what the dialog now carries.
    again = web.post(url, {**base, "idempotency_key": _field(stopped, "idempotency_key")}).text
    assert 'data-step="confirm"' in again
    response = web.post(
        url,
        {
            **base,
            "idempotency_key": _field(again, "idempotency_key"),
            "amount_due": _field(again, "amount_due"),
            "confirm": "1",
        },
    )

    assert response.status_code == 302
    assert Payment.objects.filter(bill=bill, status=Payment.Status.SUCCEEDED).count() == 1
    assert len(paying.ledger_payments(bill)) == 1
