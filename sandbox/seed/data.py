"""The shapes the demo data is drawn from, and the tables every platform's seed shares: currencies,
bill statuses, the suppliers abroad and the bills they send. Data only; each platform's own chart
of accounts, tax rates and bank accounts are in `sandbox.seed.profiles`, the places its suppliers
are in `sandbox.seed.locales`, and `sandbox.seed.generate` draws from them.

Patterns: in a phone number, postcode or bank account number pattern each `#` is drawn as a digit
and each `@` as a letter of a UK postcode's inward code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

# GBP per unit of each currency, the middle of the seeded range: a rate between two currencies is
# the ratio of theirs (so 1 USD is 0.79 / 0.0095 = 83.16 INR).
GBP_PER_UNIT: Final = {
    "GBP": Decimal(1),
    "USD": Decimal("0.79"),
    "EUR": Decimal("0.855"),
    "INR": Decimal("0.0095"),
}
# The foreign currencies of a ledger: the first two of these that are not its base currency.
FOREIGN_CURRENCIES: Final = ("USD", "EUR", "GBP")

# Every status a seeded bill may have, and how often each is drawn; a platform keeps those of its
# `PlatformRules.bill_statuses`.
STATUSES: Final = ("Open", "PartiallyPaid", "Paid", "Void", "Draft")
STATUS_WEIGHTS: Final = (40, 15, 30, 7, 8)


@dataclass(frozen=True, slots=True)
class ChartAccount:
    """An account of the chart, as the platform names, codes and types it."""

    name: str
    type: str
    code: str | None = None  # nominal code or account number; None where the platform has none
    status: str = "Active"

    @property
    def key(self) -> str:
        """How a profile's purposes name it: its code, or its name where it has no code."""
        return self.code or self.name


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A tax rate (or tax code, or tax detail) a bill line can carry."""

    code: str
    name: str
    rate: Decimal
    status: str = "Active"


@dataclass(frozen=True, slots=True)
class Category:
    """A kind of supplier: how it is named and what its bills are for."""

    names: tuple[str, ...]
    # (description, purpose, tax class): each profile says which of its accounts a purpose is
    # coded to and which tax rate a tax class carries.
    lines: tuple[tuple[str, str, str], ...]
    unit_range: tuple[int, int]  # whole units of the bill's currency
    max_quantity: int = 1


@dataclass(frozen=True, slots=True)
class City:
    name: str
    region: str
    postcode: str  # a pattern
    area_code: str = ""  # for the locale's phone patterns


@dataclass(frozen=True, slots=True)
class Locale:
    """Where a ledger's home suppliers are, what they sell and how their tax is charged."""

    country: str  # ISO 3166 alpha-2
    currency: str
    cities: tuple[City, ...]  # a city listed twice is drawn twice as often
    home_region: str  # the seeded business's own region
    streets: tuple[str, ...]
    phones: tuple[str, ...]  # patterns; `{area}` is the city's area code
    suffixes: tuple[str, ...]
    email_domain: str
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    name_words: tuple[str, ...]
    categories: tuple[Category, ...]
    # The percentage of each tax class, for platforms whose lines carry no tax rate to read it
    # from (FreeAgent); where a line has a rate, the rate's own percentage is used.
    tax_percent: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class Abroad:
    """The suppliers a ledger has in a foreign currency's country."""

    suffixes: tuple[str, ...]
    email_domain: str
    streets: tuple[str, ...]
    address: tuple[str, str, str, str]  # city, region, postal code, country
    phone: str  # a pattern


@dataclass(frozen=True, slots=True)
class BankAccount:
    name: str  # `{currency}` is the account's currency
    kind: str  # the spec's accountType: Debit or Credit
    number: str  # a pattern
    currency: int | None = None  # None: the base currency; 0 or 1: the first or second foreign one
    sort_code: str | None = None  # a pattern
    nominal_code: str | None = None
    status: str = "Active"


@dataclass(frozen=True, slots=True)
class Profile:
    """A platform's ledger: its chart of accounts, tax rates and bank accounts, how the locale's
    bills are coded to them, and where its suppliers are."""

    key: str  # the platform key (codat.platforms)
    locale: Locale
    accounts: tuple[ChartAccount, ...]
    tax_rates: tuple[TaxRate, ...]
    account_for: Mapping[str, str]  # purpose -> ChartAccount.key
    tax_for: Mapping[str, str | None]  # tax class -> TaxRate.code; None: the line carries none
    bank_accounts: tuple[BankAccount, ...]
    # A tax rate's code -> the one a supplier outside the home region charges instead (India's
    # IGST between states; US sales tax is charged by in-state vendors only).
    out_of_region_tax: Mapping[str, str] = field(default_factory=dict)


# Suppliers abroad bill for services and goods with no home tax.
FOREIGN_CATEGORY: Final = Category(
    ("Software", "Cloud", "Components"),
    (
        ("SaaS subscription, annual", "subscriptions", "none"),
        ("Cloud hosting", "hosting", "none"),
        ("Electronic components", "cost_of_sales", "none"),
    ),
    (50, 4000),
    10,
)

# Fictional numbers where a country sets some aside: Ofcom's 020 7946 0xxx, NANP's 555-01xx.
ABROAD: Final = {
    "USD": Abroad(
        ("Inc", "LLC"),
        "com",
        ("Broadway", "Hudson Street", "Canal Street"),
        ("New York", "NY", "10013", "US"),
        "+1 212 555 01##",
    ),
    "EUR": Abroad(
        ("GmbH", "BV", "SAS"),
        "eu",
        ("Grafton Street", "Baggot Street", "Pearse Street"),
        ("Dublin", "County Dublin", "D02 X285", "IE"),
        "+353 1 555 ####",
    ),
    "GBP": Abroad(
        ("Ltd",),
        "co.uk",
        ("Farringdon Road", "Clerkenwell Road", "St John Street"),
        ("London", "Greater London", "EC1N 7TE", "GB"),
        "+44 20 7946 0###",
    ),
}
