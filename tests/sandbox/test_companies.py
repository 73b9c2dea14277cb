"""Companies: create/get/replace/update/delete, page-number paging with HAL links, query, orderBy,
tags (codat-api.md §2A, §3, §4.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from sandbox.models import LedgerCompany
from tests.sandbox.spec_gaps import allow_docs_only_statuses

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def make(ledger: httpx.Client, name: str, **extra: Any) -> dict[str, Any]:
    response = ledger.post("/companies", json={"name": name, **extra})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def five(ledger: httpx.Client) -> list[dict[str, Any]]:
    names = ["Acme One", "Bravo", "Acme Two", "Charlie", "Acme Three"]
    companies = []
    for number, name in enumerate(names):
        company = make(ledger, name)
        # Distinct creation times, so the default order is the order of creation.
        LedgerCompany.objects.filter(pk=company["id"]).update(
            created=timezone.now() - dt.timedelta(minutes=10 - number)
        )
        companies.append(company)
    return companies


# --- CRUD ---------------------------------------------------------------------------------------


def test_create_company_answers_200_with_the_company(ledger: httpx.Client) -> None:
    response = ledger.post("/companies", json={"name": "Acme Widgets", "description": "Demo"})

    assert response.status_code == 200
    company = response.json()
    assert str(uuid.UUID(company["id"])) == company["id"]
    assert company["name"] == "Acme Widgets"
    assert company["description"] == "Demo"
    assert company["redirect"] == f"{settings.SANDBOX_LINK_BASE_URL}/link/company/{company['id']}"
    assert company["dataConnections"] == []
    assert company["referenceSubsidiaryCompanies"] == []
    assert company["products"] == ["payables-v2"]
    assert LedgerCompany.objects.filter(pk=company["id"]).exists()


def test_create_company_strips_characters_outside_the_name_pattern(ledger: httpx.Client) -> None:
    # The spec's own example.
    assert make(ledger, "Company (Codat[1])")["name"] == "Company Codat1"


def test_create_company_keeps_the_punctuation_the_pattern_allows(ledger: httpx.Client) -> None:
    assert make(ledger, "Smith & Sons, Ltd. - 'Q@A'?!")["name"] == "Smith & Sons, Ltd. - 'Q@A'?!"


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "()[]"}, {"name": 7}])
def test_create_company_needs_a_name(ledger: httpx.Client, body: dict[str, Any]) -> None:
    response = ledger.post("/companies", json=body)

    assert response.status_code == 400
    assert response.json()["validation"]["errors"][0]["message"] == "`Name` must not be empty."


def test_create_company_refuses_more_than_ten_tags(ledger: httpx.Client) -> None:
    tags = {f"k{n}": "v" for n in range(11)}

    assert ledger.post("/companies", json={"name": "Tagged", "tags": tags}).status_code == 400


def test_get_company(ledger: httpx.Client) -> None:
    company = make(ledger, "Acme")

    response = ledger.get(f"/companies/{company['id']}")

    assert response.status_code == 200
    assert response.json() == company


@pytest.mark.parametrize("company_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_get_unknown_company_is_404(ledger: httpx.Client, company_id: str) -> None:
    response = ledger.get(f"/companies/{company_id}")

    assert response.status_code == 404
    assert response.json()["error"] == f"No company was found with ID {company_id}"
    assert response.json()["service"] == "ClientsApi"


def test_replace_company_is_a_full_replace(ledger: httpx.Client) -> None:
    company = make(ledger, "Acme", description="Old", tags={"region": "uk"})

    response = ledger.put(f"/companies/{company['id']}", json={"name": "Acme (New)"})

    assert response.status_code == 200
    assert response.json()["name"] == "Acme New"
    assert response.json()["description"] is None
    assert response.json()["tags"] == {}


def test_replace_company_with_an_invalid_body_is_400(ledger: httpx.Client, settings: Any) -> None:
    allow_docs_only_statuses(settings)
    company = make(ledger, "Acme")

    response = ledger.put(f"/companies/{company['id']}", json={"description": "no name"})

    assert response.status_code == 400
    assert LedgerCompany.objects.get(pk=company["id"]).name == "Acme"


def test_update_company_changes_only_what_is_sent(ledger: httpx.Client) -> None:
    company = make(ledger, "Acme", description="Keep", tags={"region": "uk"})

    response = ledger.patch(f"/companies/{company['id']}", json={"name": "Acme 2", "tags": None})

    assert response.status_code == 200
    assert response.json()["name"] == "Acme 2"
    assert response.json()["description"] == "Keep"
    assert response.json()["tags"] == {"region": "uk"}


def test_delete_company_answers_204_then_it_is_gone(ledger: httpx.Client) -> None:
    company = make(ledger, "Acme")

    response = ledger.delete(f"/companies/{company['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert ledger.get(f"/companies/{company['id']}").status_code == 404
    assert ledger.delete(f"/companies/{company['id']}").status_code == 404


# --- Page-number paging -------------------------------------------------------------------------


def test_list_companies_defaults_to_page_1_of_100(
    ledger: httpx.Client, five: list[dict[str, Any]]
) -> None:
    body = ledger.get("/companies").json()

    assert body["pageNumber"] == 1
    assert body["pageSize"] == 100
    assert body["totalResults"] == 5
    assert [c["id"] for c in body["results"]] == [c["id"] for c in five]
    assert body["_links"] == {
        "self": {"href": "/companies"},
        "current": {"href": "/companies?page=1&pageSize=100"},
    }


def test_list_companies_first_page_links_to_the_next(
    ledger: httpx.Client, five: list[dict[str, Any]]
) -> None:
    body = ledger.get("/companies", params={"page": 1, "pageSize": 2}).json()

    assert [c["name"] for c in body["results"]] == ["Acme One", "Bravo"]
    assert body["totalResults"] == 5
    assert body["_links"] == {
        "self": {"href": "/companies"},
        "current": {"href": "/companies?page=1&pageSize=2"},
        "next": {"href": "/companies?page=2&pageSize=2"},
    }


def test_list_companies_middle_page_links_both_ways(
    ledger: httpx.Client, five: list[dict[str, Any]]
) -> None:
    body = ledger.get("/companies", params={"page": 2, "pageSize": 2}).json()

    assert [c["name"] for c in body["results"]] == ["Acme Two", "Charlie"]
    assert body["_links"]["next"] == {"href": "/companies?page=3&pageSize=2"}
    assert body["_links"]["previous"] == {"href": "/companies?page=1&pageSize=2"}


def test_list_companies_last_page_has_no_next(
    ledger: httpx.Client, five: list[dict[str, Any]]
) -> None:
    body = ledger.get("/companies", params={"page": 3, "pageSize": 2}).json()

    assert [c["name"] for c in body["results"]] == ["Acme Three"]
    assert "next" not in body["_links"]
    assert body["_links"]["previous"] == {"href": "/companies?page=2&pageSize=2"}


def test_list_companies_counts_results_after_the_query(
    ledger: httpx.Client, five: list[dict[str, Any]]
) -> None:
    body = ledger.get("/companies", params={"query": "name~acme", "pageSize": 2}).json()

    assert body["totalResults"] == 3
    assert [c["name"] for c in body["results"]] == ["Acme One", "Acme Two"]
    # The links repeat the query, so following them keeps the filter.
    assert body["_links"]["next"] == {"href": "/companies?page=2&pageSize=2&query=name~acme"}


@pytest.mark.parametrize(
    "params",
    [{"pageSize": 2001}, {"pageSize": 0}, {"page": 0}, {"pageSize": "many"}, {"page": "x"}],
)
def test_list_companies_refuses_bad_paging(ledger: httpx.Client, params: dict[str, Any]) -> None:
    response = ledger.get("/companies", params=params)

    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


def test_list_companies_accepts_the_largest_page(ledger: httpx.Client) -> None:
    assert ledger.get("/companies", params={"pageSize": 2000}).status_code == 200


# --- query, orderBy, tags -----------------------------------------------------------------------


def test_list_companies_orders_by_name_descending(
    ledger: httpx.Client, five: list[dict[str, Any]]
) -> None:
    body = ledger.get("/companies", params={"orderBy": "-name"}).json()

    assert [c["name"] for c in body["results"]] == [
        "Charlie",
        "Bravo",
        "Acme Two",
        "Acme Three",
        "Acme One",
    ]


def test_list_companies_refuses_to_order_by_an_unknown_property(ledger: httpx.Client) -> None:
    response = ledger.get("/companies", params={"orderBy": "colour"})

    assert response.status_code == 400
    assert "Could not resolve property colour" in response.json()["error"]


def test_list_companies_refuses_a_query_on_an_unknown_property(ledger: httpx.Client) -> None:
    response = ledger.get("/companies", params={"query": "colour=red"})

    assert response.status_code == 400
    assert response.json()["error"] == (
        "Error parsing query - Could not resolve property colour on Company"
    )


def test_list_companies_filters_by_tags(ledger: httpx.Client) -> None:
    make(ledger, "UK X", tags={"region": "uk", "team": "x"})
    make(ledger, "UK Y", tags={"region": "uk", "team": "y"})
    make(ledger, "US X", tags={"region": "us", "team": "x"})
    make(ledger, "Untagged")

    both = ledger.get("/companies", params={"tags": "region=uk && team=x"}).json()
    not_uk = ledger.get("/companies", params={"tags": "region!=uk"}).json()
    contains = ledger.get("/companies", params={"tags": "team~y"}).json()

    assert [c["name"] for c in both["results"]] == ["UK X"]
    assert [c["name"] for c in not_uk["results"]] == ["US X", "Untagged"]
    assert [c["name"] for c in contains["results"]] == ["UK Y"]
    assert both["totalResults"] == 1
