"""Property-based: no input to a form gives a 500 (hypothesis). Every value is arbitrary text,
control characters, NUL and lone surrogates' neighbours included; each answer must be a page (with
a message for bad input), a redirect or a 404, never a server error.

The bill, payment, attachment, supplier and bank account forms talk to the sandbox ledger: their
tests draw real choices (accounts, tax rates, bank accounts, suppliers) as often as junk, so that
the examples reach the ledger calls and the confirmation steps, not only the first validation.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from payables.bill_forms import MAX_LINES
from payables.models import BankAccount, Bill, Supplier
from payables.services.bills import expense_accounts, tax_rates_for_account
from tests.ledger_company import LedgerCompany
from tests.payables.factories import BillFactory
from tests.payables.pdfs import PNG_1PX, make_pdf
from tests.security.work import line_forms_built

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

# The client and the company are set up once per test; examples only read them, or add rows
# that later examples may see, which is what a real user's stream of requests does too.
# 30 examples a form in every run; BILLPAY_FUZZ_EXAMPLES=500 digs deeper by hand.
FUZZ = settings(
    max_examples=int(os.environ.get("BILLPAY_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=300)
junk = st.one_of(
    text,
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "-1", "0", "1e999", "NaN", "\x00", "9" * 40, "' OR 1=1 --", "<script>"]),
)


def _fields(*names: str) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, junk))


@FUZZ
@given(query=_fields("q", "status", "supplier", "due", "currency", "sort", "page"))
def test_inbox_filters_never_fail(client_logged_in: Client, company: Any, query: dict) -> None:  # type: ignore[type-arg]
    BillFactory(company=company)
    response = client_logged_in.get("/", query)
    assert response.status_code == 200
    htmx = client_logged_in.get("/", query, headers={"HX-Request": "true"})
    assert htmx.status_code == 200


@FUZZ
@given(data=_fields("name"))
def test_company_create_never_fails(client_logged_in: Client, data: dict) -> None:  # type: ignore[type-arg]
    response = client_logged_in.post("/accounts/companies/new/", data)
    assert response.status_code in {200, 302}


@FUZZ
@given(data=_fields("email", "full_name", "password1", "password2"))
def test_signup_never_fails(settings: Any, data: dict) -> None:  # type: ignore[type-arg]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    response = Client().post("/accounts/signup/", data)
    assert response.status_code in {200, 302}


@FUZZ
@given(data=_fields("username", "password", "next"))
def test_login_never_fails(data: dict) -> None:  # type: ignore[type-arg]
    response = Client().post("/accounts/login/", data, REMOTE_ADDR="192.0.2.10")
    assert response.status_code in {200, 302, 429}


@FUZZ
@given(data=_fields("platform"))
def test_platform_choice_never_fails(client_logged_in: Client, data: dict) -> None:  # type: ignore[type-arg]
    response = client_logged_in.post("/onboarding/", data)
    assert response.status_code in {200, 302}


# --- Forms backed by the ledger (bills, payments, attachments, suppliers, bank accounts) ---------

HTMX = {"HX-Request": "true"}


def _refused_with_message(response: Any) -> bool:
    """A refused form comes back with a message the user can read, beside what they typed."""
    html = response.content.decode()
    return any(mark in html for mark in ('class="errorlist', 'role="alert"', "data-form-errors"))


def _answered(response: Any, *, ok: set[int]) -> None:
    assert response.status_code in ok, (response.status_code, response.content[:500])


def _pick(data: st.DataObject, real: list[str]) -> str:
    """A real choice (a pk, a name) half the time, junk otherwise."""
    return str(data.draw(st.one_of(st.sampled_from(real), junk) if real else junk))


# What one bill form request may cost, whatever was posted: the lines a bill may have (and one
# empty form), and a bounded number of queries (the form's options, the ledger's answer).
MAX_LINE_FORMS_BUILT = MAX_LINES + 1
MAX_BILL_FORM_QUERIES = 80

BILL_FIELDS = ("new_supplier", "confirm_new_supplier", "reference", "issue_date", "due_date")
BILL_ACTIONS = ["save", "recalc", "add_line", "remove_line-0", "remove_line-1", "supplier"]


@FUZZ
@given(data=st.data())
def test_bill_form_with_line_items_never_fails(
    client_logged_in: Client, linked: LedgerCompany, data: st.DataObject
) -> None:
    company = linked.company
    supplier = Supplier.objects.for_company(company).exclude(status=Supplier.Status.ARCHIVED)[0]
    account = expense_accounts(company)[0]
    rate = tax_rates_for_account(account)[0]
    bill = Bill.objects.for_company(company).first()
    assert bill is not None
    url = data.draw(
        st.sampled_from(
            [reverse("payables:bill-create"), reverse("payables:bill-edit", args=[bill.pk])]
        )
    )
    # A bill that would be saved, with any set of its fields (none, some, all) made junk.
    lines = data.draw(st.integers(min_value=1, max_value=3))
    valid = {
        "supplier": supplier.name,
        "reference": f"FUZZ-{uuid.uuid4().hex[:8]}",
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "currency": company.base_currency,
        "token": str(uuid.uuid4()),
        "action": data.draw(st.sampled_from(BILL_ACTIONS)),
        "lines-TOTAL_FORMS": str(lines),
        "lines-INITIAL_FORMS": "0",
    }
    for n in range(lines):
        valid |= {
            f"lines-{n}-description": "Paper",
            f"lines-{n}-quantity": "2",
            f"lines-{n}-unit_amount": "12.50",
            f"lines-{n}-account": str(account.pk),
            f"lines-{n}-tax_rate": str(rate.pk),
        }
    junked = data.draw(st.sets(st.sampled_from(sorted(valid))))
    post = {name: data.draw(junk) if name in junked else value for name, value in valid.items()}
    post |= data.draw(_fields(*BILL_FIELDS[:2], "document", "document_total"))
    if "lines-TOTAL_FORMS" not in junked and data.draw(st.booleans()):
        # A count far beyond the lines posted: the work done must stay bounded.
        post["lines-TOTAL_FORMS"] = str(data.draw(st.integers(min_value=4, max_value=10**7)))
    action = post["action"]

    for headers in ({}, HTMX):
        with line_forms_built() as built, CaptureQueriesContext(connection) as queries:
            response = client_logged_in.post(url, post, headers=headers)
        _answered(response, ok={200, 302, 400})
        assert built[0] <= MAX_LINE_FORMS_BUILT, (built[0], post["lines-TOTAL_FORMS"])
        assert len(queries) <= MAX_BILL_FORM_QUERIES, len(queries)
        saved = response.status_code == 302 or "HX-Redirect" in response
        event(f"{action if action in BILL_ACTIONS else 'junk'} -> saved: {saved}")
        if action == "save" and not saved:
            assert _refused_with_message(response), response.content[:2000]


@FUZZ
@given(data=st.data())
def test_pay_form_review_and_confirm_never_fail(
    client: Client, user: Any, paying: LedgerCompany, data: st.DataObject
) -> None:
    client.force_login(user)
    bill = data.draw(st.sampled_from(paying.bills()))
    bank = BankAccount.objects.for_company(paying.company).filter(currency=bill.currency).first()
    assert bank is not None
    # A payment that would go through, with any set of its fields (none, some, all) made junk.
    valid = {
        "bank_account": str(bank.pk),
        "amount": data.draw(st.sampled_from([str(bill.amount_due), "0.01", "1.00"])),
        "paid_on": dt.date.today().isoformat(),
        "currency_rate": "",
        "reference": "Fuzzed",
        "idempotency_key": str(uuid.uuid4()),
        "amount_due": str(bill.amount_due),
    }
    junked = data.draw(st.sets(st.sampled_from(sorted(valid))))
    post = {name: data.draw(junk) if name in junked else value for name, value in valid.items()}
    # The review step, then the confirmation of what it showed (or of junk).
    step = data.draw(st.sampled_from(["review", "confirm", "edit"]))
    if step != "review":
        post[step] = "1"

    for headers in ({}, HTMX):
        response = client.post(reverse("payables:bill-pay", args=[bill.pk]), post, headers=headers)
        _answered(response, ok={200, 302, 400})
        html = response.content.decode()
        reached = re.search(r'data-(?:step|result)="([a-z]+)"', html)
        event(f"{step} -> {response.status_code} {reached.group(1) if reached else ''}")
        if response.status_code == 200 and 'data-step="form"' in html and step != "edit":
            assert _refused_with_message(response), html[:2000]
    _answered(
        client.get(
            reverse("payables:bill-pay", args=[bill.pk]), {"bank_account": post["bank_account"]}
        ),
        ok={200},
    )


names = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        ["", ".", "..", "../../etc/passwd", "a.pdf", "a.PNG", "x" * 300 + ".pdf", "é.jpg"]
    ),
)
contents = st.one_of(
    st.binary(max_size=2048),
    st.sampled_from([b"", make_pdf(["x"]), PNG_1PX, b"%PDF-1.4 not really", b"\x89PNG"]),
)
content_types = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["application/pdf", "image/png", "application/octet-stream", ""]),
)


@FUZZ
@given(files=st.lists(st.tuples(names, contents, content_types), max_size=3), htmx=st.booleans())
def test_attachment_upload_never_fails(
    client_logged_in: Client, linked: LedgerCompany, files: list[tuple[str, bytes, str]], htmx: bool
) -> None:
    bill = Bill.objects.for_company(linked.company).first()
    assert bill is not None
    uploads = []
    for name, content, kind in files:
        upload = SimpleUploadedFile("x", content, content_type=kind.replace("\x00", ""))
        # Any name a browser might send, past the test's own file-name checks.
        upload._name = name.replace("\x00", "")  # type: ignore[attr-defined]
        uploads.append(upload)
    url = reverse("payables:attachment-upload", args=[bill.pk])
    response = client_logged_in.post(url, {"files": uploads}, headers=HTMX if htmx else {})
    if htmx:
        _answered(response, ok={200, 400})
    else:
        _answered(response, ok={302})
        # What was refused is said on the page the user lands on.
        page = client_logged_in.get(response["Location"])
        _answered(page, ok={200})


SUPPLIER_FIELDS = ("name", "contact_name", "email_address", "phone", "default_currency")


@FUZZ
@given(data=st.data())
def test_supplier_form_never_fails(
    client_logged_in: Client, linked: LedgerCompany, data: st.DataObject
) -> None:
    supplier = Supplier.objects.for_company(linked.company).first()
    assert supplier is not None
    url = data.draw(
        st.sampled_from(
            [
                reverse("payables:supplier-create"),
                reverse("payables:supplier-edit", args=[supplier.pk]),
            ]
        )
    )
    post: dict[str, str] = data.draw(_fields(*SUPPLIER_FIELDS))
    for headers in ({}, HTMX):
        response = client_logged_in.post(url, post, headers=headers)
        _answered(response, ok={200, 302, 400})
        if response.status_code != 302 and "HX-Redirect" not in response:
            assert _refused_with_message(response), response.content[:2000]


BANK_FIELDS = (
    "name",
    "account_type",
    "account_number",
    "sort_code",
    "nominal_code",
    "currency",
    "idempotency_key",
    "next",
)


@FUZZ
@given(data=st.data())
def test_bank_account_form_never_fails(
    client: Client, user: Any, paying: LedgerCompany, data: st.DataObject
) -> None:
    client.force_login(user)
    bills = [str(b.pk) for b in paying.bills()]
    query = {"bill": _pick(data, bills)} if data.draw(st.booleans()) else {}
    post: dict[str, str] = data.draw(_fields(*BANK_FIELDS))
    post["account_type"] = _pick(data, ["Debit", "Credit"])
    post["currency"] = _pick(data, ["GBP", "eur"])
    url = reverse("payables:bank-account-create")
    for headers in ({}, HTMX):
        response = client.post(f"{url}?{urlencode(query)}", post, headers=headers)
        _answered(response, ok={200, 302, 400, 404})
        html = response.content.decode()
        if response.status_code == 200 and "bank-account" in html and "data-step" not in html:
            assert _refused_with_message(response), html[:2000]
