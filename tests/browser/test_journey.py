"""The journey so far in a real browser: sign up, create the company, connect on the ledger's
consent page, watch the import, then find bills in the inbox and open one. Once with JavaScript
and once without (every page must still work: progressive enhancement).

Screenshots, axe results and journey.json land in var/browser-artifacts/<test>/ (or under
$BILLPAY_BROWSER_ARTIFACTS).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import Company, Connection, User
from codat.platforms import rules_for
from payables.models import (
    Attachment,
    BankAccount,
    Bill,
    ImportRun,
    MappingStatus,
    Payment,
    PaymentEvent,
    Supplier,
)
from tests.browser import journey as steps
from tests.browser.journey import Journey
from tests.payables.pdfs import PNG_1PX, make_pdf

PASSWORD = "a-long-password-1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]


def _run_journey_so_far(
    journey: Journey, *, email: str, tmp_path: Path, platform: str = "gbol"
) -> None:
    steps.open_signup(journey)
    steps.sign_up(journey, email=email, full_name="Ada Lovelace", password=PASSWORD)
    steps.create_company(journey, name="Lovelace Engines Ltd")
    company = Company.objects.get(memberships__user__email=email)
    steps.pick_platform(journey, name=rules_for(platform).name)
    steps.allow_access(journey)
    steps.watch_import(journey)

    run = ImportRun.objects.get(company=company)
    assert run.status == ImportRun.Status.SUCCEEDED
    company.refresh_from_db()  # the import read its base currency
    unpaid = list(Bill.objects.for_company(company).unpaid())
    assert len(unpaid) == run.bills_imported > 0

    supplier, count = Counter(b.supplier_name for b in unpaid).most_common(1)[0]
    steps.filter_inbox_by_supplier(journey, supplier=supplier, expected_rows=count)
    steps.clear_filters(journey)

    # A bill in the base currency (paid without a rate) whose reference no other bill's
    # searchable text contains, so that searching for it finds exactly that bill.
    bill = next(
        b
        for b in unpaid
        if b.currency == company.base_currency
        and b.reference
        and sum(b.reference.lower() in other.search_text for other in unpaid) == 1
    )
    steps.search_inbox(journey, text=bill.reference, expected_rows=1)
    steps.open_bill(journey, supplier=bill.supplier_name, reference=bill.reference)

    # A bill from a PDF with a text layer: the form proposes its supplier, number, dates, total.
    pdf = tmp_path / "lovelace-invoice.pdf"
    pdf.write_bytes(
        make_pdf(
            [
                supplier,
                "Invoice No: JOURNEY-77",
                "Invoice date: 2026-03-02",
                "Due date: 01/04/2026",
                "Total due: 240.00",
            ]
        )
    )
    # In the supplier's currency, as the user knows it: QuickBooks Online refuses any other.
    currency = (
        Supplier.objects.for_company(company).get(name=supplier).default_currency
        or company.base_currency
    )
    steps.create_bill_from_pdf(journey, pdf=pdf, reference="JOURNEY-77", currency=currency)
    created = Bill.objects.for_company(company).get(reference="JOURNEY-77")
    assert (created.supplier_name, created.currency) == (supplier, currency)
    assert created.attachments.count() == 1  # the document itself

    receipt = tmp_path / "delivery-note.png"
    receipt.write_bytes(PNG_1PX)
    steps.attach_file(journey, path=receipt)
    assert created.attachments.filter(
        name="delivery-note.png", sync_status=Attachment.SyncStatus.SYNCED
    ).exists()

    # Pay part of the bill found above from its inbox row, then the rest from its page.
    bank = BankAccount.objects.for_company(company).filter(
        status=MappingStatus.ACTIVE, currency=bill.currency
    )[0]
    part = (bill.amount_due / 2).quantize(Decimal("0.01"))
    steps.pay_part_from_inbox(
        journey, reference=bill.reference, bank_account=str(bank), amount=str(part)
    )
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PARTIALLY_PAID
    steps.pay_the_rest(journey, bank_account=str(bank))
    bill.refresh_from_db()
    assert (bill.status, bill.amount_due) == (Bill.Status.PAID, 0)
    assert Payment.objects.filter(bill=bill, status=Payment.Status.SUCCEEDED).count() == 2
    steps.paid_bill_left_the_inbox(journey, reference=bill.reference)

    steps.search_suppliers(journey, text=supplier[:5], expected=supplier)
    steps.refresh_now(journey)
    assert ImportRun.objects.filter(
        company=company, kind=ImportRun.Kind.REFRESH, status=ImportRun.Status.SUCCEEDED
    ).exists()

    steps.log_out(journey)
    steps.log_in(journey, email=email, password=PASSWORD)


# On a phone's screen too (390 px): the Menu button, tables in their own scrolling regions. Xero
# on every screen, with and without JavaScript; QuickBooks Online (a 21-character reference, its
# own tax codes, a bill in its supplier's currency) on the desktop screen with JavaScript only,
# to keep CI's time down.
@pytest.mark.parametrize(
    ("journey", "platform"),
    [("desktop", "gbol"), ("phone", "gbol"), ("desktop", "qhyg")],
    indirect=["journey"],
)
def test_the_journey_so_far(journey: Journey, platform: str, tmp_path: Path) -> None:
    _run_journey_so_far(journey, email="ada@example.com", tmp_path=tmp_path, platform=platform)
    connection = Connection.objects.get(company__memberships__user__email="ada@example.com")
    assert (connection.platform_key, connection.status) == (platform, Connection.Status.LINKED)

    assert User.objects.filter(email="ada@example.com").exists()
    # Every page of the journey was checked by axe; the results are files CI keeps.
    assert len(list(journey.folder.glob("*.axe.json"))) == len(journey.steps) >= 30
    assert len(list(journey.folder.glob("*.png"))) == len(journey.steps)


def test_the_journey_so_far_without_javascript(journey_without_js: Journey, tmp_path: Path) -> None:
    _run_journey_so_far(journey_without_js, email="ada.nojs@example.com", tmp_path=tmp_path)

    assert len(list(journey_without_js.folder.glob("*.png"))) == len(journey_without_js.steps)


def test_a_violation_fails_the_step_it_happens_in(journey: Journey) -> None:
    """The journey's checks can fail: an inline style is a CSP violation, an image without alt
    text an accessibility one."""
    journey.page.goto(journey.url("/accounts/login/"))
    journey.page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )

    with pytest.raises(AssertionError, match="CSP violation") as failure:
        journey.checkpoint("csp-control")
    assert "style-src" in str(failure.value)

    # And an image without a text alternative is a critical axe violation.
    journey.page.evaluate(
        """() => { const img = document.createElement("img");
                   img.src = "/static/favicon.svg"; document.querySelector("main").append(img); }"""
    )
    with pytest.raises(AssertionError, match="axe critical: image-alt"):
        journey.checkpoint("axe-control")

    # And a request of the app's own that does not complete fails its step too.
    journey.page.route("**/static/favicon.svg*", lambda route: route.abort())
    journey.page.evaluate("() => fetch('/static/favicon.svg?control').catch(() => null)")
    with pytest.raises(AssertionError, match=r"request failed: GET http://.*favicon\.svg"):
        journey.checkpoint("request-control")


def test_staff_in_the_admin(journey: Journey) -> None:
    """Staff's pages meet the same bar: no CSP violation, no console error, no serious axe issue."""
    from tests.accounts.factories import UserFactory
    from tests.payables.factories import (
        BillFactory,
        ImportRunFactory,
        PaymentEventFactory,
        PaymentFactory,
    )

    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True, password=PASSWORD)
    bill = BillFactory(reference="INV-2041")

    steps.admin_log_in(journey, email="staff@example.com", password=PASSWORD)
    steps.admin_open(journey, link="Bills", name="admin-bills")
    steps.admin_open(journey, link=str(bill), name="admin-bill")
    journey.page.goto(journey.url("/admin/"))
    steps.admin_open(journey, link="Faults", name="admin-faults")

    # The payments' pages, their audit log, the sync runs and the suppliers: lists and a row each.
    payment = PaymentFactory(
        company=bill.company,
        bill=bill,
        bank_account__codat_id="bank-1",
        bank_account__name="Current account",
        amount=Decimal("10.00"),
        paid_on=bill.issue_date,
        status=Payment.Status.SUCCEEDED,
        codat_id="payment-1",
    )
    PaymentEventFactory(payment=payment, kind=PaymentEvent.Kind.SUCCEEDED)
    ImportRunFactory(
        company=bill.company, kind=ImportRun.Kind.REFRESH, status=ImportRun.Status.SUCCEEDED
    )
    for changelist, name in (
        ("Payments", "admin-payment"),
        ("Payment events", "admin-payment-event"),
        ("Import runs", "admin-sync-run"),
        ("Suppliers", "admin-supplier"),
    ):
        journey.page.goto(journey.url("/admin/"))
        steps.admin_open(journey, link=changelist, name=f"{name}s")
        steps.admin_open_first_row(journey, name=name)
