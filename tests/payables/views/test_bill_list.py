from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Connection
from payables.models import Bill, ImportRun
from tests.accounts.factories import CompanyFactory, MembershipFactory
from tests.payables.factories import (
    AttachmentFactory,
    BillFactory,
    BillLineItemFactory,
    ImportRunFactory,
    SupplierFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = dt.date(2026, 3, 15)
URL = "/"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def refs(response) -> list[str]:
    """The references of the listed bills, in order."""
    return refs_in(response.text)


def refs_in(html: str) -> list[str]:
    cells = re.findall(r'<tr data-bill="\d+">.*?<td>.*?</td>\s*<td>(.*?)</td>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell) for cell in cells]


def bill(company, **kwargs):
    kwargs.setdefault("issue_date", days(-30))
    return BillFactory(company=company, **kwargs)


# --- the page ---------------------------------------------------------------------------------


def test_it_lists_unpaid_bills_with_their_columns(client_logged_in, company):
    supplier = SupplierFactory(company=company, name="Northwind Traders")
    b = bill(
        company,
        supplier=supplier,
        reference="INV-42",
        issue_date=dt.date(2026, 2, 1),
        due_date=days(-3),
        total_amount=Decimal("1200.00"),
        amount_due=Decimal("450.5"),
        status=Bill.Status.PARTIALLY_PAID,
        currency="EUR",
    )
    AttachmentFactory(company=company, bill=b, name="a.pdf", content=None)
    AttachmentFactory(company=company, bill=b, name="b.pdf", content=None)
    response = client_logged_in.get(URL)
    assert response.status_code == 200
    html = response.text
    assert "Northwind Traders" in html
    assert "INV-42" in html
    assert "1 Feb 2026" in html
    assert "12 Mar 2026" in html
    assert "450.50" in html
    assert "of 1,200.00" in html
    assert "EUR" in html
    assert "Partially paid" in html
    assert "Overdue 3d" in html
    assert "📎 2" in html
    assert reverse("payables:bill-detail", args=[b.pk]) in html


def test_it_leaves_out_paid_void_and_draft_bills(client_logged_in, company):
    bill(company, reference="OPEN-1")
    for status in (Bill.Status.PAID, Bill.Status.VOID, Bill.Status.DRAFT):
        bill(company, reference=f"GONE-{status}", status=status)
    assert refs(client_logged_in.get(URL)) == ["OPEN-1"]


def test_it_never_lists_another_companys_bills(client_logged_in, company, other_company):
    bill(company, reference="MINE")
    bill(other_company, reference="THEIRS", supplier__name="Their Supplier")
    response = client_logged_in.get(URL)
    assert refs(response) == ["MINE"]
    assert "THEIRS" not in response.text
    assert "Their Supplier" not in response.text


def test_it_lists_the_active_company_only(client, user, company):
    second = CompanyFactory(name="Zeta Ltd")
    MembershipFactory(user=user, company=second)
    bill(company, reference="ACME")
    bill(second, reference="ZETA")
    client.force_login(user)
    session = client.session
    session["active_company_id"] = second.pk
    session.save()
    assert client.get(URL).status_code == 302  # Zeta has no linked connection: onboarding
    second.connections.create(
        codat_connection_id="c", platform_key="gbol", platform_name="Xero",
        status=Connection.Status.LINKED, link_url="http://x/",
    )  # fmt: skip
    assert refs(client.get(URL)) == ["ZETA"]


def test_it_puts_overdue_first_then_by_due_date(client_logged_in, company):
    bill(company, reference="LATER", due_date=days(40))
    bill(company, reference="SOON", due_date=days(2))
    bill(company, reference="VERY-LATE", due_date=days(-100))
    bill(company, reference="TODAY", due_date=days(0))
    bill(company, reference="LATE", due_date=days(-1))
    assert refs(client_logged_in.get(URL)) == ["VERY-LATE", "LATE", "TODAY", "SOON", "LATER"]


def test_anonymous_goes_to_login(client, company):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_gets_405(client_logged_in, method):
    assert getattr(client_logged_in, method)(URL).status_code == 405


def test_htmx_request_gets_only_the_table(client_logged_in, company):
    bill(company, reference="INV-1")
    response = client_logged_in.get(URL, {"status": "Open"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="bill-table"')
    assert "INV-1" in response.text
    assert "<svg" not in response.text


def test_htmx_history_restore_gets_the_whole_page(client_logged_in, company):
    bill(company, reference="INV-1")
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client_logged_in.get(URL, headers=headers)
    assert "<html" in response.text
    assert "<svg" in response.text
    assert "HX-Request" in response["Vary"]


def test_the_page_wires_htmx_on_one_container_and_keeps_plain_links(client_logged_in, company):
    bill(company)
    html = client_logged_in.get(URL).text
    assert html.count('hx-target="#bill-table"') == 1
    assert html.count('hx-push-url="true"') == 1
    assert '<form id="inbox-filters" class="card inbox-filters" method="get" action="/"' in html
    for link in re.findall(r"<a [^>]*hx-get=[^>]*>", html):
        assert "href=" in link


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"sort": "password"}, "Ignored the sort filter"),
        ({"status": "Void"}, "Ignored the status filter"),
        ({"due": "yesterday"}, "Ignored the due filter"),
        ({"supplier": "abc"}, "Ignored the supplier filter"),
        ({"currency": "€€"}, "Ignored the currency filter"),
        ({"page": "abc"}, "Ignored the page number"),
        ({"page": "0"}, "There is no page 0"),
        ({"page": "99"}, "There is no page 99: showing the last page, 1."),
    ],
)
def test_junk_input_is_ignored_with_a_message(client_logged_in, company, params, note):
    bill(company, reference="INV-1")
    for headers in ({}, {"HX-Request": "true"}):
        response = client_logged_in.get(URL, params, headers=headers)
        assert response.status_code == 200
        assert note in response.text
        assert refs(response) == ["INV-1"]


