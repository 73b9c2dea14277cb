"""Money the way a currency writes it, shared by billpay and the sandbox ledger (no Django).

One table of ISO 4217 minor units, one rounding rule (half up, to the minor unit) and one way
to show an amount: grouped, in the currency's minor unit, the code after it ("4,136.79 GBP",
"12,000 JPY", "1.250 KWD").

Currency rates are Codat's `currencyRate`: **base-currency units per one foreign unit**, so that
foreign amount x rate = base amount. The spec's worked examples, base GBP: $20 at 0.781 =
£15.62 and €20 at 0.885 = £17.70 (codat-api.md, "currencyRate semantics").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

# ISO 4217 minor units where they are not 2 (list one, as of 2026); every other currency has 2.
MINOR_UNITS: Final = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip
DEFAULT_MINOR_UNITS: Final = 2
# What a rate is shown and stored to: Codat computes missing rates to 9 places.
RATE_PLACES: Final = 9


def currency_decimals(currency: str) -> int:
    """Decimal places of the currency's minor unit: 2 for GBP, 0 for JPY, 3 for KWD."""
    return MINOR_UNITS.get(currency.upper(), DEFAULT_MINOR_UNITS)


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount as an exponent: Decimal('0.01') for GBP, 1 for JPY."""
    return Decimal(1).scaleb(-currency_decimals(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """The amount rounded half up to the currency's minor unit."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def has_minor_units(amount: Decimal, currency: str) -> bool:
    """Whether the amount needs no more decimals than the currency has (10.50 GBP, not 10.505)."""
    return amount == amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal | None, currency: str) -> str:
    """`4,136.79` for GBP, `12,000` for JPY, `1.250` for KWD: grouped, in the minor unit; "" for
    no amount. The currency's code goes beside it (format_money)."""
    if amount is None:
        return ""
    return f"{quantize(amount, currency):,}"


def format_money(amount: Decimal | None, currency: str) -> str:
    """`4,136.79 GBP`, `12,000 JPY`: the amount and its currency's code."""
    if amount is None:
        return ""
    return f"{format_amount(amount, currency)} {currency}"


def input_amount(amount: Decimal, currency: str) -> str:
    """An amount as a person types it into a form: `4136.79`, `12000`, never `4136.7900`."""
    return f"{quantize(amount, currency):f}"


def plain_rate(rate: Decimal) -> str:
    """A rate as written: `0.787`, `1`, `0.000123` (no trailing zeros, never `1E+1`)."""
    return f"{rate.normalize():f}"


def base_amount(amount: Decimal, rate: Decimal, base: str) -> Decimal:
    """What the ledger records in the base currency: foreign amount x rate, in the base's unit.
    The spec's examples: base_amount(20, 0.781, "GBP") == 15.62; (20, 0.885, "GBP") == 17.70."""
    return quantize(amount * rate, base)


def rate_label(foreign: str, base: str) -> str:
    """How a rate reads: `GBP per 1 USD` (base-currency units per one foreign unit)."""
    return f"{base} per 1 {foreign}"


def format_conversion(amount: Decimal, currency: str, rate: Decimal, base: str) -> str:
    """`1,000.00 USD at 0.787 = 787.00 GBP`: a foreign amount, its rate and the base amount."""
    return (
        f"{format_money(amount, currency)} at {plain_rate(rate)} = "
        f"{format_money(base_amount(amount, rate, base), base)}"
    )
