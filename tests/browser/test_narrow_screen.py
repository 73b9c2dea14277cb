"""Every page at a phone's width (390 CSS px): no document wider than the viewport, the navigation
collapses behind a Menu button, the tables scroll inside their own labelled region, dialogs fit."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from payables.models import Bill, ImportRun, Payment, Supplier
from tests.ledger_company import LedgerCompany
from tests.payables.factories import PaymentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(databases=["default", "sandbox"], transaction=True),
]

PHONE = {"width": 390, "height": 844}
# The elements that stick out past the viewport's right edge, outermost first, to say why a page
# is too wide.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && !el.closest("[data-scroll-region]") && out.length < 5) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className} ${Math.round(box.right)}`);
    }
  }
  return out;
}"""


def _context(chromium: Any, live_server: Any, user: Any | None, *, javascript: bool = True) -> Any:
    context = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


@pytest.fixture
def paying(paying: LedgerCompany) -> LedgerCompany:
    """The shared paying company, with one payment recorded (the payments page has a row)."""
    bill = paying.bill("GBP")
    PaymentFactory(
        company=paying.company,
        bill=bill,
        bank_account=paying.bank(bill.currency),
        amount=Decimal("10.00"),
        paid_on=bill.issue_date,
        status=Payment.Status.SUCCEEDED,
        codat_id="payment-narrow-1",
    )
    return paying


@pytest.fixture
def phone(chromium: Any, live_server: Any, user: Any, paying: LedgerCompany) -> Iterator[Any]:
    context = _context(chromium, live_server, user)
    yield context.new_page()
    context.close()


def _signed_in_pages(paying: LedgerCompany) -> list[str]:
    company = paying.company
    bill = Bill.objects.for_company(company).unpaid().first()
    supplier = Supplier.objects.for_company(company).first()
    run = ImportRun.objects.filter(company=company).first()
    assert bill is not None
    assert supplier is not None
    assert run is not None
    return [
        reverse("payables:bill-list"),
        reverse("payables:bill-list") + "?status=paid",
        reverse("payables:bill-detail", args=[bill.pk]),
        reverse("payables:bill-pay", args=[bill.pk]),
        reverse("payables:bill-create"),
        reverse("payables:bill-edit", args=[bill.pk]),
        reverse("payables:supplier-list"),
        reverse("payables:supplier-detail", args=[supplier.pk]),
        reverse("payables:supplier-create"),
        reverse("payables:supplier-edit", args=[supplier.pk]),
        reverse("payables:sync-health"),
        reverse("payables:payment-list"),
        reverse("payables:bank-account-create"),
        reverse("payables:import-progress", args=[run.pk]),
        reverse("accounts:company-settings"),
        reverse("accounts:invitation-list"),
        reverse("accounts:company-create"),
        reverse("accounts:password-change"),
        reverse("accounts:onboarding-platform"),
        "/no-such-page/",
    ]


def _too_wide(page: Any, paths: list[str]) -> list[str]:
    """Each page wider than the phone, with what sticks out."""
    found = []
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            found.append(f"{path} is {width} px wide: {page.evaluate(OVERFLOWING)}")
    return found


def test_every_signed_in_page_fits_a_phone(phone: Any, paying: LedgerCompany) -> None:
    too_wide = _too_wide(phone, _signed_in_pages(paying))
    assert not too_wide, "\n".join(too_wide)


def test_every_signed_out_page_fits_a_phone(chromium: Any, live_server: Any, db: Any) -> None:
    context = _context(chromium, live_server, None)
    page = context.new_page()
    try:
        paths = [
            reverse(n) for n in ("accounts:login", "accounts:signup", "accounts:password-reset")
        ]
        too_wide = _too_wide(page, paths)
        assert not too_wide, "\n".join(too_wide)
    finally:
        context.close()


def test_the_navigation_folds_behind_a_menu_button(phone: Any) -> None:
    phone.goto("/")
    menu = phone.get_by_role("button", name="Menu")
    payments = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Payments")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not payments.is_visible()

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    payments.click()
    phone.wait_for_url("**/payments/")

    phone.get_by_role("button", name="Menu").click()
    phone.keyboard.press("Escape")
    assert phone.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.dataset.menuButton") == ""


def test_a_wide_screen_shows_the_navigation_without_a_menu(phone: Any) -> None:
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.goto("/")
    assert not phone.get_by_role("button", name="Menu").is_visible()
    assert phone.get_by_role("link", name="Payments").is_visible()


def test_without_javascript_the_navigation_wraps_and_fits(
    chromium: Any, live_server: Any, user: Any, paying: LedgerCompany
) -> None:
    context = _context(chromium, live_server, user, javascript=False)
    page = context.new_page()
    try:
        assert _too_wide(page, ["/", reverse("payables:payment-list")]) == []
        assert page.get_by_role("link", name="Payments").is_visible()
        assert page.locator("[data-menu-button]").is_hidden()  # no button that cannot work
    finally:
        context.close()


def test_the_inbox_scrolls_inside_its_own_labelled_region(phone: Any) -> None:
    phone.goto("/")
    region = phone.get_by_role("region", name="Bills")
    assert region.get_attribute("tabindex") == "0"  # reachable by keyboard to scroll it
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_pay_dialog_fits_a_phone(phone: Any, paying: LedgerCompany) -> None:
    bill = paying.bill("GBP")
    phone.goto("/")
    phone.click(f'tr[data-bill="{bill.pk}"] a[data-pay-link]')
    dialog = phone.locator("dialog[open]")
    dialog.wait_for()

    box = dialog.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert dialog.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