def test_junk_keeps_the_valid_filters(client_logged_in, company):
    bill(company, reference="OPEN", status=Bill.Status.OPEN)
    bill(company, reference="PART", status=Bill.Status.PARTIALLY_PAID)
    response = client_logged_in.get(URL, {"status": "PartiallyPaid", "sort": "nope", "q": "pa"})
    assert refs(response) == ["PART"]
    assert 'value="pa"' in response.text  # the search box keeps what was typed


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def mixed(company):
    acme = SupplierFactory(company=company, name="Acme Paper")
    bolt = SupplierFactory(company=company, name="Bolt Logistics")
    bill(company, reference="A-OVERDUE", supplier=acme, due_date=days(-5))
    bill(company, reference="A-WEEK", supplier=acme, due_date=days(7), currency="EUR")
    bill(company, reference="B-MONTH", supplier=bolt, due_date=days(20),
         status=Bill.Status.PARTIALLY_PAID)  # fmt: skip
    bill(company, reference="B-LATER", supplier=bolt, due_date=days(31), currency="EUR")
    bill(company, reference="B-TODAY", supplier=bolt, due_date=days(0))
    return {"acme": acme, "bolt": bolt}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "Open"}, ["A-OVERDUE", "B-TODAY", "A-WEEK", "B-LATER"]),
        ({"status": "PartiallyPaid"}, ["B-MONTH"]),
        ({"due": "overdue"}, ["A-OVERDUE"]),
        ({"due": "next-7"}, ["B-TODAY", "A-WEEK"]),
        ({"due": "next-30"}, ["B-TODAY", "A-WEEK", "B-MONTH"]),
        ({"due": "later"}, ["B-LATER"]),
        ({"currency": "EUR"}, ["A-WEEK", "B-LATER"]),
        ({"currency": "eur"}, ["A-WEEK", "B-LATER"]),
        ({"currency": "USD"}, []),
        ({"status": "Open", "currency": "EUR", "due": "next-30"}, ["A-WEEK"]),
        ({"status": "Open", "due": "overdue", "currency": "GBP"}, ["A-OVERDUE"]),
    ],
)
def test_filters(client_logged_in, mixed, params, expected):
    assert refs(client_logged_in.get(URL, params)) == expected


