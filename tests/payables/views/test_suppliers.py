"""Suppliers page (filters on known data), supplier detail, create/edit through the sandbox."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLogEntry, Connection
from payables.models import Bill, Supplier
from sandbox.api.records import get_document
from sandbox.models import Dataset
from sandbox.services import platform_record_edit
from tests.payables.factories import BillFactory, SupplierFactory

LIST = reverse("payables:supplier-list")
CREATE = reverse("payables:supplier-create")


def detail(s: Supplier) -> str:
    return reverse("payables:supplier-detail", args=[s.pk])


def edit(s: Supplier) -> str:
    return reverse("payables:supplier-edit", args=[s.pk])


def refresh(s: Supplier) -> str:
    return reverse("payables:supplier-refresh", args=[s.pk])


# --- the list, on known local data --------------------------------------------------------------


@pytest.fixture
def known(company):
    now = timezone.now()
    acme = SupplierFactory(company=company, name="Acme Paper", contact_name="Ann Smith",
                           email_address="ann@acme.example",
                           source_modified_at=now - dt.timedelta(days=200))  # fmt: skip
    BillFactory(company=company, supplier=acme, amount_due=Decimal("100.50"), currency="GBP")
    BillFactory(company=company, supplier=acme, amount_due=Decimal("20.25"), currency="GBP",
                status=Bill.Status.PARTIALLY_PAID, total_amount=Decimal("50"))  # fmt: skip
    BillFactory(company=company, supplier=acme, amount_due=Decimal(0), status=Bill.Status.PAID)
    bolt = SupplierFactory(company=company, name="Bolt Hardware", contact_name="Bob Jones",
                           email_address="bob@bolt.example",
                           source_modified_at=now - dt.timedelta(days=3))  # fmt: skip
    BillFactory(company=company, supplier=bolt, amount_due=Decimal(0), status=Bill.Status.VOID)
    mixed = SupplierFactory(company=company, name="Cargo Mixed",
                            source_modified_at=now - dt.timedelta(days=40))  # fmt: skip
    BillFactory(company=company, supplier=mixed, currency="EUR", amount_due=Decimal(10))
    BillFactory(company=company, supplier=mixed, currency="USD", amount_due=Decimal(10))
    return {"acme": acme, "bolt": bolt, "mixed": mixed}


def rows(response) -> list[int]:
    return [s.pk for s in response.context["page"].object_list]


def test_it_lists_every_supplier_with_unpaid_count_and_balance(
    client_logged_in, known, other_company
) -> None:
    SupplierFactory(company=other_company, name="Acme Paper Elsewhere")
    response = client_logged_in.get(LIST)
    assert response.status_code == 200
    assert rows(response) == [known["acme"].pk, known["bolt"].pk, known["mixed"].pk]
    by_pk = {s.pk: s for s in response.context["page"].object_list}
    acme = by_pk[known["acme"].pk]
    assert (acme.unpaid_count, acme.open_balance) == (2, Decimal("120.75"))
    assert by_pk[known["bolt"].pk].unpaid_count == 0
    assert by_pk[known["mixed"].pk].currencies == 2
    assert acme.balances == [("GBP", Decimal("120.75"))]
    assert by_pk[known["mixed"].pk].balances == [("EUR", Decimal(10)), ("USD", Decimal(10))]


def test_each_open_balance_says_its_currency(client_logged_in, known) -> None:
    """A USD and a EUR balance once read as plain numbers beside GBP ones."""
    html = client_logged_in.get(LIST).content.decode()

    cells = dict(
        re.findall(
            r'<tr data-supplier="(\d+)">.*?<td class="num" data-open-balance>(.*?)</td>', html, re.S
        )
    )
    text = {pk: re.sub(r"<[^>]+>", " ", cell).split() for pk, cell in cells.items()}
    assert text[str(known["acme"].pk)] == ["120.75", "GBP"]
    assert text[str(known["mixed"].pk)] == ["10.00", "EUR", "10.00", "USD"]
    assert text[str(known["bolt"].pk)] == ["\N{EN DASH}"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=acme", ["acme"]),
        ("q=BOB%40BOLT", ["bolt"]),
        ("q=ann+smith", ["acme"]),
        ("unpaid=on", ["acme", "mixed"]),
        ("recent=on", ["bolt"]),
        ("unpaid=on&recent=on", []),
        ("q=cargo&unpaid=on", ["mixed"]),
    ],
)
def test_filters(client_logged_in, known, query, expected) -> None:
    response = client_logged_in.get(f"{LIST}?{query}")
    assert rows(response) == [known[name].pk for name in expected]


def test_list_rows_come_from_one_query(
    client_logged_in, known, django_assert_max_num_queries
) -> None:
    for number in range(30):
        supplier = SupplierFactory(company=known["acme"].company, name=f"Zed {number}")
        BillFactory(company=supplier.company, supplier=supplier)
    client_logged_in.get(LIST)
    with django_assert_max_num_queries(12):
        response = client_logged_in.get(LIST)
    assert len(rows(response)) == 33


def test_htmx_gets_only_the_table(client_logged_in, known) -> None:
    response = client_logged_in.get(f"{LIST}?q=acme", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="supplier-table"' in html
    assert "<html" not in html
    assert "Acme Paper" in html
    assert "Bolt" not in html


def test_list_anonymous_goes_to_login(client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_list_wrong_method(client_logged_in) -> None:
    assert client_logged_in.post(LIST).status_code == 405


def test_detail_shows_contact_addresses_currency_and_bills(client_logged_in, known) -> None:
    acme = known["acme"]
    acme.addresses = [
        {"type": "Billing", "line1": "1 Mill Lane", "city": "Leeds", "postalCode": "LS1 1AA"}
    ]
    acme.save()
    response = client_logged_in.get(detail(acme))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ann Smith" in html
    assert "ann@acme.example" in html
    assert "GBP" in html
    assert "1 Mill Lane" in html
    assert "Leeds" in html
    assert response.context["bill_count"] == 3


def test_detail_other_company_404(client_logged_in, other_company) -> None:
    theirs = SupplierFactory(company=other_company)
    assert client_logged_in.get(detail(theirs)).status_code == 404
    assert client_logged_in.get(edit(theirs)).status_code == 404
    assert client_logged_in.post(refresh(theirs)).status_code == 404


def test_detail_wrong_method(client_logged_in, known) -> None:
    assert client_logged_in.post(detail(known["acme"])).status_code == 405
    assert client_logged_in.get(refresh(known["acme"])).status_code == 405
    assert client_logged_in.delete(CREATE).status_code == 405


# --- create, edit and refresh through the sandbox ledger -----------------------------------------

ledger_db = pytest.mark.django_db(databases=["default", "sandbox"])


@ledger_db
def test_create_adds_the_supplier_to_the_ledger_and_audits_it(ledger_client, imported) -> None:
    response = ledger_client.post(CREATE, {"name": "Fresh Fruit Co", "contact_name": "Fay",
                                              "email_address": "fay@fruit.example",
                                              "phone": "+44 1234", "default_currency": "eur"})  # fmt: skip
    supplier = Supplier.objects.get(company=imported.company, name="Fresh Fruit Co")
    assert response.status_code == 302
    assert response["Location"] == detail(supplier)
    document = get_document(imported.ledger, Dataset.SUPPLIERS, supplier.codat_id)
    assert document is not None
    assert document["emailAddress"] == "fay@fruit.example"
    assert document["defaultCurrency"] == "EUR"
    entry = AuditLogEntry.objects.get(action="supplier.created")
    assert entry.object_id == str(supplier.pk)
    assert entry.actor is not None
    assert entry.actor.email == "owner@example.com"
    assert entry.after is not None
    assert entry.after["name"] == "Fresh Fruit Co"


@ledger_db
def test_create_duplicate_name_shows_xero_message_and_keeps_input(ledger_client, imported) -> None:
    # Xero's names are unique among active contacts (an archived one's name is free).
    taken = Supplier.objects.for_company(imported.company).filter(status="Active").first()
    assert taken is not None
    before = Supplier.objects.count()
    response = ledger_client.post(
        CREATE, {"name": taken.name.upper(), "email_address": "x@y.example"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already assigned to another contact" in html
    assert "x@y.example" in html
    assert taken.name.upper() in html
    assert Supplier.objects.count() == before


def test_create_bad_input_keeps_input(client_logged_in) -> None:
    response = client_logged_in.post(CREATE, {"name": "", "email_address": "not-an-email",
                                              "default_currency": "POUNDS", "contact_name": "Kept"})  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "email_address", "default_currency"}
    assert "Kept" in response.content.decode()


def test_create_htmx_gets_only_the_form(client_logged_in) -> None:
    response = client_logged_in.post(CREATE, {"name": ""}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="supplier-form"' in html
    assert "<html" not in html


def test_create_anonymous_goes_to_login(client) -> None:
    response = client.post(CREATE, {"name": "X"})
    assert response.status_code == 302
    assert "/login" in response["Location"]


@ledger_db
def test_create_on_a_revoked_connection_says_reconnect(ledger_client, imported) -> None:
    Connection.objects.filter(pk=imported.connection.pk).update(
        status=Connection.Status.DEAUTHORIZED
    )
    response = ledger_client.post(CREATE, {"name": "Nobody Ltd"})
    assert response.status_code == 200
    assert "Reconnect" in response.content.decode()
    assert "data-reconnect-banner" in response.content.decode()


@ledger_db
def test_edit_replaces_the_supplier_in_the_ledger_and_audits_the_change(
    ledger_client, imported
) -> None:
    supplier = Supplier.objects.for_company(imported.company).filter(status="Active").first()
    assert supplier is not None
    addresses = supplier.addresses
    response = ledger_client.post(edit(supplier), {"name": supplier.name, "contact_name": "New Person",
                                                      "email_address": "new@example.com",
                                                      "phone": supplier.phone,
                                                      "default_currency": supplier.default_currency})  # fmt: skip
    assert response.status_code == 302
    document = get_document(imported.ledger, Dataset.SUPPLIERS, supplier.codat_id)
    assert document is not None
    assert document["contactName"] == "New Person"
    # A full replace: what billpay does not edit (addresses, status) is sent back unchanged. billpay
    # keeps an address without its empty fields, the ledger serves them as null: the same address.
    served = [{k: v for k, v in a.items() if v is not None} for a in document.get("addresses", [])]
    assert served == addresses
    assert document["status"] == "Active"
    supplier.refresh_from_db()
    assert supplier.contact_name == "New Person"
    entry = AuditLogEntry.objects.get(action="supplier.updated", object_id=str(supplier.pk))
    assert entry.after == {"contact_name": "New Person", "email_address": "new@example.com"}
    assert entry.actor is not None


@ledger_db
def test_edit_archived_supplier_shows_the_ledger_message(ledger_client, imported) -> None:
    supplier = Supplier.objects.for_company(imported.company).first()
    assert supplier is not None
    platform_record_edit(connection=imported.ledger, dataset=Dataset.SUPPLIERS,
                         record_id=supplier.codat_id, changes={"status": "Archived"})  # fmt: skip
    Supplier.objects.filter(pk=supplier.pk).update(status=Supplier.Status.ARCHIVED)
    response = ledger_client.post(edit(supplier), {"name": "Renamed Ltd"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "archived in Xero" in html
    assert "Renamed Ltd" in html
    supplier.refresh_from_db()
    assert supplier.name != "Renamed Ltd"
    assert not AuditLogEntry.objects.filter(action="supplier.updated").exists()


@ledger_db
def test_edit_duplicate_name_is_refused(ledger_client, imported) -> None:
    first, second = Supplier.objects.for_company(imported.company).filter(status="Active")[:2]
    response = ledger_client.post(edit(second), {"name": first.name})
    assert response.status_code == 200
    assert "already assigned to another contact" in response.content.decode()


def test_edit_get_shows_current_values(client_logged_in, known) -> None:
    response = client_logged_in.get(edit(known["acme"]))
    assert response.status_code == 200
    assert "ann@acme.example" in response.content.decode()


@ledger_db
def test_refresh_pulls_current_details_from_the_ledger(ledger_client, imported) -> None:
    supplier = Supplier.objects.for_company(imported.company).first()
    assert supplier is not None
    platform_record_edit(connection=imported.ledger, dataset=Dataset.SUPPLIERS,
                         record_id=supplier.codat_id, changes={"phone": "+44 999"})  # fmt: skip
    response = ledger_client.post(refresh(supplier))
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.phone == "+44 999"
    entry = AuditLogEntry.objects.get(object_id=str(supplier.pk))
    assert entry.action == "supplier.seen_changed"
    assert entry.after == {"phone": "+44 999"}
    assert entry.actor is not None
    response = ledger_client.get(detail(supplier))
    assert "supplier.seen_changed" in response.content.decode()


@ledger_db
def test_edit_currency_on_quickbooks_shows_its_rule(client, user, ledger) -> None:
    from accounts.services import ACTIVE_COMPANY_SESSION_KEY
    from tests.ledger_company import import_ledger

    qbo = import_ledger(user, platform_key="qhyg", name="Books Ltd")
    client.force_login(user)
    session = client.session
    session[ACTIVE_COMPANY_SESSION_KEY] = qbo.company.pk
    session.save()
    supplier = Supplier.objects.for_company(qbo.company).filter(status="Active").first()
    assert supplier is not None
    other = "USD" if supplier.default_currency != "USD" else "EUR"
    response = client.post(
        edit(supplier), {"name": supplier.name, "default_currency": other.lower()}
    )
    assert response.status_code == 200
    assert "cannot be changed in QuickBooks Online" in response.content.decode()
    supplier.refresh_from_db()
    assert supplier.default_currency != other
