"""Mapping options: the accounts and tax rates a bill is coded to, the bank accounts a bill is paid from.

Both operations take `statusQuery` (literally that name, codat-api.md §3), a Codat query over the
items; with none, only `Active` items are returned (spec operation descriptions). Items are paged
100 at a time with continuation tokens (codat-api.md §2B).

**Two arrays, one token** (the spec is silent): get-mapping-options-bills pages over one sequence,
the accounts and then the tax rates, 100 items per page in all, so a page may end the accounts and
start the tax rates, and an array is empty on pages that hold none of its kind. The token keeps one
position in that sequence: a record's row id while in the accounts, `TAX_RATES_PHASE` plus the row id
once in the tax rates. That reuses the shared cursor (`sandbox.api.paging`) unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any, Final

from codat.platforms import PlatformRules
from sandbox.api.base import ApiError, Call, LedgerResponse, json_response, route
from sandbox.api.paging import continuation_page, read_cursor
from sandbox.api.records import (
    Document,
    compile_query,
    documents,
    payables_connection,
    platform_of,
)
from sandbox.models import Dataset, LedgerConnection
from sandbox.query import Query, QueryError

PREFIX = "/companies/{companyId}/connections/{connectionId}/payables/mappingOptions"
DEFAULT_STATUS_QUERY: Final = "status=Active"
# Far above any row id a table will reach, so that accounts (below) sort before tax rates (above).
TAX_RATES_PHASE: Final = 1 << 62

ACCOUNT_FIELDS: Final = ("id", "nominalCode", "name", "type", "currency", "status")
TAX_RATE_FIELDS: Final = ("id", "name", "code", "effectiveTaxRate", "totalTaxRate", "status")
BANK_ACCOUNT_FIELDS: Final = (
    "id",
    "name",
    "accountNumber",
    "nominalCode",
    "sortCode",
    "currency",
    "status",
    "accountType",
)
# Each mapping option also carries sourceModifiedDate (spec `BankAccount/allOf/1`).
BILL_OPTION_PROPERTIES: Final = frozenset({*ACCOUNT_FIELDS, *TAX_RATE_FIELDS, "sourceModifiedDate"})
PAYMENT_OPTION_PROPERTIES: Final = frozenset({*BANK_ACCOUNT_FIELDS, "sourceModifiedDate"})

Rows = Iterator[tuple[int, Document]]


def _pick(document: Document, fields: tuple[str, ...]) -> Document:
    picked = {name: document.get(name) for name in fields}
    if document.get("sourceModifiedDate") is not None:
        picked["sourceModifiedDate"] = document["sourceModifiedDate"]
    return picked


def _digits(value: Any) -> int:
    return sum(ch.isdigit() for ch in value) if isinstance(value, str) else 0


def bank_account_option(document: Document, *, rules: PlatformRules) -> Document:
    """A stored BankAccount as a bankAccountMappingOption, with Xero's number masking."""
    option = _pick(document, BANK_ACCOUNT_FIELDS)
    if rules.masks_bank_numbers:
        # Spec, bankAccountMappingOption.accountNumber/sortCode for Xero: a GBP account shows its
        # sort code and UK account number only when together they make 14 digits (6 + 8); a
        # non-GBP account shows its full account number and never a sort code.
        if document.get("currency") == "GBP":
            if _digits(document.get("sortCode")) + _digits(document.get("accountNumber")) != 14:
                option["sortCode"] = None
                option["accountNumber"] = None
        else:
            option["sortCode"] = None
    return option


def _status_query(call: Call, properties: frozenset[str]) -> tuple[Query | None, str]:
    text = call.request.query.get("statusQuery") or DEFAULT_STATUS_QUERY
    return compile_query(text, dataset="MappingOptions", properties=properties), text


def _page(
    call: Call, *, key: str, query_text: str, query: Query | None, rows: Callable[[int], Rows]
) -> tuple[list[Document], str | None]:
    """One page of `rows(after)` filtered by the query, with the next continuation token."""
    query_hash = hashlib.sha256(f"{key}\x00{query_text}".encode()).hexdigest()[:16]
    cursor = read_cursor(call.request.query.get("continuationToken"), query_hash)

    def matching() -> Rows:
        for position, item in rows(cursor.after):
            if query is None or query.matches(item):
                yield position, item

    try:
        return continuation_page(matching(), cursor=cursor)
    except QueryError as error:
        # Found only against a value (e.g. `effectiveTaxRate>abc`): always "Malformed query".
        raise ApiError(400, error.message, service="ClientsApi") from None


def _accounts_then_tax_rates(connection: LedgerConnection) -> Callable[[int], Rows]:
    def rows(after: int) -> Rows:
        if after < TAX_RATES_PHASE:
            for position, account in documents(connection, Dataset.ACCOUNTS, after=after):
                yield position, {"kind": "account", **_pick(account, ACCOUNT_FIELDS)}
            after = TAX_RATES_PHASE
        for position, rate in documents(
            connection, Dataset.TAX_RATES, after=after - TAX_RATES_PHASE
        ):
            yield TAX_RATES_PHASE + position, {"kind": "taxRate", **_pick(rate, TAX_RATE_FIELDS)}

    return rows


@route("GET", f"{PREFIX}/bills", "get-mapping-options-bills")
def get_mapping_options_bills(call: Call) -> LedgerResponse:
    """GET /companies/{companyId}/connections/{connectionId}/payables/mappingOptions/bills"""
    connection = payables_connection(call)
    query, text = _status_query(call, BILL_OPTION_PROPERTIES)
    # "kind" only sorts the page back into its two arrays; it is no property a query may name.
    items, token = _page(
        call,
        key="mappingOptions/bills",
        query_text=text,
        query=query,
        rows=_accounts_then_tax_rates(connection),
    )
    body: dict[str, Any] = {
        "accounts": [_without_kind(i) for i in items if i["kind"] == "account"],
        "taxRates": [_without_kind(i) for i in items if i["kind"] == "taxRate"],
        "pagination": {"continuationToken": token} if token else {},
    }
    return json_response(200, body)


def _without_kind(item: Document) -> Document:
    return {k: v for k, v in item.items() if k != "kind"}


@route("GET", f"{PREFIX}/payments", "get-mapping-options-payments")
def get_mapping_options_payments(call: Call) -> LedgerResponse:
    """GET /companies/{companyId}/connections/{connectionId}/payables/mappingOptions/payments"""
    connection = payables_connection(call)
    rules = platform_of(connection).rules
    query, text = _status_query(call, PAYMENT_OPTION_PROPERTIES)

    def rows(after: int) -> Rows:
        # The query sees what is served (a masked sort code cannot be matched), not what is stored.
        for position, account in documents(connection, Dataset.BANK_ACCOUNTS, after=after):
            yield position, bank_account_option(account, rules=rules)

    items, token = _page(
        call, key="mappingOptions/payments", query_text=text, query=query, rows=rows
    )
    body = {
        "bankAccounts": items,
        "pagination": {"continuationToken": token} if token else {},
    }
    return json_response(200, body)