def test_supplier_filter_and_combination(client_logged_in, mixed):
    bolt = mixed["bolt"].pk
    assert refs(client_logged_in.get(URL, {"supplier": bolt})) == ["B-TODAY", "B-MONTH", "B-LATER"]
    assert refs(client_logged_in.get(URL, {"supplier": bolt, "currency": "EUR"})) == ["B-LATER"]
    assert refs(client_logged_in.get(URL, {"supplier": bolt, "due": "next-7", "q": "today"})) == [
        "B-TODAY"
    ]


def test_supplier_select_offers_only_suppliers_with_unpaid_bills(
    client_logged_in, company, other_company
):
    bill(company, supplier__name="Has Unpaid")
    bill(company, supplier__name="All Paid", status=Bill.Status.PAID)
    SupplierFactory(company=company, name="No Bills")
    SupplierFactory(company=other_company, name="Not Ours")
    bill(other_company, supplier__name="Theirs Unpaid")
    html = client_logged_in.get(URL).text
    select = re.search(r'<select name="supplier".*?</select>', html, re.S)
    assert select is not None
    assert "Has Unpaid" in select.group()
    for name in ("All Paid", "No Bills", "Not Ours", "Theirs Unpaid"):
        assert name not in select.group()


def test_another_companys_supplier_matches_nothing(client_logged_in, company, other_company):
    bill(company)
    theirs = bill(other_company)
    response = client_logged_in.get(URL, {"supplier": theirs.supplier_id})
    assert refs(response) == []
    assert "No bills match these filters" in response.text


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("northwind", ["REF-1"]),
        ("NORTH", ["REF-1"]),
        ("ref-2", ["REF-2"]),
        ("blue widgets", ["REF-2"]),
        ("nothing like it", []),
    ],
)
def test_search_over_supplier_reference_and_lines(client_logged_in, company, q, expected):
    bill(company, reference="REF-1", supplier__name="Northwind", due_date=days(1))
    second = bill(company, reference="REF-2", supplier__name="Contoso", due_date=days(2),
                  search_text="contoso ref-2 blue widgets")  # fmt: skip
    BillLineItemFactory(bill=second, description="Blue widgets")
    assert refs(client_logged_in.get(URL, {"q": q})) == expected


def test_no_match_says_so_with_a_clear_link(client_logged_in, company):
    bill(company)
    response = client_logged_in.get(URL, {"q": "zzz", "sort": "-reference"})
    assert "No bills match these filters" in response.text
    assert 'href="/?sort=-reference">Clear filters' in response.text


# --- sorting ------------------------------------------------------------------------------------


@pytest.fixture
def sortable(company):
    rows = [
        ("B", "R2", days(-20), days(5), "30", "GBP", Bill.Status.OPEN),
        ("C", "R3", days(-10), days(-5), "10", "EUR", Bill.Status.PARTIALLY_PAID),
        ("A", "R1", days(-30), days(15), "20", "USD", Bill.Status.OPEN),
    ]
    for supplier, ref, issued, due, amount, currency, status in rows:
        bill(company, supplier__name=supplier, reference=ref, issue_date=issued, due_date=due,
             total_amount=Decimal(amount), currency=currency, status=status)  # fmt: skip


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("supplier", ["R1", "R2", "R3"]),
        ("reference", ["R1", "R2", "R3"]),
        ("issue_date", ["R1", "R2", "R3"]),
        ("due_date", ["R3", "R2", "R1"]),
        ("amount_due", ["R3", "R1", "R2"]),
        ("currency", ["R3", "R2", "R1"]),
        ("status", ["R2", "R1", "R3"]),  # Open, Open (id order), PartiallyPaid
    ],
)
def test_sort_each_column_both_ways(client_logged_in, sortable, sort, expected):
    assert refs(client_logged_in.get(URL, {"sort": sort})) == expected
    descending = refs(client_logged_in.get(URL, {"sort": f"-{sort}"}))
    if sort == "status":
        assert descending == ["R3", "R1", "R2"]  # the id tiebreak flips with the direction
    else:
        assert descending == list(reversed(expected))


