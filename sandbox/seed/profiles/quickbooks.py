"""QuickBooks Online: a UK company with QuickBooks' UK chart and VAT codes.

QuickBooks Online UK numbers nothing: accounts have names and no codes (account numbers are off by
default), and every record's id is a per-type counter (codat.platforms: IdFormat.COUNTER), so
accounts and VAT codes are found by name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sandbox.seed.data import BankAccount, ChartAccount, Profile, TaxRate
from sandbox.seed.locales import UK

# QuickBooks' own account types (its AccountType values).
ACCOUNTS: Final = (
    ChartAccount("Cost of sales", "Cost of Goods Sold"),
    ChartAccount("Supplies and materials - COS", "Cost of Goods Sold"),
    ChartAccount("Freight and delivery - COS", "Cost of Goods Sold"),
    ChartAccount("Advertising/Promotional", "Expense"),
    ChartAccount("Bank charges", "Expense"),
    ChartAccount("Dues and Subscriptions", "Expense"),
    ChartAccount("Equipment rental", "Expense", status="Archived"),
    ChartAccount("Insurance", "Expense"),
    ChartAccount("Legal and professional fees", "Expense"),
    ChartAccount("Meals and entertainment", "Expense"),
    ChartAccount("Office expenses", "Expense"),
    ChartAccount("Other general and administrative expenses", "Expense"),
    ChartAccount("Promotional meals", "Expense", status="Archived"),
    ChartAccount("Rent or lease payments", "Expense"),
    ChartAccount("Repair and maintenance", "Expense"),
    ChartAccount("Shipping and delivery expense", "Expense"),
    ChartAccount("Stationery and printing", "Expense"),
    ChartAccount("Travel", "Expense"),
    ChartAccount("Utilities", "Expense"),
    ChartAccount("Accounts Receivable (A/R)", "Accounts Receivable"),
    ChartAccount("Prepaid expenses", "Other Current Asset"),
    ChartAccount("Office equipment", "Fixed Asset"),
    ChartAccount("Accounts Payable (A/P)", "Accounts Payable"),
    ChartAccount("VAT Control", "Other Current Liability"),
    ChartAccount("VAT Suspense", "Other Current Liability"),
)

# QuickBooks UK's VAT codes: one code for purchases and sales alike, named by rate and letter.
# The EC codes went inactive when the UK left the EU.
TAX_RATES: Final = (
    TaxRate("20.0% S", "20.0% S", Decimal("20.00")),
    TaxRate("5.0% R", "5.0% R", Decimal("5.00")),
    TaxRate("0.0% Z", "0.0% Z", Decimal("0.00")),
    TaxRate("Exempt", "Exempt", Decimal("0.00")),
    TaxRate("No VAT", "No VAT", Decimal("0.00")),
    TaxRate("20.0% ECG", "20.0% ECG", Decimal("20.00"), "Archived"),
)

QUICKBOOKS_PROFILE: Final = Profile(
    key="qhyg",
    locale=UK,
    accounts=ACCOUNTS,
    tax_rates=TAX_RATES,
    account_for={
        "stationery": "Stationery and printing",
        "it_support": "Other general and administrative expenses",
        "software": "Office expenses",
        "hosting": "Office expenses",
        "utilities": "Utilities",
        "telephone": "Utilities",
        "accountancy": "Legal and professional fees",
        "legal": "Legal and professional fees",
        "rent": "Rent or lease payments",
        "repairs": "Repair and maintenance",
        "cleaning": "Office expenses",
        "postage": "Shipping and delivery expense",
        "travel": "Travel",
        "accommodation": "Travel",
        "travel_abroad": "Travel",
        "advertising": "Advertising/Promotional",
        "cost_of_sales": "Cost of sales",
        "materials": "Supplies and materials - COS",
        "carriage": "Freight and delivery - COS",
        "insurance": "Insurance",
        "subscriptions": "Dues and Subscriptions",
    },
    tax_for={
        "standard": "20.0% S",
        "reduced": "5.0% R",
        "zero": "0.0% Z",
        "exempt": "Exempt",
        "none": "No VAT",
    },
    bank_accounts=(
        BankAccount("Business Current Account", "Debit", "########", None, "40-##-##"),
        BankAccount("Business Savings Account", "Debit", "########", None, "40-##-##"),
        BankAccount("Credit Card", "Credit", "####"),
        BankAccount("{currency} Account", "Debit", "GB##HBUK4005##########", 0),
        BankAccount("{currency} Account", "Debit", "GB##HBUK4005##########", 1),
        BankAccount("Old Current Account", "Debit", "########", None, "40-##-##", None, "Archived"),
    ),
)
