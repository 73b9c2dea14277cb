"""FreeAgent: a UK limited company with FreeAgent's standard categories, whose ids are their
nominal codes (codat.platforms FREEAGENT: IdFormat.CODE), and no tax rates.

Why no tax rates: FreeAgent has no tax-rate records. VAT on a bill item is a percentage with a
status, defaulted from its category's "auto sales tax rate" (FreeAgent API, Categories), so there
is nothing with an id for a line to reference, and Codat wants `taxRateRef` null on FreeAgent
bill lines with the tax in `taxAmount` (docs update-bill.md). An empty taxRates list is what such
a ledger can honestly show; the tax of each line is its class's UK rate (locales.UK).
"""

from __future__ import annotations

from typing import Final

from sandbox.seed.data import BankAccount, ChartAccount, Profile, TaxRate
from sandbox.seed.locales import UK

# Nominal codes and descriptions of FreeAgent's standard categories (cost of sales 096-199,
# admin expenses 200-399, balance sheet 600 up). FreeAgent's groups ("Cost of Sales", "Admin
# Expenses") are no account types, so the type is Codat's own classification; categories have
# no archived state in FreeAgent's API, so none is Archived.
ACCOUNTS: Final = (
    ChartAccount("Cost of Sales", "Expense", "101"),
    ChartAccount("Commission Paid", "Expense", "102"),
    ChartAccount("Materials", "Expense", "103"),
    ChartAccount("Equipment Hire", "Expense", "104"),
    ChartAccount("Subcontractor Costs", "Expense", "150"),
    ChartAccount("Mileage", "Expense", "249"),
    ChartAccount("Office Costs", "Expense", "250"),
    ChartAccount("Rent", "Expense", "251"),
    ChartAccount("Web Hosting", "Expense", "268"),
    ChartAccount("Computer Software", "Expense", "269"),
    ChartAccount("Computer Hardware", "Expense", "270"),
    ChartAccount("Office Equipment", "Expense", "271"),
    ChartAccount("Other Computer Costs", "Expense", "272"),
    ChartAccount("Internet & Telephone", "Expense", "273"),
    ChartAccount("Mobile Phone", "Expense", "274"),
    ChartAccount("Printing", "Expense", "276"),
    ChartAccount("Stationery", "Expense", "277"),
    ChartAccount("Sundries", "Expense", "280"),
    ChartAccount("Motor Expenses", "Expense", "283"),
    ChartAccount("Accommodation and Meals", "Expense", "285"),
    ChartAccount("Advertising and Promotion", "Expense", "288"),
    ChartAccount("Legal and Professional Fees", "Expense", "290"),
    ChartAccount("Accountancy Fees", "Expense", "292"),
    ChartAccount("Consultancy Fees", "Expense", "293"),
    ChartAccount("Postage", "Expense", "358"),
    ChartAccount("Books and Journals", "Expense", "359"),
    ChartAccount("Charitable Donations", "Expense", "360"),
    ChartAccount("Subscriptions", "Expense", "361"),
    ChartAccount("Bank/Finance Charges", "Expense", "363"),
    ChartAccount("Insurance", "Expense", "364"),
    ChartAccount("Travel", "Expense", "365"),
    ChartAccount("Prepayments", "Asset", "620"),
    ChartAccount("Trade Debtors", "Asset", "681"),
    ChartAccount("Trade Creditors", "Liability", "796"),
    ChartAccount("VAT", "Liability", "817"),
)

TAX_RATES: Final[tuple[TaxRate, ...]] = ()

FREEAGENT_PROFILE: Final = Profile(
    key="fbrh",
    locale=UK,
    accounts=ACCOUNTS,
    tax_rates=TAX_RATES,
    account_for={
        "stationery": "277",
        "it_support": "272",
        "software": "269",
        "hosting": "268",
        "utilities": "250",
        "telephone": "273",
        "accountancy": "292",
        "legal": "290",
        "rent": "251",
        "repairs": "250",
        "cleaning": "250",
        "postage": "358",
        "travel": "365",
        "accommodation": "285",
        "travel_abroad": "365",
        "advertising": "288",
        "cost_of_sales": "101",
        "materials": "103",
        "carriage": "101",
        "insurance": "364",
        "subscriptions": "361",
    },
    tax_for={"standard": None, "reduced": None, "zero": None, "exempt": None, "none": None},
    # FreeAgent lists each bank account as a sub-account of nominal code 750 (its API's 750-x
    # categories). Ids are counters.
    bank_accounts=(
        BankAccount("Business Current Account", "Debit", "########", None, "60-##-##", "750-1"),
        BankAccount("Business Savings Account", "Debit", "########", None, "60-##-##", "750-2"),
        BankAccount("Business Credit Card", "Credit", "####", None, None, "750-3"),
        BankAccount("{currency} Account", "Debit", "GB##NWBK6016##########", 0, None, "750-4"),
        BankAccount("{currency} Account", "Debit", "GB##NWBK6016##########", 1, None, "750-5"),
        # Hidden in FreeAgent.
        BankAccount(
            "Old Current Account", "Debit", "########", None, "60-##-##", "750-6", "Archived"
        ),
    ),
)