def test_sort_ties_break_by_id(client_logged_in, company):
    for n in range(5):
        bill(company, reference=f"SAME-{n}", due_date=days(3))
    assert refs(client_logged_in.get(URL)) == [f"SAME-{n}" for n in range(5)]


def test_header_links_toggle_the_sort_and_keep_the_filters(client_logged_in, company):
    bill(company)
    html = client_logged_in.get(URL, {"status": "Open", "page": "1"}).text
    assert 'href="?status=Open&amp;sort=supplier"' in html
    assert 'aria-sort="ascending"><a href="?status=Open&amp;sort=-due_date"' in html
    html = client_logged_in.get(URL, {"sort": "-due_date"}).text
    assert 'aria-sort="descending"><a href="?sort=due_date"' in html
    assert '<input type="hidden" name="sort" value="-due_date" form="inbox-filters">' in html


# --- paging -------------------------------------------------------------------------------------


def test_fifty_per_page(client_logged_in, company):
    supplier = SupplierFactory(company=company)
    Bill.objects.bulk_create(
        BillFactory.build(company=company, supplier=supplier, reference=f"P-{n:03d}",
                          due_date=days(n), issue_date=days(-1))
        for n in range(120)
    )  # fmt: skip
    first = client_logged_in.get(URL)
    assert refs(first) == [f"P-{n:03d}" for n in range(50)]
    assert "Page 1 of 3 · 120 bills" in first.text
    assert 'href="?page=2"' in first.text
    third = client_logged_in.get(URL, {"page": 3})
    assert refs(third) == [f"P-{n:03d}" for n in range(100, 120)]
    assert 'href="?page=2" hx-get="?page=2" rel="prev"' in third.text
    assert 'rel="next"' not in third.text
    beyond = client_logged_in.get(URL, {"page": 7, "sort": "-due_date"})
    assert "There is no page 7: showing the last page, 3." in beyond.text
    assert refs(beyond) == [f"P-{n:03d}" for n in reversed(range(20))]


# --- summary and aging ---------------------------------------------------------------------------


@pytest.fixture
def aging(company):
    for due, amount in [
        (0, "100.00"),  # current (due today)
        (6, "1000.10"),  # current, due within 7 days
        (8, "5.00"),  # current, after 7 days
        (-1, "10.00"),  # 1-30
        (-30, "20.00"),  # 1-30
        (-31, "40.00"),  # 31-60
        (-90, "80.00"),  # 61-90
        (-91, "160.00"),  # 90+
    ]:
        bill(company, due_date=days(due), total_amount=Decimal(amount))
    bill(company, due_date=days(-10), total_amount=Decimal(500), currency="JPY")
    bill(company, due_date=days(-10), total_amount=Decimal(999), status=Bill.Status.PAID)


def test_summary_per_currency(client_logged_in, aging):
    html = client_logged_in.get(URL).text
    gbp = html[html.index('data-currency="GBP"') : html.index('data-currency="JPY"')]
    assert "8 bills" in gbp
    assert "<dd data-total>1,415.10</dd>" in gbp
    assert '<dd data-overdue class="bad">310.00</dd>' in gbp
    assert "<dd data-due-week>1,100.10</dd>" in gbp
    jpy = html[html.index('data-currency="JPY"') :]
    assert "<dd data-total>500</dd>" in jpy


