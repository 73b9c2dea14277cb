"""The sandbox's Codat query language: syntax, typing by document value, errors in Codat's words."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest

from sandbox.query import MALFORMED, MAX_QUERY_LENGTH, Query, QueryError, parse_query

BILL_PROPERTIES = frozenset(
    {
        "id",
        "status",
        "reference",
        "dueDate",
        "sourceModifiedDate",
        "totalAmount",
        "amountDue",
        "supplierRef.id",
        "supplierRef.supplierName",
        "metadata.isDeleted",
        "lineItems",
        "lineItems.unitAmount",
        "a",
    }
)


def q(text: str) -> Query:
    return parse_query(text, dataset="Bill", properties=BILL_PROPERTIES)


def matches(text: str, document: dict[str, Any]) -> bool:
    return q(text).matches(document)


def from_json(raw: str) -> dict[str, Any]:
    """Parse a document the way the sandbox stores it: numbers as Decimal, never float."""
    return json.loads(raw, parse_float=Decimal)


# --- Examples from codat-api.md / the spec -----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "document", "expected"),
    [
        ("status=Open", {"status": "Open"}, True),
        ("status=Open", {"status": "PartiallyPaid"}, False),
        ("status=PartiallyPaid", {"status": "PartiallyPaid"}, True),
        (
            "sourceModifiedDate>2023-12-15T00:00:00.000Z",
            {"sourceModifiedDate": "2023-12-16T09:00:00Z"},
            True,
        ),
        (
            "sourceModifiedDate>2023-12-15T00:00:00.000Z",
            {"sourceModifiedDate": "2023-12-14T23:59:59Z"},
            False,
        ),
        (
            "sourceModifiedDate>2023-12-15T00:00:00.000Z&&status=Open",
            {"sourceModifiedDate": "2024-01-02T00:00:00", "status": "Open"},
            True,
        ),
        (
            "sourceModifiedDate>2023-12-15T00:00:00.000Z&&status=Open",
            {"sourceModifiedDate": "2024-01-02T00:00:00", "status": "Paid"},
            False,
        ),
        ("{a>1 || a<0} && status!=Paid", {"a": 5, "status": "Open"}, True),
        ("{a>1 || a<0} && status!=Paid", {"a": -3, "status": "Open"}, True),
        ("{a>1 || a<0} && status!=Paid", {"a": 1, "status": "Open"}, False),
        ("{a>1 || a<0} && status!=Paid", {"a": 5, "status": "Paid"}, False),
        ("supplierRef.id=61", {"supplierRef": {"id": "61"}}, True),
        ("supplierRef.id=61", {"supplierRef": {"id": "62"}}, False),
        ("status=Active||status=Archived", {"status": "Archived"}, True),
        ("status=Active||status=Archived", {"status": "Active"}, True),
        ("status=Active||status=Archived", {"status": "Unknown"}, False),
    ],
)
def test_documented_examples_filter_as_described(
    query: str, document: dict[str, Any], expected: bool
) -> None:
    assert matches(query, document) is expected


def test_docs_combining_example_matches_paid_status_in_any_case() -> None:
    # The docs write `status != paid`; it only excludes `Paid` bills if case is ignored.
    query = q("{totalAmount > 100 || totalAmount < 50} && status != paid")
    assert query.matches({"totalAmount": 150, "status": "Open"})
    assert not query.matches({"totalAmount": 150, "status": "Paid"})
    assert not query.matches({"totalAmount": 75, "status": "Open"})


# --- Strings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "value", "expected"),
    [
        ("status=Open", "Open", True),
        ("status=open", "OPEN", True),
        ("status=Open", "Opened", False),
        ("status!=Open", "Paid", True),
        ("status!=OPEN", "open", False),
        ("supplierRef.supplierName~acme", "ACME Ltd", True),
        ("supplierRef.supplierName~Ltd", "Acme Limited", False),
        ("supplierRef.supplierName=STRASSE", "Straße", True),
    ],
)
def test_string_comparisons_ignore_case(query: str, value: str, expected: bool) -> None:
    document = {"status": value, "supplierRef": {"supplierName": value}}
    assert matches(query, document) is expected


def test_value_is_trimmed_but_keeps_inner_whitespace() -> None:
    document = {"supplierRef": {"supplierName": "Acme Ltd"}}
    assert matches("supplierRef.supplierName =  Acme Ltd  ", document)
    assert not matches("supplierRef.supplierName=AcmeLtd", document)


def test_quotes_are_part_of_the_value() -> None:
    # Codat documents no quoting, so quotes are compared literally.
    assert not matches('reference="INV 1"', {"reference": "INV 1"})
    assert matches('reference="INV 1"', {"reference": '"INV 1"'})


def test_numeric_looking_query_value_compares_as_text_against_a_string_field() -> None:
    assert matches("supplierRef.id=061", {"supplierRef": {"id": "061"}})
    assert not matches("supplierRef.id=61", {"supplierRef": {"id": "061"}})


@pytest.mark.parametrize("op", [">", "<", ">=", "<="])
def test_ordering_with_a_plain_text_value_is_malformed(op: str) -> None:
    with pytest.raises(QueryError) as caught:
        q(f"status{op}Open")
    assert caught.value.message == MALFORMED


@pytest.mark.parametrize("op", [">", "<", ">=", "<="])
def test_ordering_a_plain_string_field_is_malformed_when_matching(op: str) -> None:
    query = q(f"reference{op}5")
    with pytest.raises(QueryError) as caught:
        query.matches({"reference": "INV-001"})
    assert caught.value.message == MALFORMED


# --- Numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "amount", "expected"),
    [
        ("totalAmount=100", 100, True),
        ("totalAmount=100", Decimal("100.0000"), True),
        ("totalAmount=100.01", 100, False),
        ("totalAmount!=100", Decimal("100.01"), True),
        ("totalAmount!=100.00", 100, False),
        ("totalAmount>100", Decimal("100.01"), True),
        ("totalAmount>100", 100, False),
        ("totalAmount<100", Decimal("99.99"), True),
        ("totalAmount<100", 100, False),
        ("totalAmount>=100.50", Decimal("100.5"), True),
        ("totalAmount>=100.50", Decimal("100.49"), False),
        ("totalAmount<=100.50", Decimal("100.5"), True),
        ("totalAmount<=100.50", 101, False),
        ("totalAmount<0", -1, True),
        ("totalAmount>-0.5", 0, True),
        ("totalAmount>=.5", Decimal("0.5"), True),
    ],
)
def test_numeric_operators_compare_as_decimal(query: str, amount: Any, expected: bool) -> None:
    assert matches(query, {"totalAmount": amount}) is expected


def test_amounts_parsed_from_json_compare_exactly() -> None:
    document = from_json('{"totalAmount": 100.5, "amountDue": 0.1}')
    assert matches("totalAmount>=100.50", document)
    assert matches("totalAmount=100.5", document)
    # 0.1 as a float would not equal the decimal 0.1; as Decimal it does.
    assert matches("amountDue=0.10", document)


def test_contains_never_matches_a_number() -> None:
    assert not matches("totalAmount~10", {"totalAmount": 100})


@pytest.mark.parametrize("query", ["totalAmount=abc", "totalAmount!=abc", "totalAmount=2023-01-01"])
def test_non_numeric_value_for_a_number_field_is_malformed(query: str) -> None:
    parsed = q(query)
    with pytest.raises(QueryError) as caught:
        parsed.matches({"totalAmount": Decimal("1.5")})
    assert caught.value.message == MALFORMED


# --- Booleans -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "is_deleted", "expected"),
    [
        ("metadata.isDeleted!=true", False, True),
        ("metadata.isDeleted!=true", True, False),
        ("metadata.isDeleted=TRUE", True, True),
        ("metadata.isDeleted=false", True, False),
        ("metadata.isDeleted~true", True, False),
    ],
)
def test_booleans_compare_with_true_and_false(query: str, is_deleted: bool, expected: bool) -> None:
    assert matches(query, {"metadata": {"isDeleted": is_deleted}}) is expected


def test_boolean_field_with_non_boolean_value_is_malformed() -> None:
    with pytest.raises(QueryError):
        q("metadata.isDeleted=1").matches({"metadata": {"isDeleted": True}})


# --- Dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "value", "expected"),
    [
        ("dueDate=2023-04-23", "2023-04-23", True),
        ("dueDate=2023-04-23", "2023-04-23T00:00:00", True),
        ("dueDate=2023-04-23", "2023-04-23T00:00:00.000Z", True),
        ("dueDate!=2023-04-23", "2023-04-24", True),
        ("dueDate!=2023-04-23", "2023-04-23T00:00:00Z", False),
        ("dueDate>2023-04-23", "2023-04-23T00:00:01", True),
        ("dueDate>2023-04-23", "2023-04-23", False),
        ("dueDate<2023-04-23", "2023-04-22T23:59:59Z", True),
        ("dueDate<2023-04-23", "2023-04-23", False),
        ("dueDate>=2023-04-23", "2023-04-23", True),
        ("dueDate>=2023-04-23", "2023-04-22", False),
        ("dueDate<=2023-04-23T00:00:00Z", "2023-04-23", True),
        ("dueDate<=2023-04-23T00:00:00Z", "2023-04-23T00:00:00.0000001Z", True),
        ("dueDate<=2023-04-23T00:00:00Z", "2023-04-23T00:00:01.0000000Z", False),
    ],
)
def test_date_operators_compare_chronologically(query: str, value: str, expected: bool) -> None:
    assert matches(query, {"dueDate": value}) is expected


@pytest.mark.parametrize(
    ("query", "value", "expected"),
    [
        # 00:30 at +01:00 is 23:30 the previous day in UTC.
        ("sourceModifiedDate<2023-04-23", "2023-04-23T00:30:00+01:00", True),
        ("sourceModifiedDate=2023-04-22T23:30:00Z", "2023-04-23T00:30:00+01:00", True),
        ("sourceModifiedDate=2023-04-23T01:00:00+01:00", "2023-04-23T00:00:00.000Z", True),
        ("sourceModifiedDate>2023-04-23T00:00:00-05:00", "2023-04-23T04:59:59Z", False),
        ("sourceModifiedDate>2023-04-23T00:00:00-05:00", "2023-04-23T05:00:01Z", True),
        # Unqualified local times count as UTC.
        ("sourceModifiedDate=2023-04-23T10:00:00Z", "2023-04-23T10:00:00", True),
        ("sourceModifiedDate=2023-04-23T10:00:00", "2023-04-23T11:00:00+01:00", True),
    ],
)
def test_timezone_offsets_compare_as_instants(query: str, value: str, expected: bool) -> None:
    assert matches(query, {"sourceModifiedDate": value}) is expected


def test_date_field_with_non_date_value_compares_as_text_for_equality() -> None:
    assert not matches("dueDate=tomorrow", {"dueDate": "2023-04-23"})
    assert matches("dueDate!=tomorrow", {"dueDate": "2023-04-23"})


def test_ordering_a_date_field_by_a_number_is_malformed() -> None:
    query = q("dueDate>2023")
    with pytest.raises(QueryError):
        query.matches({"dueDate": "2023-04-23"})


def test_impossible_calendar_date_is_not_a_date() -> None:
    # 2023-02-30 is not a date, so `>` has nothing but text to compare and is refused.
    with pytest.raises(QueryError):
        q("dueDate>2023-02-30")


def test_contains_on_a_date_string_matches_its_text() -> None:
    assert matches("sourceModifiedDate~2023-12", {"sourceModifiedDate": "2023-12-15T10:00:00Z"})
    assert not matches("sourceModifiedDate~2024", {"sourceModifiedDate": "2023-12-15T10:00:00Z"})


# --- Combining clauses ----------------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    query = q("status=Paid||status=Open&&totalAmount>100")
    # Read as `Paid || (Open && >100)`; `(Paid || Open) && >100` would reject this bill.
    assert query.matches({"status": "Paid", "totalAmount": 1})
    assert not query.matches({"status": "Open", "totalAmount": 1})
    assert query.matches({"status": "Open", "totalAmount": 101})


def test_and_binds_tighter_than_or_when_or_comes_last() -> None:
    query = q("status=Open&&totalAmount>100||status=Paid")
    assert query.matches({"status": "Paid", "totalAmount": 1})
    assert not query.matches({"status": "Open", "totalAmount": 1})


def test_braces_override_precedence() -> None:
    query = q("{status=Paid||status=Open}&&totalAmount>100")
    assert not query.matches({"status": "Paid", "totalAmount": 1})
    assert query.matches({"status": "Paid", "totalAmount": 101})


def test_groups_nest_arbitrarily() -> None:
    query = q("{{a>1||a<0}&&{status=Open||{status=Draft&&totalAmount=0}}}||id=x")
    assert query.matches({"a": 2, "status": "Open"})
    assert query.matches({"a": -1, "status": "Draft", "totalAmount": 0})
    assert not query.matches({"a": -1, "status": "Draft", "totalAmount": 1})
    assert not query.matches({"a": 0, "status": "Open"})
    assert query.matches({"a": 0, "status": "Paid", "id": "X"})


def test_whitespace_around_tokens_is_ignored() -> None:
    spaced = q("  {  a > 1   ||  a < 0 }   &&   status  !=  Paid  ")
    for document in (
        {"a": 2, "status": "Open"},
        {"a": 0, "status": "Open"},
        {"a": 2, "status": "Paid"},
    ):
        assert spaced.matches(document) == q("{a>1||a<0}&&status!=Paid").matches(document)
    assert spaced.matches({"a": 2, "status": "Open"})


def test_deep_nesting_within_the_length_limit_parses_and_matches() -> None:
    # Alternate && and || so each level is a new node: the deepest tree a 2047-character query holds.
    text = "a=1"
    level = 0
    while True:
        joiner = "&&" if level % 2 else "||"
        candidate = "{" + text + joiner + "a=1}"
        if len(candidate) >= MAX_QUERY_LENGTH:
            break
        text, level = candidate, level + 1
    assert level > 250
    query = q(text)
    assert query.matches({"a": 1})
    assert not query.matches({"a": 2})


# --- Missing and null values, arrays ----------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("=", False),
        ("!=", True),
        ("~", False),
        (">", False),
        ("<", False),
        (">=", False),
        ("<=", False),
    ],
)
@pytest.mark.parametrize("document", [{}, {"totalAmount": None}], ids=["missing", "null"])
def test_missing_or_null_value_matches_only_not_equals(
    op: str, expected: bool, document: dict[str, Any]
) -> None:
    assert matches(f"totalAmount{op}5", document) is expected


def test_null_parent_object_counts_as_a_missing_value() -> None:
    assert not matches("supplierRef.id=61", {"supplierRef": None})
    assert matches("supplierRef.id!=61", {"supplierRef": None})
    assert matches("supplierRef.id!=61", {})


def test_null_is_not_a_keyword() -> None:
    assert not matches("status=null", {"status": None})
    assert matches("status=null", {"status": "null"})


@pytest.mark.parametrize("op", ["=", "!="])
def test_querying_inside_an_array_never_matches(op: str) -> None:
    document = from_json('{"lineItems": [{"unitAmount": 700}]}')
    assert not matches(f"lineItems.unitAmount{op}700", document)
    assert not matches(f"lineItems{op}700", document)


# --- Errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "status",
        "=Open",
        "status=",
        "status=   ",
        "status==",
        "status==Open",
        "status=>Open",
        "a<>1",
        "a=~x",
        "status!Open",
        "&&status=Open",
        "||status=Open",
        "status=Open&&",
        "status=Open||",
        "status=Open&&&&status=Paid",
        "status=Open&&||status=Paid",
        "{status=Open",
        "status=Open}",
        "{{status=Open}",
        "{status=Open}}",
        "}status=Open{",
        "{}",
        "status=Open&&{}",
        "{status=Open}{status=Paid}",
        "{status=Open}status=Paid",
        "status=Open{status=Paid}",
        "status=Op{en}",
        "sta tus=Open",
        "totalAmount>1e3",
        "totalAmount>NaN",
        "totalAmount>Infinity",
    ],
)
def test_malformed_query_is_rejected_with_codat_text(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        q(text)
    assert caught.value.message == MALFORMED
    assert str(caught.value) == "Error parsing query - Malformed query."


def test_query_of_2048_characters_is_rejected() -> None:
    long_id = "x" * (MAX_QUERY_LENGTH - len("id="))
    with pytest.raises(QueryError) as caught:
        q("id=" + long_id)
    assert caught.value.message == MALFORMED


def test_query_of_2047_characters_is_accepted() -> None:
    long_id = "x" * (MAX_QUERY_LENGTH - 1 - len("id="))
    assert q("id=" + long_id).matches({"id": long_id})


@pytest.mark.parametrize(
    ("text", "dataset", "unknown"),
    [
        ("foo=1", "Bill", "foo"),
        ("status=Open&&isCompleted=true", "Supplier", "isCompleted"),
        ("supplierRef.foo=1", "Bill", "supplierRef.foo"),
        ("{status=Open||lineItems.id=1}&&nope~x", "Bill", "lineItems.id"),
        # Property names are matched exactly as given.
        ("Status=Open", "TaxRate", "Status"),
    ],
)
def test_unknown_property_is_rejected_with_codat_text(
    text: str, dataset: str, unknown: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text, dataset=dataset, properties=BILL_PROPERTIES)
    assert (
        caught.value.message
        == f"Error parsing query - Could not resolve property {unknown} on {dataset}"
    )


def test_syntax_error_is_reported_before_an_unknown_property() -> None:
    with pytest.raises(QueryError) as caught:
        q("foo=1&&")
    assert caught.value.message == MALFORMED


# --- Speed ----------------------------------------------------------------------------------------


def test_matching_ten_thousand_documents_takes_well_under_a_second() -> None:
    documents = [
        {
            "id": str(n),
            "status": ("Open", "Paid", "PartiallyPaid", "Void")[n % 4],
            "sourceModifiedDate": f"2023-12-{n % 28 + 1:02d}T10:{n % 60:02d}:00Z",
            "totalAmount": Decimal(n) / 4,
            "supplierRef": {"id": str(n % 50), "supplierName": f"Supplier {n % 50}"},
        }
        for n in range(10_000)
    ]
    query = q(
        "{status=Open||status=PartiallyPaid}&&sourceModifiedDate>2023-12-15T00:00:00.000Z"
        "&&totalAmount>=100.25&&supplierRef.supplierName~plier 1"
    )
    started = time.perf_counter()
    found = [document for document in documents if query.matches(document)]
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    assert found
    assert all(document["status"] in ("Open", "PartiallyPaid") for document in found)
