"""Editing an Open bill with no payments replaces its lines in the ledger; others refuse why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from payables.models import Bill
from sandbox.models import Fault
from sandbox.services import fault_inject
from tests.ledger_company import LedgerCompany
from tests.payables.factories import BillFactory
from tests.payables.views.test_bill_create import form_data

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

HTMX = {"HX-Request": "true"}


@pytest.fixture
def bill(linked: LedgerCompany) -> Bill:
    bill = Bill.objects.for_company(linked.company).filter(status="Open").first()
    assert bill is not None
    assert bill.amount_due == bill.total_amount
    return bill


def url(bill: Bill) -> str:
    return reverse("payables:bill-edit", args=[bill.pk])


def test_it_shows_the_bill_in_the_form(client_logged_in, bill: Bill) -> None:
    html = client_logged_in.get(url(bill)).content.decode()

    assert "Edit bill" in html
    assert f'value="{bill.reference}"' in html
    assert html.count("data-line=") == bill.line_items.count()


def test_saving_replaces_every_line_in_the_ledger_and_locally(
    client_logged_in, linked, bill: Bill
) -> None:
    before = linked.ledger_bill_count()
    data = form_data(linked, reference="EDITED-1", supplier=bill.supplier.name)

    response = client_logged_in.post(url(bill), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("payables:bill-detail", args=[bill.pk])
    document = next(d for d in linked.documents("bills") if d["id"] == bill.codat_id)
    assert document["reference"] == "EDITED-1"
    assert [line["description"] for line in document["lineItems"]] == ["Copier paper"]
    bill.refresh_from_db()
    assert bill.reference == "EDITED-1"
    assert bill.total_amount == bill.amount_due == Decimal("30.00")
    assert [line.description for line in bill.line_items.all()] == ["Copier paper"]
    assert linked.ledger_bill_count() == before


def test_a_double_submit_updates_once(client_logged_in, linked, bill: Bill) -> None:
    data = form_data(linked, reference="EDITED-2", supplier=bill.supplier.name)

    first = client_logged_in.post(url(bill), data)
    second = client_logged_in.post(url(bill), data)

    assert first["Location"] == second["Location"]
    bill.refresh_from_db()
    assert bill.reference == "EDITED-2"


@pytest.mark.parametrize(
    ("status", "amount_due", "reason"),
    [
        (
            "PartiallyPaid",
            Decimal("10.00"),
            "Only open bills can be edited; this one is partially paid.",
        ),
        ("Paid", Decimal(0), "Only open bills can be edited; this one is paid."),
        ("Open", Decimal("10.00"), "This bill has payments against it"),
    ],
)
def test_other_bills_refuse_with_a_reason(
    client_logged_in, company, status, amount_due, reason
) -> None:
    bill = BillFactory(
        company=company, status=status, total_amount=Decimal(120), amount_due=amount_due
    )

    get = client_logged_in.get(url(bill), follow=True)
    post = client_logged_in.post(url(bill), {"reference": "x"}, follow=True)

    for response in (get, post):
        assert response.redirect_chain[-1][0] == reverse("payables:bill-detail", args=[bill.pk])
        assert reason in response.content.decode()
    bill.refresh_from_db()
    assert bill.reference != "x"


def test_ledger_rejection_keeps_the_input(client_logged_in, linked, bill: Bill) -> None:
    fault_inject(kind=Fault.Kind.UNAVAILABLE, method="PUT", path_contains="/bills/")
    data = form_data(linked, reference="EDITED-3", supplier=bill.supplier.name)

    html = client_logged_in.post(url(bill), data).content.decode()

    assert "did not answer, so nothing was saved" in html
    assert 'value="EDITED-3"' in html
    bill.refresh_from_db()
    assert bill.reference != "EDITED-3"


def test_other_company_gets_404(client_logged_in, other_company) -> None:
    bill = BillFactory(company=other_company)
    assert client_logged_in.get(url(bill)).status_code == 404


def test_anonymous_goes_to_login(client, bill: Bill) -> None:
    response = client.get(url(bill))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_wrong_method_is_refused(client_logged_in, bill: Bill) -> None:
    assert client_logged_in.delete(url(bill)).status_code == 405


def test_htmx_gets_only_the_form(client_logged_in, bill: Bill) -> None:
    html = client_logged_in.get(url(bill), headers=HTMX).content.decode()
    assert html.strip().startswith('<form id="bill-form"')


def test_the_detail_page_links_to_edit_only_when_editable(
    client_logged_in, company, bill: Bill
) -> None:
    paid = BillFactory(company=company, status="PartiallyPaid", amount_due=Decimal(1))
    detail = reverse("payables:bill-detail", args=[bill.pk])
    assert "data-edit-bill" in client_logged_in.get(detail).content.decode()
    assert (
        "data-edit-bill"
        not in client_logged_in.get(
            reverse("payables:bill-detail", args=[paid.pk])
        ).content.decode()
    )


def test_amounts_show_as_a_person_would_type_them(client_logged_in, bill: Bill) -> None:
    line = bill.line_items.order_by("position").first()
    assert line is not None
    type(line).objects.filter(pk=line.pk).update(
        quantity=Decimal("10.0000"), unit_amount=Decimal("72.7100")
    )

    html = client_logged_in.get(url(bill)).content.decode()

    assert 'name="lines-0-quantity" value="10"' in html  # not "1E+1"
    assert 'name="lines-0-unit_amount" value="72.71"' in html


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        ("10.0000", 0, "10"),
        ("2.5000", 0, "2.5"),
        ("655.9000", 2, "655.90"),
        ("72.7100", 2, "72.71"),
        ("0.1234", 2, "0.1234"),
        ("1000.0000", 2, "1000.00"),
        ("5000.0000", 0, "5000"),
    ],
)
def test_plain_decimal(value: str, places: int, shown: str) -> None:
    from payables.inbox import plain_decimal

    assert str(plain_decimal(Decimal(value), places)) == shown


def test_an_edit_to_a_zero_total_is_refused_and_changes_nothing(
    client_logged_in, linked, bill: Bill
) -> None:
    data = form_data(linked, supplier=bill.supplier.name, **{"lines-0-unit_amount": "0"})

    response = client_logged_in.post(url(bill), data)

    assert response.status_code == 200
    assert "a bill must total more than zero" in response.content.decode()
    document = next(d for d in linked.documents("bills") if d["id"] == bill.codat_id)
    assert Decimal(str(document["totalAmount"])) == bill.total_amount


def test_an_edit_keeps_a_foreign_bills_currency_rate(client_logged_in, linked) -> None:
    """billpay has no rate field: the ledger's rate must survive the edit, not be dropped."""
    bill = (
        Bill.objects.for_company(linked.company)
        .filter(status="Open", currency_rate__isnull=False)
        .exclude(currency=linked.company.base_currency)
        .first()
    )
    assert bill is not None
    rate = bill.currency_rate
    data = form_data(
        linked, supplier=bill.supplier.name, currency=bill.currency, reference="FX-EDITED"
    )

    response = client_logged_in.post(url(bill), data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    document = next(d for d in linked.documents("bills") if d["id"] == bill.codat_id)
    assert document["reference"] == "FX-EDITED"
    assert Decimal(str(document["currencyRate"])) == rate
    bill.refresh_from_db()
    assert bill.currency_rate == rate