def test_aging_chart_is_inline_svg_with_a_bar_per_bucket(client_logged_in, aging):
    html = client_logged_in.get(URL).text
    gbp = html[html.index('data-currency="GBP"') : html.index('data-currency="JPY"')]
    svg = gbp[gbp.index("<svg") : gbp.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    bars = re.findall(
        r'data-bucket="([^"]+)">\s*<rect x="\d+" y="\d+" width="\d+" height="(\d+)"><title>[^:]+: ([\d,.]+)',
        svg,
    )
    assert [(label, amount) for label, _h, amount in bars] == [
        ("Current", "1,105.10"),
        ("1-30", "30.00"),
        ("31-60", "40.00"),
        ("61-90", "80.00"),
        ("90+", "160.00"),
    ]
    heights = [int(h) for _label, h, _amount in bars]
    assert heights[0] == 100  # the largest bucket fills the chart
    assert heights[1] < heights[2] < heights[3] < heights[4] < heights[0]
    assert "90+ days overdue: 160.00 GBP" in svg
    assert "cdn" not in html.lower()


def test_summary_ignores_other_companies(client_logged_in, company, other_company):
    bill(company, total_amount=Decimal(10))
    bill(other_company, total_amount=Decimal(1000))
    html = client_logged_in.get(URL).text
    assert "<dd data-total>10.00</dd>" in html
    assert "1,000.00" not in html


# --- refresh times and what the import left out ----------------------------------------------------


def test_it_shows_the_last_refresh_and_what_was_not_imported(client_logged_in, company):
    bill(company)
    finished = timezone.make_aware(dt.datetime(2026, 3, 14, 9, 30))
    ImportRunFactory(company=company, status=ImportRun.Status.SUCCEEDED, finished_at=finished,
                     not_imported={"Paid": 12, "Void": 3, "Draft": 2})  # fmt: skip
    ImportRunFactory(company=company, status=ImportRun.Status.FAILED,
                     finished_at=finished + dt.timedelta(hours=3))  # fmt: skip
    html = client_logged_in.get(URL).text
    assert "Last refreshed <time" in html
    assert "14 Mar 2026, 09:30" in html
    assert "Not shown: 12 paid, 3 void, 2 draft bills — the inbox lists unpaid bills only" in html


def test_it_says_when_never_refreshed(client_logged_in, company):
    bill(company)
    html = client_logged_in.get(URL).text
    assert "Not refreshed from the ledger yet" in html
    assert "Not shown" not in html


# --- empty states ---------------------------------------------------------------------------------


def test_linked_with_no_unpaid_bills_says_everything_is_paid(client_logged_in, company):
    bill(company, status=Bill.Status.PAID)
    ImportRunFactory(company=company, status=ImportRun.Status.SUCCEEDED, finished_at=timezone.now())
    html = client_logged_in.get(URL).text
    assert "No unpaid bills. Everything is paid." in html
    assert "Last refreshed" in html
    assert "<svg" not in html
    assert 'id="inbox-filters"' not in html


def test_no_company_goes_to_create_the_company(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:company-create")
    htmx = client.get(URL, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("accounts:company-create")


@pytest.mark.parametrize(
    "status",
    [Connection.Status.PENDING_AUTH, Connection.Status.UNLINKED, Connection.Status.DEAUTHORIZED],
)
def test_company_without_a_linked_connection_goes_to_connect(client_logged_in, company, status):
    company.connections.update(status=status)
    bill(company, reference="HIDDEN")
    response = client_logged_in.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:onboarding-platform")


def test_a_supplier_id_too_big_for_the_database_is_ignored_with_a_note(client_logged_in, company):
    response = client_logged_in.get(URL, {"supplier": str(2**63)})
    assert response.status_code == 200
    assert "Ignored the supplier filter" in response.text


# --- what each row links to, by name ---------------------------------------------------------


def test_the_reference_opens_the_bill_and_the_supplier_opens_the_supplier(
    client_logged_in, company
):
    supplier = SupplierFactory(company=company, name="Linden Logistics Ltd")
    first = bill(company, supplier=supplier, reference="HAR-4938", due_date=days(3))
    second = bill(company, supplier=supplier, reference="HAR-4939", due_date=days(4))

    html = client_logged_in.get(URL).text

    for b in (first, second):
        detail = reverse("payables:bill-detail", args=[b.pk])
        assert f'<a href="{detail}" data-bill-link>{b.reference}</a>' in html
    supplier_url = reverse("payables:supplier-detail", args=[supplier.pk])
    assert html.count(f'<a href="{supplier_url}" data-supplier-link>Linden Logistics Ltd</a>') == 2


def test_every_pay_link_is_named_after_its_bill(client_logged_in, company):
    supplier = SupplierFactory(company=company, name="Linden Logistics Ltd")
    bill(company, supplier=supplier, reference="HAR-4938", due_date=days(3))
    bill(company, supplier=supplier, reference="", due_date=days(5))

    html = client_logged_in.get(URL).text

    names = re.findall(r'aria-label="([^"]*)" data-pay-link>Pay</a>', html)
    assert names == ["Pay HAR-4938", "Pay Linden Logistics Ltd, due 20 Mar 2026"]


def test_a_bill_without_a_reference_still_links_to_itself(client_logged_in, company):
    b = bill(company, reference="", due_date=days(5))

    html = client_logged_in.get(URL).text

    detail = reverse("payables:bill-detail", args=[b.pk])
    assert re.search(
        rf'<a href="{detail}" data-bill-link><span class="muted">No reference, due 20 Mar 2026</span></a>',
        html,
    )


def test_a_bill_without_a_supplier_row_shows_its_name_unlinked(client_logged_in, company):
    bill(company, supplier=None, supplier_name="Cash purchase", reference="C-1", due_date=days(1))

    html = client_logged_in.get(URL).text

    assert "<td>Cash purchase</td>" in html


def test_the_table_has_a_caption_saying_what_it_lists_and_how(client_logged_in, company):
    bill(company, due_date=days(1))

    assert "<caption>Unpaid bills, by due, ascending</caption>" in client_logged_in.get(URL).text
    assert "<caption>Unpaid bills, by amount due, descending</caption>" in (
        client_logged_in.get(URL, {"sort": "-amount_due"}).text
    )


def test_refresh_now_sits_beside_the_last_refresh(client_logged_in, company):
    bill(company, due_date=days(1))

    html = client_logged_in.get(URL).text

    start = html.index('<header class="inbox-head">')
    head = html[start : html.index("</header>", start)]
    assert "data-last-refreshed" in head
    assert f'<form method="post" action="{reverse("payables:refresh-now")}"' in head
    assert ">Refresh now</button>" in head


# --- the Paid view tells the story of paid bills ----------------------------------------------


@pytest.fixture
def paid_and_unpaid(company):
    bill(company, reference="PAID-1", due_date=days(-47), total_amount=Decimal("100.00"),
         amount_due=Decimal(0), status=Bill.Status.PAID)  # fmt: skip
    bill(company, reference="PAID-2", due_date=days(-3), total_amount=Decimal("50.50"),
         amount_due=Decimal(0), status=Bill.Status.PAID)  # fmt: skip
    bill(company, reference="OPEN-1", due_date=days(-10), total_amount=Decimal("999.00"),
         amount_due=Decimal("999.00"))  # fmt: skip


def test_the_paid_view_says_it_lists_paid_bills(client_logged_in, paid_and_unpaid):
    html = client_logged_in.get(URL, {"status": "Paid"}).text

    assert "<h1>Paid bills</h1>" in html
    assert "<title>Paid bills · billpay</title>" in html
    assert "Unpaid bills" not in html
    assert refs_in(html) == ["PAID-1", "PAID-2"]


def test_a_paid_bill_is_never_overdue_and_has_no_pay_link(client_logged_in, paid_and_unpaid):
    html = client_logged_in.get(URL, {"status": "Paid"}).text

    assert "badge overdue" not in html  # it was paid; "Overdue 47d" told the wrong story
    assert "data-pay-link" not in html


def test_the_paid_views_totals_are_the_paid_bills_totals(client_logged_in, paid_and_unpaid):
    html = client_logged_in.get(URL, {"status": "Paid"}).text

    assert "2 paid bills" in html
    assert "data-total-paid>150.50<" in html
    assert "999.00" not in html  # the unpaid bill's figures are not the paid view's
    assert "Total due" not in html
    assert "aging-chart" not in html


def test_the_unpaid_view_keeps_its_story(client_logged_in, paid_and_unpaid):
    html = client_logged_in.get(URL).text

    assert "<h1>Unpaid bills</h1>" in html
    assert "Overdue 10d" in html
    assert "data-total>999.00<" in html
    assert refs_in(html) == ["OPEN-1"]
