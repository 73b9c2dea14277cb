"""Companies, connections and company information."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from sandbox.api.base import ApiError, Call, LedgerResponse, json_response, route, validation_error
from sandbox.api.paging import page_number_body, page_params
from sandbox.api.records import (
    company_or_404,
    compile_query,
    connection_json,
    connection_or_404,
    filter_documents,
    iso,
    payables_connection,
)
from sandbox.models import LedgerCompany, LedgerConnection
from sandbox.webhooks import connection_event

# The spec's name pattern; anything else is stripped, as Codat does ("Company (Codat[1])" ->
# "Company Codat1").
_NAME_FORBIDDEN = re.compile(r"[^A-Za-z0-9\s\-',&@.?!]")
_PLATFORM_KEY = re.compile(r"^[a-z]{4}$")
COMPANY_PROPERTIES = frozenset(
    {"id", "name", "description", "redirect", "lastSync", "created", "createdByUserName"}
)
CONNECTION_PROPERTIES = frozenset(
    {
        "id",
        "integrationId",
        "integrationKey",
        "sourceId",
        "sourceType",
        "platformName",
        "linkUrl",
        "status",
        "lastSync",
        "created",
    }
)


def company_json(company: LedgerCompany) -> dict[str, Any]:
    connections = list(company.connections.all())
    synced = [c.last_sync for c in connections if c.last_sync]
    return {
        "id": str(company.id),
        "name": company.name,
        "description": company.description or None,
        "redirect": f"{settings.SANDBOX_LINK_BASE_URL}/link/company/{company.id}",
        "lastSync": iso(max(synced)) if synced else None,
        "created": iso(company.created),
        "createdByUserName": None,
        "products": ["payables-v2"],
        "tags": company.tags,
        "referenceParentCompany": None,
        "referenceSubsidiaryCompanies": [],
        "dataConnections": [connection_json(c) for c in connections],
    }


def _company_fields(body: Any, *, partial: bool) -> dict[str, Any]:
    """Validate a CompanyRequestBody (or the PATCH's partial form) into model fields."""
    if not isinstance(body, dict):
        raise validation_error(["The request body must be a JSON object."], validator="Company")
    fields: dict[str, Any] = {}
    errors: list[str] = []
    if ("name" in body and body["name"] is not None) or not partial:
        name = body.get("name")
        if not isinstance(name, str) or not _NAME_FORBIDDEN.sub("", name).strip():
            errors.append("`Name` must not be empty.")
        else:
            fields["name"] = " ".join(_NAME_FORBIDDEN.sub("", name).split())
    if body.get("description") is not None:
        if not isinstance(body["description"], str):
            errors.append("`Description` must be a string.")
        else:
            fields["description"] = body["description"]
    elif not partial:
        fields["description"] = ""
    if body.get("tags") is not None:
        tags = body["tags"]
        if not isinstance(tags, dict) or len(tags) > 10:
            errors.append("`Tags` must be an object with at most 10 entries.")
        elif any(
            not 1 <= len(k) <= 27 or not isinstance(v, str) or len(v) > 100 for k, v in tags.items()
        ):
            errors.append("Each tag key must have 1 to 27 characters and each value at most 100.")
        else:
            fields["tags"] = tags
    elif not partial:
        fields["tags"] = {}
    if errors:
        raise validation_error(errors, validator="Company")
    return fields


@route("GET", "/companies", "list-companies")
def list_companies(call: Call) -> LedgerResponse:
    page, page_size = page_params(call.request.query)
    query = compile_query(
        call.request.query.get("query"), dataset="Company", properties=COMPANY_PROPERTIES
    )
    tags_text = call.request.query.get("tags")
    tags_query = None
    if tags_text:
        keys = {k.strip() for k in re.split(r"&&|\|\||[{}]", tags_text) if k.strip()}
        names = {re.split(r"!=|=|~", k)[0].strip() for k in keys}
        tags_query = compile_query(tags_text, dataset="Tags", properties=names)
    companies = list(LedgerCompany.objects.all())
    if tags_query is not None:
        tagged = {id(d) for d in filter_documents(tags_query, [c.tags for c in companies])}
        companies = [c for c in companies if id(c.tags) in tagged]
    documents = filter_documents(query, [company_json(c) for c in companies])
    documents = _ordered(documents, call.request.query.get("orderBy"), COMPANY_PROPERTIES)
    body = page_number_body(
        path="/companies",
        query=call.request.query,
        items=documents,
        page=page,
        page_size=page_size,
        render=lambda d: d,
    )
    return json_response(200, body)


def _ordered(
    documents: list[dict[str, Any]], order_by: str | None, allowed: frozenset[str]
) -> list[dict[str, Any]]:
    if not order_by:
        return documents
    descending = order_by.startswith("-")
    name = order_by.lstrip("-")
    if name not in allowed:
        raise ApiError(
            400,
            f"Error parsing query - Could not resolve property {name} on Dataset",
            service="PullApi",
        )
    present = [d for d in documents if d.get(name) is not None]
    missing = [d for d in documents if d.get(name) is None]
    present.sort(key=lambda d: str(d[name]).lower(), reverse=descending)
    return present + missing


@route("POST", "/companies", "create-company")
def create_company(call: Call) -> LedgerResponse:
    fields = _company_fields(call.json(), partial=False)
    company = LedgerCompany.objects.create(**fields)
    return json_response(200, company_json(company))


@route("GET", "/companies/{companyId}", "get-company")
def get_company(call: Call) -> LedgerResponse:
    return json_response(200, company_json(company_or_404(call.params["companyId"])))


def _write_company(call: Call, *, partial: bool) -> LedgerResponse:
    company = company_or_404(call.params["companyId"])
    for name, value in _company_fields(call.json(), partial=partial).items():
        setattr(company, name, value)
    company.save()
    return json_response(200, company_json(company))


@route("PUT", "/companies/{companyId}", "replace-company")
def replace_company(call: Call) -> LedgerResponse:
    """PUT /companies/{companyId}: a full replace; absent description and tags are cleared."""
    return _write_company(call, partial=False)


@route("PATCH", "/companies/{companyId}", "update-company")
def update_company(call: Call) -> LedgerResponse:
    """PATCH /companies/{companyId}: null or absent fields stay as they are."""
    return _write_company(call, partial=True)


@route("DELETE", "/companies/{companyId}", "delete-company")
def delete_company(call: Call) -> LedgerResponse:
    company_or_404(call.params["companyId"]).delete()
    return LedgerResponse(204)


@route("GET", "/companies/{companyId}/connections", "list-connections")
def list_connections(call: Call) -> LedgerResponse:
    company = company_or_404(call.params["companyId"])
    page, page_size = page_params(call.request.query)
    query = compile_query(
        call.request.query.get("query"), dataset="Connection", properties=CONNECTION_PROPERTIES
    )
    documents = filter_documents(query, [connection_json(c) for c in company.connections.all()])
    documents = _ordered(documents, call.request.query.get("orderBy"), CONNECTION_PROPERTIES)
    body = page_number_body(
        path=f"/companies/{company.id}/connections",
        query=call.request.query,
        items=documents,
        page=page,
        page_size=page_size,
        render=lambda d: d,
    )
    return json_response(200, body)


@route("POST", "/companies/{companyId}/connections", "create-connection")
def create_connection(call: Call) -> LedgerResponse:
    company = company_or_404(call.params["companyId"])
    body = call.json()
    key = body.get("platformKey") if isinstance(body, dict) else None
    if not isinstance(key, str) or not _PLATFORM_KEY.match(key):
        raise validation_error(
            ["`Platform Key` must be 4 lower-case letters, e.g. gbol for Xero."],
            validator="Connection",
        )
    connection = LedgerConnection.objects.create(company=company, platform_key=key)
    return json_response(200, connection_json(connection))


@route("GET", "/companies/{companyId}/connections/{connectionId}", "get-connection")
def get_connection(call: Call) -> LedgerResponse:
    company = company_or_404(call.params["companyId"])
    return json_response(
        200, connection_json(connection_or_404(company, call.params["connectionId"]))
    )


@route("DELETE", "/companies/{companyId}/connections/{connectionId}", "delete-connection")
def delete_connection(call: Call) -> LedgerResponse:
    company = company_or_404(call.params["companyId"])
    connection_or_404(company, call.params["connectionId"]).delete()
    return LedgerResponse(200)


@route("PATCH", "/companies/{companyId}/connections/{connectionId}", "unlink-connection")
def unlink_connection(call: Call) -> LedgerResponse:
    company = company_or_404(call.params["companyId"])
    connection = connection_or_404(company, call.params["connectionId"])
    body = call.json()
    if not isinstance(body, dict) or set(body) != {"status"}:
        raise validation_error(
            ['The body must be {"status": "Unlinked"} and nothing else.'], validator="Connection"
        )
    if body["status"] != LedgerConnection.Status.UNLINKED:
        raise validation_error(["`Status` must be equal to `Unlinked`."], validator="Connection")
    connection.status = LedgerConnection.Status.UNLINKED
    connection.save(update_fields=["status"])
    connection_event("connection.disconnected", connection)
    return json_response(200, connection_json(connection))


@route(
    "GET",
    "/companies/{companyId}/connections/{connectionId}/payables/info",
    "get-company-information",
)
def get_company_information(call: Call) -> LedgerResponse:
    connection = payables_connection(call)
    return json_response(
        200,
        {
            "companyName": connection.organisation_name or connection.company.name,
            "baseCurrency": connection.base_currency,
        },
    )
