"""The create form's helper endpoints: type-ahead, tax rates for an account, the supplier's last
coding, the document preview. Each needs a login, one method and the user's own company."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from payables.models import Supplier
from tests.payables.factories import AccountFactory, SupplierFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

GETS = [
    reverse("payables:bill-supplier-search"),
    reverse("payables:bill-tax-rates"),
    reverse("payables:bill-supplier-coding"),
    reverse("payables:document-preview", args=[uuid.uuid4()]),
]


@pytest.mark.parametrize("url", GETS)
def test_anonymous_users_go_to_login(client, company, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("url", GETS)
def test_only_get_is_allowed(client_logged_in, url: str) -> None:
    assert client_logged_in.post(url).status_code == 405


def test_type_ahead_never_lists_another_companys_suppliers(
    client_logged_in, company, other_company
) -> None:
    SupplierFactory(company=company, name="Northwind Traders")
    SupplierFactory(company=other_company, name="Northwind Secret")
    SupplierFactory(company=company, name="Northwind Archived", status=Supplier.Status.ARCHIVED)

    html = client_logged_in.get(
        reverse("payables:bill-supplier-search"), {"supplier": "northwind"}
    ).content.decode()

    assert "Northwind Traders" in html
    assert "Northwind Secret" not in html
    assert "Northwind Archived" not in html


def test_another_companys_account_gives_no_tax_rates(client_logged_in, other_company) -> None:
    account = AccountFactory(company=other_company, codat_id="a1", name="Theirs")

    html = client_logged_in.get(
        reverse("payables:bill-tax-rates"),
        {"field": "lines-0-tax_rate", "lines-0-account": account.pk},
    ).content.decode()

    assert html.strip() == '<option value="">---------</option>'


def test_without_a_linked_platform_the_helpers_are_not_found(client_logged_in, company) -> None:
    company.connections.update(status="Unlinked")
    assert client_logged_in.get(reverse("payables:bill-supplier-search")).status_code == 404
