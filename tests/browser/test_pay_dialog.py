"""The pay dialog in a real browser: htmx opens it, reviews, confirms and shows the result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from codat.money import input_amount
from payables.models import Bill, Payment
from tests.ledger_company import LedgerCompany

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(databases=["default", "sandbox"], transaction=True),
]


@pytest.fixture
def page(live_server: Any, user: Any, chromium: Any) -> Iterator[Any]:
    """A logged-in page of the session's Chromium (tests/browser/conftest.py)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(bypass_csp=True)  # the journey tests check the CSP
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    yield context.new_page()
    context.close()


def test_pay_from_the_inbox_in_the_dialog(
    page: Any, live_server: Any, paying: LedgerCompany
) -> None:
    bill = paying.bill("GBP")

    page.goto(f"{live_server.url}/")
    page.click(f'tr[data-bill="{bill.pk}"] a[data-pay-link]')
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert page.url == f"{live_server.url}/"  # a dialog, not a new page
    assert dialog.locator('input[name="amount"]').input_value() == input_amount(
        bill.amount_due, bill.currency
    )
    dialog.locator('select[name="bank_account"]').select_option(str(paying.bank("GBP").pk))
    dialog.locator('input[name="amount"]').fill("5.00")
    dialog.locator('button:has-text("Review payment")').click()
    page.locator('dialog[open] [data-step="confirm"]').wait_for()
    assert "5.00 GBP (partial" in page.locator("dialog[open]").inner_text()
    page.locator('dialog[open] button[name="confirm"]').click()
    page.locator('dialog[open] [data-result="succeeded"]').wait_for()

    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert Bill.objects.get(pk=bill.pk).status == Bill.Status.PARTIALLY_PAID
    page.locator("dialog[open] button[data-dialog-close]").click()
    page.wait_for_function("document.querySelectorAll('dialog').length === 0")  # removed on close


def test_add_a_bank_account_from_the_dialog(
    page: Any, live_server: Any, paying: LedgerCompany
) -> None:
    bill = paying.bill("GBP")

    page.goto(f"{live_server.url}/bills/{bill.pk}/")
    page.click("a[data-pay-link]")
    page.locator("dialog[open]").wait_for()
    page.locator('dialog[open] a:has-text("Add a bank account")').click()
    page.locator("dialog[open] #bank-account-title").wait_for()
    page.fill('dialog[open] input[name="name"]', "Payroll account")
    page.fill('dialog[open] input[name="account_number"]', "0120 0440")
    page.fill('dialog[open] input[name="currency"]', "GBP")
    page.locator('dialog[open] button:has-text("Add bank account")').click()
    page.locator('dialog[open] [data-step="form"]').wait_for()

    chosen = page.locator('dialog[open] select[name="bank_account"] option:checked').inner_text()
    assert chosen == "Payroll account (GBP)"
