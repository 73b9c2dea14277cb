"""Sage Intacct: a US company, New York based, with a numbered GL chart (accounts' codes are their
account numbers, their ids record numbers) and purchase tax details, whose ids are their names
(codat.platforms SAGE_INTACCT: IdFormat.CODE)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sandbox.seed.data import BankAccount, ChartAccount, Profile, TaxRate
from sandbox.seed.locales import US

# Intacct's accounts are only "balancesheet" or "incomestatement": the type is Codat's own
# classification (the spec's example is "Liability").
ACCOUNTS: Final = (
    ChartAccount("Accounts Receivable", "Asset", "1200"),
    ChartAccount("Prepaid Expenses", "Asset", "1400"),
    ChartAccount("Computer Equipment", "Asset", "1600"),
    ChartAccount("Accounts Payable", "Liability", "2000"),
    ChartAccount("Accrued Expenses", "Liability", "2100"),
    ChartAccount("Sales Tax Payable", "Liability", "2300"),
    ChartAccount("Cost of Goods Sold", "Expense", "5000"),
    ChartAccount("Packaging - COGS", "Expense", "5050"),
    ChartAccount("Freight and Shipping - COGS", "Expense", "5100"),
    ChartAccount("Rent", "Expense", "6100"),
    ChartAccount("Repairs and Maintenance", "Expense", "6150"),
    ChartAccount("Utilities", "Expense", "6200"),
    ChartAccount("Telephone and Internet", "Expense", "6250"),
    ChartAccount("Office Supplies", "Expense", "6300"),
    ChartAccount("Postage and Delivery", "Expense", "6350"),
    ChartAccount("Software Subscriptions", "Expense", "6400"),
    ChartAccount("IT Services", "Expense", "6450"),
    ChartAccount("Advertising and Promotion", "Expense", "6500"),
    ChartAccount("Professional Fees - Legal", "Expense", "6600"),
    ChartAccount("Professional Fees - Accounting", "Expense", "6610"),
    ChartAccount("Insurance", "Expense", "6700"),
    ChartAccount("Travel", "Expense", "6800"),
    ChartAccount("Janitorial", "Expense", "6850"),
    ChartAccount("Bank Fees", "Expense", "6900"),
    ChartAccount("Dues and Subscriptions", "Expense", "6950"),
    ChartAccount("Miscellaneous Expense", "Expense", "6990", "Archived"),
)

# Tax details: purchase ones for bills, and the sales one invoices use (its name says so, and
# billpay offers only purchase rates on expense lines: payables tax_rate_valid_for_account).
TAX_RATES: Final = (
    TaxRate("US Purchase Tax NY", "US Purchase Tax NY", Decimal("8.875")),
    TaxRate("US Purchase Tax Exempt", "US Purchase Tax Exempt", Decimal("0.00")),
    TaxRate("US Sales Tax NY", "US Sales Tax NY", Decimal("8.875")),
    TaxRate("US Purchase Tax CA", "US Purchase Tax CA", Decimal("8.625"), "Archived"),
)

INTACCT_PROFILE: Final = Profile(
    key="knfz",
    locale=US,
    accounts=ACCOUNTS,
    tax_rates=TAX_RATES,
    account_for={
        "stationery": "6300",
        "it_support": "6450",
        "software": "6400",
        "hosting": "6400",
        "utilities": "6200",
        "telephone": "6250",
        "accountancy": "6610",
        "legal": "6600",
        "rent": "6100",
        "repairs": "6150",
        "cleaning": "6850",
        "postage": "6350",
        "travel": "6800",
        "accommodation": "6800",
        "travel_abroad": "6800",
        "advertising": "6500",
        "cost_of_sales": "5000",
        "materials": "5050",
        "carriage": "5100",
        "insurance": "6700",
        "subscriptions": "6950",
    },
    tax_for={
        "taxable": "US Purchase Tax NY",
        "exempt": "US Purchase Tax Exempt",
        "none": "US Purchase Tax Exempt",
    },
    out_of_region_tax={"US Purchase Tax NY": "US Purchase Tax Exempt"},
    # Checking accounts only: Intacct keeps credit cards apart from its bank accounts, and creates
    # checking accounts alone (codat.platforms SAGE_INTACCT creatable_bank_account_types).
    bank_accounts=(
        BankAccount("Operating Checking", "Debit", "############", None, None, "1010"),
        BankAccount("Savings", "Debit", "##########", None, None, "1020"),
        BankAccount("{currency} Account", "Debit", "##########", 0, None, "1030"),
        BankAccount("{currency} Account", "Debit", "##########", 1, None, "1040"),
        BankAccount("Old Operating Checking", "Debit", "#########", None, None, "1090", "Archived"),
    ),
)
