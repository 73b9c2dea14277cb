"""Xero: a UK organisation with Xero's default UK chart (trimmed) and its UK VAT rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sandbox.seed.data import BankAccount, ChartAccount, Profile, TaxRate
from sandbox.seed.locales import UK

# Xero's own account types; the code is the nominal code, the id a GUID.
ACCOUNTS: Final = (
    ChartAccount("Cost of Goods Sold", "Direct Costs", "310"),
    ChartAccount("Direct Wages", "Direct Costs", "320"),
    ChartAccount("Direct Expenses", "Direct Costs", "325"),
    ChartAccount("Advertising & Marketing", "Expense", "400"),
    ChartAccount("Audit & Accountancy fees", "Expense", "401"),
    ChartAccount("Bank Fees", "Expense", "404"),
    ChartAccount("Cleaning", "Expense", "408"),
    ChartAccount("Consulting", "Expense", "412"),
    ChartAccount("Postage, Freight & Courier", "Expense", "425"),
    ChartAccount("General Expenses", "Expense", "429"),
    ChartAccount("Charitable and Political Donations", "Expense", "430", "Archived"),
    ChartAccount("Insurance", "Expense", "433"),
    ChartAccount("Legal Expenses", "Expense", "441"),
    ChartAccount("Light, Power, Heating", "Expense", "445"),
    ChartAccount("Motor Vehicle Expenses", "Expense", "449"),
    ChartAccount("Printing & Stationery", "Expense", "461"),
    ChartAccount("IT Software and Consumables", "Expense", "463"),
    ChartAccount("Rent", "Expense", "469"),
    ChartAccount("Repairs & Maintenance", "Expense", "473"),
    ChartAccount("Subscriptions", "Expense", "485"),
    ChartAccount("Telephone & Internet", "Expense", "489"),
    ChartAccount("Travel - National", "Expense", "493"),
    ChartAccount("Travel - International", "Expense", "494"),
    ChartAccount("Accounts Receivable", "Current Asset", "610"),
    ChartAccount("Prepayments", "Current Asset", "620"),
    ChartAccount("Office Equipment", "Fixed Asset", "710"),
    ChartAccount("Computer Equipment", "Fixed Asset", "720"),
    ChartAccount("Accounts Payable", "Current Liability", "800"),
    ChartAccount("VAT", "Current Liability", "820"),
    ChartAccount("PAYE Payable", "Current Liability", "825"),
    ChartAccount("Directors' Loan Account", "Liability", "835", "Archived"),
)

# Xero's UK tax rates for purchases; the id is the code (the spec's example, `INPUT2`).
TAX_RATES: Final = (
    TaxRate("INPUT2", "20% (VAT on Expenses)", Decimal("20.00")),
    TaxRate("RRINPUT", "5% (VAT on Expenses)", Decimal("5.00")),
    TaxRate("ZERORATEDINPUT", "Zero Rated Expenses", Decimal("0.00")),
    TaxRate("EXEMPTINPUT", "Exempt Expenses", Decimal("0.00")),
    TaxRate("NONE", "No VAT", Decimal("0.00")),
    TaxRate("INPUT", "17.5% (VAT on Expenses)", Decimal("17.50"), "Archived"),
)

XERO_PROFILE: Final = Profile(
    key="gbol",
    locale=UK,
    accounts=ACCOUNTS,
    tax_rates=TAX_RATES,
    account_for={
        "stationery": "461",
        "it_support": "412",
        "software": "463",
        "hosting": "463",
        "utilities": "445",
        "telephone": "489",
        "accountancy": "401",
        "legal": "441",
        "rent": "469",
        "repairs": "473",
        "cleaning": "408",
        "postage": "425",
        "travel": "493",
        "accommodation": "493",
        "travel_abroad": "494",
        "advertising": "400",
        "cost_of_sales": "310",
        "materials": "310",
        "carriage": "325",
        "insurance": "433",
        "subscriptions": "485",
    },
    tax_for={
        "standard": "INPUT2",
        "reduced": "RRINPUT",
        "zero": "ZERORATEDINPUT",
        "exempt": "EXEMPTINPUT",
        "none": "NONE",
    },
    bank_accounts=(
        # A UK account's sort code and 8-digit number make 14 digits: Xero shows them.
        BankAccount("Business Current Account", "Debit", "########", None, "20-##-##", "090"),
        BankAccount("Business Savings Account", "Debit", "########", None, "20-##-##", "091"),
        # A card shows its last four digits: Xero masks it (4 digits, not 14).
        BankAccount("Company Credit Card", "Credit", "####", None, None, "092"),
        BankAccount("{currency} Account", "Debit", "GB##BARC2004##########", 0, None, "093"),
        BankAccount("{currency} Account", "Debit", "GB##BARC2004##########", 1, None, "094"),
        # From before a bank merger: a 7-digit number, masked, and Archived.
        BankAccount(
            "Old Business Account", "Debit", "#######", None, "20-##-##", "095", "Archived"
        ),
    ),
)
