"""The create-bill page: options that matter, htmx line editing and totals, every bad input."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.urls import reverse

from payables.models import Bill, TaxRate
from sandbox.models import Fault
from sandbox.services import fault_inject, faults_clear
from tests.ledger_company import LedgerCompany
from tests.payables.factories import TaxRateFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

URL = reverse("payables:bill-create")
HTMX = {"HX-Request": "true"}


def form_data(linked: LedgerCompany, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "token": str(uuid.uuid4()),
        "supplier": linked.supplier().name,
        "reference": "INV-9001",
        "issue_date": "2026-03-01",
        "due_date": "2026-03-31",
        "currency": "GBP",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-description": "Copier paper",
        "lines-0-quantity": "2",
        "lines-0-unit_amount": "12.50",
        "lines-0-account": str(linked.account("461").pk),
        "lines-0-tax_rate": str(linked.tax_rate("INPUT2").pk),
        "action": "save",
    }
    data.update(changes)
    return data


def test_it_offers_only_active_expense_accounts_and_active_tax_rates(
    client_logged_in, linked
) -> None:
    response = client_logged_in.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Printing &amp; Stationery" in html  # 461, an active expense account
    assert "Direct Wages" in html  # 320, Direct Costs count as expenses
    assert "Accounts Receivable" not in html  # a current asset
    assert "Charitable and Political Donations" not in html  # archived expense account
    assert "20% (VAT on Expenses)" in html
    assert "17.5% (VAT on Expenses)" not in html  # archived tax rate
    assert 'name="token"' in html
    assert "<html" in html


def test_it_redirects_anonymous_users_to_login(client, linked) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_refuses_other_methods(client_logged_in, linked) -> None:
    assert client_logged_in.put(URL).status_code == 405


def test_it_creates_the_bill_and_lands_on_it(client_logged_in, linked) -> None:
    before = linked.ledger_bill_count()

    response = client_logged_in.post(URL, form_data(linked))

    bill = Bill.objects.get(reference="INV-9001")
    assert response.status_code == 302
    assert response["Location"] == reverse("payables:bill-detail", args=[bill.pk])
    assert linked.ledger_bill_count() == before + 1
    assert bill.total_amount == bill.amount_due == 30  # 2 x 12.50 + 20% VAT
    assert bill.status == Bill.Status.OPEN


def test_a_double_submit_creates_one_bill(client_logged_in, linked) -> None:
    before = linked.ledger_bill_count()
    data = form_data(linked)

    first = client_logged_in.post(URL, data)
    second = client_logged_in.post(URL, data)

    assert first["Location"] == second["Location"]
    assert linked.ledger_bill_count() == before + 1
    assert Bill.objects.filter(reference="INV-9001").count() == 1


def test_htmx_submit_redirects_the_client(client_logged_in, linked) -> None:
    response = client_logged_in.post(URL, form_data(linked), headers=HTMX)

    bill = Bill.objects.get(reference="INV-9001")
    assert response["HX-Redirect"] == reverse("payables:bill-detail", args=[bill.pk])


def test_htmx_add_line_returns_only_the_form_with_one_more_line(client_logged_in, linked) -> None:
    before = linked.ledger_bill_count()

    response = client_logged_in.post(URL, form_data(linked, action="add_line"), headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<form id="bill-form"')
    assert html.count("data-line=") == 2
    assert 'value="Copier paper"' in html
    assert linked.ledger_bill_count() == before


def test_remove_line_keeps_the_other_lines(client_logged_in, linked) -> None:
    data = form_data(
        linked,
        action="remove_line-0",
        **{
            "lines-TOTAL_FORMS": "2",
            "lines-1-description": "Toner",
            "lines-1-quantity": "1",
            "lines-1-unit_amount": "40",
            "lines-1-account": str(linked.account("461").pk),
            "lines-1-tax_rate": str(linked.tax_rate("INPUT2").pk),
        },
    )

    html = client_logged_in.post(URL, data).content.decode()

    assert html.count("data-line=") == 1
    assert 'value="Toner"' in html
    assert "Copier paper" not in html


def test_totals_are_recomputed_on_the_server_as_the_user_types(client_logged_in, linked) -> None:
    data = form_data(
        linked,
        action="recalc",
        **{
            "lines-TOTAL_FORMS": "2",
            "lines-1-quantity": "3",
            "lines-1-unit_amount": "10.005",
            "lines-1-tax_rate": str(linked.tax_rate("RRINPUT").pk),
        },
    )

    response = client_logged_in.post(URL, data, headers={**HTMX, "HX-Target": "bill-totals"})

    html = response.content.decode()
    assert html.strip().startswith('<dl id="bill-totals"')
    # 25.00 + 30.02 (30.015 rounded) = 55.02; tax 5.00 + 1.50 (5% of 30.015) = 6.50
    assert re.search(r"data-subtotal>55\.02<", html)
    assert re.search(r"data-tax>6\.50<", html)
    assert re.search(r"data-total>61\.52 GBP<", html)


def test_the_supplier_last_used_account_and_tax_rate_are_proposed(client_logged_in, linked) -> None:
    supplier = linked.supplier()
    last = (
        supplier.bills.order_by("-issue_date", "-id")
        .first()
        .line_items.order_by("position")
        .first()
    )
    data = form_data(linked, action="supplier", **{"lines-0-account": "", "lines-0-tax_rate": ""})

    html = client_logged_in.post(URL, data, headers=HTMX).content.decode()

    account_pk = (
        linked.company
        and type(linked.account())
        .objects.get(company=linked.company, codat_id=last.account_codat_id)
        .pk
    )
    assert re.search(rf'<option value="{account_pk}" selected>', html)
    rate_pk = TaxRate.objects.get(company=linked.company, codat_id=last.tax_rate_codat_id).pk
    assert re.search(rf'<option value="{rate_pk}" selected>', html)


def _archived_account(linked: LedgerCompany) -> dict[str, str]:
    return {"lines-0-account": str(linked.archived_account().pk)}


def _sales_rate(linked: LedgerCompany) -> dict[str, str]:
    rate = TaxRateFactory(
        company=linked.company, codat_id="OUTPUT2", code="OUTPUT2", name="20% (VAT on Income)"
    )
    return {"lines-0-tax_rate": str(rate.pk)}


BAD_INPUTS = [
    (
        "unknown supplier",
        lambda _linked: {"supplier": "Nobody & Sons"},
        "No supplier called “Nobody &amp; Sons”",
    ),
    ("archived account", _archived_account, "not an active expense account"),
    ("tax rate not valid for the account", _sales_rate, "not valid for account"),
    (
        "negative quantity",
        lambda _linked: {"lines-0-quantity": "-2"},
        "The quantity must be greater than zero.",
    ),
    (
        "due before issue",
        lambda _linked: {"due_date": "2026-02-01"},
        "The due date cannot be before the issue date.",
    ),
    ("bad currency", lambda _linked: {"currency": "XYZ"}, "The ledger has no currency XYZ"),
    (
        "over-long reference",
        lambda _linked: {"reference": "R" * 256},
        "references of up to 255 characters",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_with_a_message_and_nothing_is_created(
    client_logged_in, linked, case, change, message
) -> None:
    before, local_before = linked.ledger_bill_count(), Bill.objects.count()
    data = form_data(linked, **change(linked))

    response = client_logged_in.post(URL, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert linked.ledger_bill_count() == before
    assert Bill.objects.count() == local_before
    assert 'value="Copier paper"' in html  # the input is kept


def test_ledger_down_keeps_the_input_and_a_retry_creates_the_bill(client_logged_in, linked) -> None:
    before = linked.ledger_bill_count()
    fault_inject(kind=Fault.Kind.UNAVAILABLE, method="POST", path_contains="/bills")
    data = form_data(linked)

    response = client_logged_in.post(URL, data)

    html = response.content.decode()
    assert "did not answer, so nothing was saved" in html
    assert 'value="INV-9001"' in html
    assert linked.ledger_bill_count() == before
    assert not Bill.objects.filter(reference="INV-9001").exists()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert token != data["token"]  # a 503 is cached under the old key by Codat
    faults_clear()
    retried = client_logged_in.post(URL, {**data, "token": token})
    assert retried.status_code == 302
    assert linked.ledger_bill_count() == before + 1


def test_near_matches_are_shown_before_a_new_supplier_is_created(client_logged_in, linked) -> None:
    existing = linked.supplier()
    similar = existing.name.rstrip(".") + "s"
    data = form_data(linked, action="create_supplier", new_supplier=similar, supplier="")

    html = client_logged_in.post(URL, data).content.decode()

    assert "Similar suppliers already exist" in html
    assert existing.name.replace("&", "&amp;") in html
    assert not type(existing).objects.filter(name=similar).exists()
    confirmed = client_logged_in.post(
        URL, {**data, "confirm_new_supplier": similar}
    ).content.decode()
    created = type(existing).objects.get(company=linked.company, name=similar)
    assert "created in the ledger" in confirmed
    assert f'value="{similar}"'.replace("&", "&amp;") in confirmed
    assert any(d["supplierName"] == similar for d in linked.documents("suppliers"))
    assert created.codat_id


def test_a_new_name_without_near_matches_is_created_at_once(client_logged_in, linked) -> None:
    data = form_data(
        linked, action="create_supplier", new_supplier="Zebra Quantum Holdings", supplier=""
    )

    html = client_logged_in.post(URL, data, headers=HTMX).content.decode()

    assert "<html" not in html
    assert "Supplier “Zebra Quantum Holdings” created in the ledger." in html


def test_supplier_type_ahead_lists_matching_suppliers_only(client_logged_in, linked) -> None:
    supplier = linked.supplier()
    typed = supplier.name.split()[0]

    response = client_logged_in.get(
        reverse("payables:bill-supplier-search"), {"supplier": typed}, headers=HTMX
    )

    html = response.content.decode()
    assert html.strip().startswith('<datalist id="supplier-options">')
    assert supplier.name.replace("&", "&amp;") in html
    assert "Zzz" not in html


def test_tax_rate_options_follow_the_chosen_account(client_logged_in, linked) -> None:
    _sales_rate(linked)
    account = linked.account("461")

    html = client_logged_in.get(
        reverse("payables:bill-tax-rates"),
        {"field": "lines-0-tax_rate", "lines-0-account": account.pk},
        headers=HTMX,
    ).content.decode()

    assert "20% (VAT on Expenses)" in html
    assert "VAT on Income" not in html
    assert "17.5%" not in html


def test_refresh_options_reads_the_ledger_again(client_logged_in, linked) -> None:
    TaxRate.objects.filter(company=linked.company).delete()

    response = client_logged_in.post(reverse("payables:mapping-options-refresh"), {"next": URL})

    assert response.status_code == 302
    assert response["Location"] == URL
    assert TaxRate.objects.filter(company=linked.company, code="INPUT2", status="Active").exists()
    assert TaxRate.objects.filter(company=linked.company, code="INPUT", status="Archived").exists()


def test_refresh_options_refuses_get(client_logged_in, linked) -> None:
    assert client_logged_in.get(reverse("payables:mapping-options-refresh")).status_code == 405


def test_htmx_get_returns_only_the_form(client_logged_in, linked) -> None:
    html = client_logged_in.get(URL, headers=HTMX).content.decode()
    assert html.strip().startswith('<form id="bill-form"')


def test_a_company_without_a_linked_platform_is_sent_to_onboarding(
    client_logged_in, company
) -> None:
    company.connections.update(status="Unlinked")

    response = client_logged_in.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:onboarding-platform")


def test_a_missing_token_is_refused_and_replaced(client_logged_in, linked) -> None:
    before = linked.ledger_bill_count()

    response = client_logged_in.post(URL, form_data(linked, token="not-a-uuid"))

    html = response.content.decode()
    assert "This form is out of date" in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert uuid.UUID(token)
    assert linked.ledger_bill_count() == before


def test_quickbooks_references_are_limited_to_21_characters(client_logged_in, linked) -> None:
    linked.company.connections.update(platform_key="qhyg")

    html = client_logged_in.post(URL, form_data(linked, reference="R" * 22)).content.decode()

    assert "references of up to 21 characters (this one has 22)" in html
    assert not Bill.objects.filter(reference="R" * 22).exists()


def test_choosing_a_supplier_shows_its_last_coding_without_touching_the_form(
    client_logged_in, linked
) -> None:
    supplier = linked.supplier()
    last = (
        supplier.bills.order_by("-issue_date", "-id")
        .first()
        .line_items.order_by("position")
        .first()
    )

    response = client_logged_in.get(
        reverse("payables:bill-supplier-coding"), {"supplier": supplier.name}, headers=HTMX
    )

    html = response.content.decode()
    assert html.strip().startswith('<div id="supplier-coding"')
    account = type(linked.account()).objects.get(
        company=linked.company, codat_id=last.account_codat_id
    )
    assert f"Last used for this supplier: {account}".replace("&", "&amp;") in html
    assert 'value="supplier"' in html
    unknown = client_logged_in.get(
        reverse("payables:bill-supplier-coding"), {"supplier": "Nobody"}, headers=HTMX
    ).content.decode()
    assert "Last used" not in unknown


def test_a_ledger_refusal_is_shown_on_its_field_and_nothing_is_lost(
    client_logged_in, linked
) -> None:
    # billpay's copy still says Active; the ledger archived the supplier since the last refresh.
    from sandbox.api.records import get_document, save_document

    supplier = linked.supplier()
    document = get_document(linked.ledger, "suppliers", supplier.codat_id)
    save_document(linked.ledger, "suppliers", {**document, "status": "Archived"})
    before = linked.ledger_bill_count()

    response = client_logged_in.post(URL, form_data(linked))

    html = response.content.decode()
    supplier_field = html[html.index('id="id_supplier"') : html.index('id="id_new_supplier"')]
    assert "`SupplierRef Id` is archived in Xero." in supplier_field
    assert "The ledger refused this" in html
    assert 'value="INV-9001"' in html
    assert linked.ledger_bill_count() == before
    assert not Bill.objects.filter(reference="INV-9001").exists()


def test_the_recalculate_button_gets_the_whole_form_back(client_logged_in, linked) -> None:
    headers = {**HTMX, "HX-Target": "bill-form"}

    html = client_logged_in.post(
        URL, form_data(linked, action="recalc"), headers=headers
    ).content.decode()

    assert html.strip().startswith('<form id="bill-form"')
    assert re.search(r"data-total>30\.00 GBP<", html)


# --- a bill must total more than zero ----------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        ({"lines-0-unit_amount": "0"}, "0.00 GBP"),
        (
            {
                "lines-TOTAL_FORMS": "2",
                "lines-0-unit_amount": "5",  # 2 x 5
                "lines-0-tax_rate": "",
                "lines-1-quantity": "1",
                "lines-1-unit_amount": "-20",
                "lines-1-account": None,
                "lines-1-tax_rate": "",
            },
            "-10.00 GBP",
        ),
    ],
    ids=["zero", "negative"],
)
def test_a_bill_that_totals_zero_or_less_is_refused_with_its_total(
    client_logged_in, linked, lines: dict[str, Any], total: str
) -> None:
    """It was created Open in the ledger, with a Pay button that refused every amount."""
    before = linked.ledger_bill_count()
    changes = {k: (str(linked.account("461").pk) if v is None else v) for k, v in lines.items()}
    if "lines-0-tax_rate" in changes:
        changes["lines-0-tax_rate"] = str(linked.tax_rate("NONE").pk)
        changes["lines-1-tax_rate"] = str(linked.tax_rate("NONE").pk)

    response = client_logged_in.post(URL, form_data(linked, **changes))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"The bill&#x27;s total is {total}: a bill must total more than zero" in html
    assert 'value="INV-9001"' in html  # what was typed stays
    assert linked.ledger_bill_count() == before
    assert not Bill.objects.filter(reference="INV-9001").exists()
