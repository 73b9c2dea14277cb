"""Routing a bill through a policy: tables of amount edges, currency conversion, supplier and
account sets and sources, and hypothesis on the thresholds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payables.policies import (
    FALLBACK,
    BillFacts,
    Policy,
    PolicyError,
    Source,
    base_amount,
    exposure_raised,
)

STEP = {"name": "Finance", "approvers": "role", "role": "approver", "required": 1}


def facts(
    total: str = "100",
    currency: str = "GBP",
    rate: str | None = None,
    supplier: str = "s1",
    accounts: tuple[str, ...] = ("a1",),
    source: Source = Source.LEDGER,
) -> BillFacts:
    return BillFacts(
        supplier=supplier,
        currency=currency,
        total=Decimal(total),
        accounts=frozenset(accounts),
        base_currency="GBP",
        currency_rate=Decimal(rate) if rate is not None else None,
        source=source,
    )


def policy(*conditions: dict[str, object], fallback_steps: bool = False) -> Policy:
    return Policy.from_json(
        {
            "rules": [
                {"name": f"R{i}", "conditions": c, "steps": [STEP]}
                for i, c in enumerate(conditions)
            ],
            "fallback": {"steps": [STEP] if fallback_steps else []},
        }
    )


@pytest.mark.parametrize(
    ("total", "currency", "rate", "expected"),
    [
        ("999.99", "GBP", None, FALLBACK),
        ("1000", "GBP", None, 0),  # at least: the threshold itself is met
        ("1000.01", "GBP", None, 0),
        ("800", "EUR", "1.25", 0),  # 800 EUR x 1.25 = 1000 GBP
        ("799.99", "EUR", "1.25", FALLBACK),
        ("10", "EUR", None, 0),  # no rate: fails closed, larger than any threshold
    ],
)
def test_amount_at_least(total: str, currency: str, rate: str | None, expected: int) -> None:
    index, _ = policy({"min_amount": "1000"}).route(facts(total, currency, rate))
    assert index == expected


@pytest.mark.parametrize(
    ("total", "rate", "expected"),
    [("499.99", None, 0), ("500", None, FALLBACK), ("1", "abc-missing", FALLBACK)],
)
def test_amount_below_fails_closed_without_a_rate(
    total: str, rate: str | None, expected: int
) -> None:
    p = policy({"max_amount": "500"})
    currency = "USD" if rate else "GBP"
    index, _ = p.route(facts(total, currency, None if rate else rate))
    assert index == expected


@pytest.mark.parametrize(
    ("conditions", "bill", "expected"),
    [
        ({"suppliers": ["s1", "s2"]}, facts(supplier="s2"), 0),
        ({"suppliers": ["s1"]}, facts(supplier="s3"), FALLBACK),
        ({"accounts": ["a9"]}, facts(accounts=("a1", "a9")), 0),  # any line
        ({"accounts": ["a9"]}, facts(accounts=("a1",)), FALLBACK),
        ({"sources": ["billpay", "document"]}, facts(source=Source.DOCUMENT), 0),
        ({"sources": ["billpay"]}, facts(source=Source.LEDGER), FALLBACK),
        ({"min_amount": "50", "suppliers": ["s1"]}, facts(total="40"), FALLBACK),  # all hold
    ],
)
def test_conditions(conditions: dict[str, object], bill: BillFacts, expected: int) -> None:
    assert policy(conditions).route(bill)[0] == expected


def test_first_matching_rule_wins_and_fallback_applies() -> None:
    p = policy({"min_amount": "100"}, {"min_amount": "10"}, fallback_steps=True)
    assert p.route(facts("150"))[0] == 0
    assert p.route(facts("50"))[0] == 1
    index, rule = p.route(facts("5"))
    assert index == FALLBACK
    assert rule.steps


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rules": [{"name": "Every", "conditions": {}, "steps": [STEP]}]}, "no conditions"),
        ({"rules": [{"conditions": {"min_amount": "x"}}]}, "is not an amount"),
        ({"rules": [{"conditions": {"min_amount": "-1"}}]}, "zero or more"),
        (
            {"rules": [{"conditions": {"min_amount": "10", "max_amount": "5"}}]},
            "upper amount",
        ),
        (
            {"fallback": {"steps": [{"approvers": "users", "users": [1], "required": 2}]}},
            "names 1 people but asks for 2",
        ),
        ({"fallback": {"steps": [{"approvers": "nobody"}]}}, "Choose who approves"),
        ({"fallback": {"steps": [{"approvers": "role", "required": 0}]}}, "at least one"),
    ],
)
def test_a_bad_policy_says_what_to_change(data: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy.from_json(data)


def test_a_policy_survives_its_json() -> None:
    p = policy({"min_amount": "1000.50", "suppliers": ["b", "a"], "sources": ["ledger"]})
    assert Policy.from_json(p.as_json()) == p


@pytest.mark.parametrize(
    ("after", "raised"),
    [
        (facts("100"), []),
        (facts("90"), []),  # a lower total (a payment elsewhere, a credit) does not reset
        (facts("100.01"), ["the total went up from 100 to 100.01"]),
        (facts(supplier="s2"), ["the supplier changed"]),
        (facts(currency="EUR"), ["the currency changed from GBP to EUR"]),
        (facts(accounts=("a2",)), ["a line's account changed"]),
    ],
)
def test_what_raises_the_exposure(after: BillFacts, raised: list[str]) -> None:
    assert exposure_raised(facts("100").snapshot(), after) == raised


@given(
    threshold=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    delta=st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=2, allow_nan=False),
)
def test_threshold_boundaries(threshold: Decimal, delta: Decimal) -> None:
    p = policy({"min_amount": str(threshold)})
    assert p.route(facts(str(threshold)))[0] == 0
    assert p.route(facts(str(threshold + delta)))[0] == 0
    if threshold - delta >= 0:
        assert p.route(facts(str(threshold - delta)))[0] == FALLBACK


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
    rate=st.decimals(min_value=Decimal("0.000000001"), max_value=10**4, places=9, allow_nan=False),
)
def test_foreign_times_rate_is_base(total: Decimal, rate: Decimal) -> None:
    assert base_amount(total, "EUR", rate, "GBP") == total * rate
    assert base_amount(total, "GBP", rate, "GBP") == total
    assert base_amount(total, "EUR", None, "GBP") is None
