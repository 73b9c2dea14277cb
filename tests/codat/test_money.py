"""codat/money.py: the one table of minor units, rounding, display, and Codat's currencyRate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codat.money import (
    base_amount,
    currency_decimals,
    format_amount,
    format_conversion,
    format_money,
    has_minor_units,
    input_amount,
    plain_rate,
    quantize,
    rate_label,
)


@pytest.mark.parametrize(
    ("currency", "places"),
    [
        ("GBP", 2),
        ("usd", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("OMR", 3),
        ("CLF", 4),
    ],
)
def test_each_currency_has_its_minor_unit(currency: str, places: int) -> None:
    assert currency_decimals(currency) == places


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234.5"), "GBP", "1,234.50"),
        (Decimal("4136.7900"), "GBP", "4,136.79"),
        (Decimal("12000"), "JPY", "12,000"),
        (Decimal("1234.5"), "JPY", "1,235"),
        (Decimal("0.0005"), "KWD", "0.001"),
        (Decimal("1.25"), "KWD", "1.250"),
        (Decimal("0.005"), "EUR", "0.01"),
        (None, "GBP", ""),
    ],
)
def test_an_amount_shows_in_its_currencys_minor_unit(
    amount: Decimal | None, currency: str, shown: str
) -> None:
    assert format_amount(amount, currency) == shown


def test_money_carries_its_code() -> None:
    assert format_money(Decimal("12000"), "JPY") == "12,000 JPY"
    assert format_money(Decimal("4136.79"), "GBP") == "4,136.79 GBP"
    assert format_money(None, "GBP") == ""


@pytest.mark.parametrize(
    ("amount", "currency", "typed"),
    [
        (Decimal("4136.7900"), "GBP", "4136.79"),
        (Decimal("12000.0000"), "JPY", "12000"),
        (Decimal("1.2500"), "KWD", "1.250"),
        (Decimal("1E+3"), "GBP", "1000.00"),
    ],
)
def test_a_form_offers_an_amount_as_a_person_types_it(
    amount: Decimal, currency: str, typed: str
) -> None:
    assert input_amount(amount, currency) == typed


def test_rounding_is_half_up_to_the_minor_unit() -> None:
    assert quantize(Decimal("0.125"), "GBP") == Decimal("0.13")
    assert quantize(Decimal("2.5"), "JPY") == Decimal(3)
    assert has_minor_units(Decimal("10.50"), "GBP")
    assert not has_minor_units(Decimal("10.505"), "GBP")
    assert not has_minor_units(Decimal("1.5"), "JPY")


# --- currencyRate: base-currency units per one foreign unit (the spec's worked examples) ---------


@pytest.mark.parametrize(
    ("amount", "rate", "base", "recorded"),
    [
        (Decimal(20), Decimal("0.781"), "GBP", Decimal("15.62")),  # $20 at 0.781 = £15.62
        (Decimal(20), Decimal("0.885"), "GBP", Decimal("17.70")),  # €20 at 0.885 = £17.70
        (Decimal(1000), Decimal("0.787"), "GBP", Decimal("787.00")),
        (Decimal(100), Decimal("151.2345"), "JPY", Decimal(15123)),
    ],
)
def test_foreign_amount_times_the_rate_is_the_base_amount(
    amount: Decimal, rate: Decimal, base: str, recorded: Decimal
) -> None:
    assert base_amount(amount, rate, base) == recorded


def test_a_conversion_reads_foreign_at_rate_equals_base() -> None:
    assert (
        format_conversion(Decimal(1000), "USD", Decimal("0.787000000"), "GBP")
        == "1,000.00 USD at 0.787 = 787.00 GBP"
    )
    assert format_conversion(Decimal(20), "EUR", Decimal("0.885"), "GBP") == (
        "20.00 EUR at 0.885 = 17.70 GBP"
    )


def test_a_rate_reads_as_base_per_one_foreign_unit() -> None:
    assert rate_label("USD", "GBP") == "GBP per 1 USD"
    assert plain_rate(Decimal("0.781000000")) == "0.781"
    assert plain_rate(Decimal("1E+1")) == "10"
