"""The tables the demo data is drawn from: a small UK business's chart of accounts and tax rates as
Xero has them, the kinds of supplier it buys from and what they bill for, and the names, streets
and places its suppliers are made of. Data only; `sandbox.seed.generate` draws from it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

# Base-currency units per unit of each currency (GBP terms), the middle of the seeded range.
GBP_PER_UNIT: Final = {"GBP": Decimal(1), "USD": Decimal("0.79"), "EUR": Decimal("0.855")}

STATUSES: Final = ("Open", "PartiallyPaid", "Paid", "Void", "Draft")
STATUS_WEIGHTS: Final = (40, 15, 30, 7, 8)

# (code, name, type, status): Xero's default UK chart, trimmed.
ACCOUNTS: Final = (
    ("310", "Cost of Goods Sold", "Direct Costs", "Active"),
    ("320", "Direct Wages", "Direct Costs", "Active"),
    ("325", "Direct Expenses", "Direct Costs", "Active"),
    ("400", "Advertising & Marketing", "Expense", "Active"),
    ("401", "Audit & Accountancy fees", "Expense", "Active"),
    ("404", "Bank Fees", "Expense", "Active"),
    ("408", "Cleaning", "Expense", "Active"),
    ("412", "Consulting", "Expense", "Active"),
    ("425", "Postage, Freight & Courier", "Expense", "Active"),
    ("429", "General Expenses", "Expense", "Active"),
    ("430", "Charitable and Political Donations", "Expense", "Archived"),
    ("433", "Insurance", "Expense", "Active"),
    ("441", "Legal Expenses", "Expense", "Active"),
    ("445", "Light, Power, Heating", "Expense", "Active"),
    ("449", "Motor Vehicle Expenses", "Expense", "Active"),
    ("461", "Printing & Stationery", "Expense", "Active"),
    ("463", "IT Software and Consumables", "Expense", "Active"),
    ("469", "Rent", "Expense", "Active"),
    ("473", "Repairs & Maintenance", "Expense", "Active"),
    ("485", "Subscriptions", "Expense", "Active"),
    ("489", "Telephone & Internet", "Expense", "Active"),
    ("493", "Travel - National", "Expense", "Active"),
    ("494", "Travel - International", "Expense", "Active"),
    ("610", "Accounts Receivable", "Current Asset", "Active"),
    ("620", "Prepayments", "Current Asset", "Active"),
    ("710", "Office Equipment", "Fixed Asset", "Active"),
    ("720", "Computer Equipment", "Fixed Asset", "Active"),
    ("800", "Accounts Payable", "Current Liability", "Active"),
    ("820", "VAT", "Current Liability", "Active"),
    ("825", "PAYE Payable", "Current Liability", "Active"),
    ("835", "Directors' Loan Account", "Liability", "Archived"),
)

# (code, name, rate, status): Xero's UK tax rates for purchases; the id is the code (spec example).
TAX_RATES: Final = (
    ("INPUT2", "20% (VAT on Expenses)", Decimal("20.00"), "Active"),
    ("RRINPUT", "5% (VAT on Expenses)", Decimal("5.00"), "Active"),
    ("ZERORATEDINPUT", "Zero Rated Expenses", Decimal("0.00"), "Active"),
    ("EXEMPTINPUT", "Exempt Expenses", Decimal("0.00"), "Active"),
    ("NONE", "No VAT", Decimal("0.00"), "Active"),
    ("INPUT", "17.5% (VAT on Expenses)", Decimal("17.50"), "Archived"),
)


@dataclass(frozen=True, slots=True)
class Category:
    """A kind of supplier: how it is named and what its bills are for."""

    names: tuple[str, ...]
    lines: tuple[tuple[str, str, str], ...]  # (description, account code, tax code)
    unit_range: tuple[int, int]  # whole pounds
    max_quantity: int = 1


CATEGORIES: Final = (
    Category(
        ("Office Supplies", "Stationers"),
        (
            ("A4 copier paper, 5 reams", "461", "INPUT2"),
            ("Toner cartridge, black", "461", "INPUT2"),
            ("Ballpoint pens, box of 50", "461", "INPUT2"),
            ("Desk organisers", "461", "INPUT2"),
        ),
        (4, 120),
        10,
    ),
    Category(
        ("IT Services", "Systems", "Technology"),
        (
            ("Managed IT support, monthly", "412", "INPUT2"),
            ("Microsoft 365 Business Standard licences", "463", "INPUT2"),
            ("Laptop docking station", "463", "INPUT2"),
            ("Firewall subscription", "463", "INPUT2"),
        ),
        (25, 1500),
        5,
    ),
    Category(
        ("Energy", "Power"),
        (
            ("Electricity usage", "445", "RRINPUT"),
            ("Electricity standing charge", "445", "RRINPUT"),
            ("Gas usage", "445", "RRINPUT"),
        ),
        (40, 900),
    ),
    Category(
        ("Telecom", "Communications"),
        (
            ("Business broadband, monthly", "489", "INPUT2"),
            ("Mobile phone contract", "489", "INPUT2"),
            ("VoIP lines", "489", "INPUT2"),
        ),
        (20, 400),
        6,
    ),
    Category(
        ("& Co Accountants", "Accountancy"),
        (
            ("Year-end accounts preparation", "401", "INPUT2"),
            ("VAT return preparation", "401", "INPUT2"),
            ("Payroll bureau, monthly", "401", "INPUT2"),
        ),
        (150, 3500),
    ),
    Category(
        ("Legal LLP", "Solicitors"),
        (
            ("Contract review", "441", "INPUT2"),
            ("Employment advice", "441", "INPUT2"),
            ("Lease negotiation", "441", "INPUT2"),
        ),
        (200, 4000),
    ),
    Category(
        ("Estates", "Property Management"),
        (
            ("Office rent, quarterly", "469", "EXEMPTINPUT"),
            ("Service charge", "469", "INPUT2"),
            ("Boiler repair", "473", "INPUT2"),
        ),
        (300, 6000),
    ),
    Category(
        ("Cleaning Services", "Facilities"),
        (
            ("Office cleaning, monthly", "408", "INPUT2"),
            ("Window cleaning", "408", "INPUT2"),
            ("Washroom services", "408", "INPUT2"),
        ),
        (60, 900),
    ),
    Category(
        ("Couriers", "Logistics", "Freight"),
        (
            ("Next day delivery", "425", "INPUT2"),
            ("Pallet delivery", "425", "INPUT2"),
            ("International courier", "425", "ZERORATEDINPUT"),
        ),
        (8, 450),
        20,
    ),
    Category(
        ("Travel", "Business Travel"),
        (
            ("Rail tickets, London return", "493", "ZERORATEDINPUT"),
            ("Hotel, 2 nights", "493", "INPUT2"),
            ("Flights, LHR to JFK", "494", "ZERORATEDINPUT"),
        ),
        (45, 1800),
        4,
    ),
    Category(
        ("Creative", "Marketing"),
        (
            ("Paid search management", "400", "INPUT2"),
            ("Brochure design", "400", "INPUT2"),
            ("Trade show stand", "400", "INPUT2"),
        ),
        (150, 5000),
    ),
    Category(
        ("Wholesale", "Trading", "Supplies"),
        (
            ("Stock purchase, widgets", "310", "INPUT2"),
            ("Packaging materials", "310", "INPUT2"),
            ("Carriage inwards", "325", "INPUT2"),
        ),
        (2, 250),
        50,
    ),
    Category(
        ("Insurance Brokers",),
        (
            ("Public liability insurance", "433", "EXEMPTINPUT"),
            ("Professional indemnity insurance", "433", "EXEMPTINPUT"),
        ),
        (200, 2500),
    ),
)
# Suppliers abroad bill for services and goods with no UK VAT.
FOREIGN_CATEGORY: Final = Category(
    ("Software", "Cloud", "Components"),
    (
        ("SaaS subscription, annual", "485", "NONE"),
        ("Cloud hosting", "463", "NONE"),
        ("Electronic components", "310", "NONE"),
    ),
    (50, 4000),
    10,
)

NAME_WORDS: Final = (
    "Northridge", "Brightwater", "Kingsley", "Ashford", "Oakfield", "Harbour", "Redbrook",
    "Millstone", "Ferngrove", "Castlegate", "Whitmore", "Beacon", "Thornbury", "Riverside",
    "Greenway", "Holloway", "Pemberton", "Stirling", "Marlow", "Fairfax", "Westbury", "Ellison",
    "Hawthorn", "Larkspur", "Bramley", "Calder", "Dunmore", "Everley", "Foxley", "Glenmore",
    "Hartley", "Ivydale", "Juniper", "Kestrel", "Linden", "Moorcroft", "Newland", "Orchard",
    "Penrose", "Quayside", "Rowan", "Saxon", "Tamar", "Upton", "Valley", "Wexford",
)  # fmt: skip
FIRST_NAMES: Final = (
    "Sarah", "James", "Priya", "Tom", "Aisha", "David", "Emma", "Oliver", "Chloe", "Daniel",
    "Fatima", "George", "Hannah", "Isaac", "Jessica", "Kieran", "Laura", "Mohammed", "Niamh",
    "Owen", "Rebecca", "Samuel", "Zara", "Wei", "Grace", "Liam", "Megan", "Ravi",
)  # fmt: skip
SURNAMES: Final = (
    "Johnson", "Patel", "Smith", "Williams", "Brown", "Taylor", "Khan", "Davies", "Evans",
    "Wilson", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Green", "Clarke", "Hall",
    "Wood", "Murphy", "Campbell", "Chen", "Ahmed", "Kelly", "Lewis", "Morgan",
)  # fmt: skip
STREETS: Final = (
    "High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Park Avenue",
    "King Street", "Queen's Road", "Bridge Street", "Market Place", "London Road", "The Parade",
)  # fmt: skip
# (city, region, postcode district)
UK_CITIES: Final = (
    ("London", "Greater London", "EC1N"),
    ("London", "Greater London", "SE1"),
    ("Manchester", "Greater Manchester", "M1"),
    ("Birmingham", "West Midlands", "B3"),
    ("Leeds", "West Yorkshire", "LS1"),
    ("Bristol", "City of Bristol", "BS1"),
    ("Edinburgh", "City of Edinburgh", "EH2"),
    ("Glasgow", "Glasgow City", "G2"),
    ("Cardiff", "Cardiff", "CF10"),
    ("Nottingham", "Nottinghamshire", "NG1"),
    ("Cambridge", "Cambridgeshire", "CB2"),
    ("Brighton", "East Sussex", "BN1"),
)
# currency -> (legal suffixes, email domain, (city, region, postcode, country))
ABROAD: Final = {
    "USD": (("Inc", "LLC"), "com", ("New York", "NY", "10013", "US")),
    "EUR": (("GmbH", "BV", "SAS"), "eu", ("Dublin", "County Dublin", "D02 X285", "IE")),
    "GBP": (("Ltd",), "co.uk", ("London", "Greater London", "EC1N 7TE", "GB")),
}
