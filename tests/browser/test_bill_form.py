"""The create-bill form and the attachments section in a real browser (chromium, Playwright):
totals follow the typing, a line is added with htmx, a dropped file uploads with htmx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from payables.models import Attachment, Bill
from tests.ledger_company import LedgerCompany
from tests.payables.pdfs import make_pdf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]


@pytest.fixture
def page(linked: LedgerCompany, user, chromium, live_server) -> Iterator[Any]:
    """A logged-in page of the session's Chromium (tests/browser/conftest.py)."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    # The journey tests check the CSP; these drive the form with wait_for_function (an eval).
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True)
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def choose_account(page, linked: LedgerCompany) -> None:
    # Choosing an account swaps in the tax rates valid for it: wait for them before picking one.
    with page.expect_response("**/bills/tax-rates/**"):
        page.select_option("#id_lines-0-account", str(linked.account("461").pk))


def test_totals_follow_typing_and_lines_are_added_with_htmx(page, linked: LedgerCompany) -> None:
    page.goto("/bills/new/")
    choose_account(page, linked)
    page.select_option("#id_lines-0-tax_rate", str(linked.tax_rate("INPUT2").pk))
    page.fill("#id_lines-0-unit_amount", "50")
    page.fill("#id_lines-0-quantity", "2")

    page.wait_for_function("document.querySelector('[data-total]').textContent.includes('120.00')")
    assert page.text_content("[data-tax]") == "20.00"

    page.click("button[value=add_line]")
    page.wait_for_selector("tr[data-line='1']")
    assert page.input_value("#id_lines-0-unit_amount") == "50"

    page.fill("#id_lines-1-unit_amount", "7")
    page.click("button[value=recalc]")
    page.wait_for_function(
        "document.querySelector('[data-subtotal]').textContent.includes('107.00')"
    )
    assert page.locator("#bill-form").count() == 1

    # Leaving the field fires a recompute of its own; let it land before the next click.
    page.wait_for_load_state("networkidle")
    page.click("button[value=remove_line-0]")
    page.wait_for_selector("tr[data-line='1']", state="detached")
    assert page.input_value("#id_lines-0-unit_amount") == "7"


def test_a_tax_rate_chosen_while_its_options_reload_is_kept(page, linked: LedgerCompany) -> None:
    """A person picks the account, then the tax rate at once: the rates valid for the account
    answer after the choice and must not wipe it (it was: saving then failed with "Please select
    an item in the list")."""
    held: list[Any] = []
    # Hold the answer until the rate is picked, as a slow network does.
    page.route("**/bills/tax-rates/**", lambda route: held.append(route))
    page.goto("/bills/new/")
    page.fill("#id_supplier", linked.supplier().name)
    page.fill("#id_reference", "BROWSER-RACE")
    page.fill("#id_lines-0-unit_amount", "10")
    page.select_option("#id_lines-0-account", str(linked.account("461").pk))
    while not held:
        page.wait_for_timeout(20)
    rate = linked.tax_rate("INPUT2")
    page.select_option("#id_lines-0-tax_rate", str(rate.pk))

    with page.expect_response("**/bills/tax-rates/**"):
        held[0].continue_()
    page.wait_for_load_state("networkidle")

    assert page.input_value("#id_lines-0-tax_rate") == str(rate.pk)
    page.click("button[value=save]")
    page.wait_for_url(re.compile(r"/bills/\d+/$"))
    line = Bill.objects.get(reference="BROWSER-RACE").line_items.get()
    assert line.tax_rate_codat_id == rate.codat_id


def test_a_bill_is_created_from_the_browser(page, linked: LedgerCompany) -> None:
    page.goto("/bills/new/")
    page.fill("#id_supplier", linked.supplier().name)
    page.fill("#id_reference", "BROWSER-1")
    choose_account(page, linked)
    page.select_option("#id_lines-0-tax_rate", str(linked.tax_rate("INPUT2").pk))
    page.fill("#id_lines-0-unit_amount", "10")

    page.click("button[value=save]")

    page.wait_for_url(re.compile(r"/bills/\d+/$"))
    bill = Bill.objects.get(reference="BROWSER-1")
    assert page.url.endswith(f"/bills/{bill.pk}/")


def test_files_upload_from_the_attachments_section(page, linked: LedgerCompany) -> None:
    bill = Bill.objects.for_company(linked.company).first()
    assert bill is not None
    page.goto(f"/bills/{bill.pk}/")

    page.set_input_files(
        "[data-dropzone] input[type=file]",
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": make_pdf(["x"])}],
    )
    page.click("[data-dropzone] button[type=submit]")

    page.wait_for_selector("tr[data-sync=synced]")
    assert Attachment.objects.get(bill=bill).name == "invoice.pdf"
    assert "invoice.pdf" in page.text_content("#attachments")


def test_a_dropped_file_uploads(page, linked: LedgerCompany) -> None:
    bill = Bill.objects.for_company(linked.company).first()
    assert bill is not None
    page.goto(f"/bills/{bill.pk}/")
    transfer = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["%PDF-1.4 dropped"], "dropped.pdf", {type: "application/pdf"}));
            return transfer;
        }"""
    )

    page.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": transfer})

    page.wait_for_selector("tr[data-sync=synced]")
    assert Attachment.objects.get(bill=bill).name == "dropped.pdf"
