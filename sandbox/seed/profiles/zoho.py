"""Zoho Books: an Indian company in Bengaluru (Karnataka) with Zoho Books' Indian chart and GST
rates. Every record's id is a long number from one sequence; accounts have no codes (Zoho's
account code is optional and the default chart has none)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sandbox.seed.data import BankAccount, ChartAccount, Profile, TaxRate
from sandbox.seed.locales import INDIA

# Zoho Books' own account types.
ACCOUNTS: Final = (
    ChartAccount("Cost of Goods Sold", "Cost Of Goods Sold"),
    ChartAccount("Materials", "Cost Of Goods Sold"),
    ChartAccount("Freight Inward", "Cost Of Goods Sold"),
    ChartAccount("Advertising And Marketing", "Expense"),
    ChartAccount("Automobile Expense", "Expense"),
    ChartAccount("Bank Fees and Charges", "Expense"),
    ChartAccount("Consultant Expense", "Expense"),
    ChartAccount("Electricity Expense", "Expense"),
    ChartAccount("IT and Internet Expenses", "Expense"),
    ChartAccount("Insurance Expense", "Expense"),
    ChartAccount("Janitorial Expense", "Expense"),
    ChartAccount("Legal Fees", "Expense"),
    ChartAccount("Lodging", "Expense"),
    ChartAccount("Meals and Entertainment", "Expense", status="Archived"),
    ChartAccount("Office Supplies", "Expense"),
    ChartAccount("Postage", "Expense"),
    ChartAccount("Printing and Stationery", "Expense"),
    ChartAccount("Rent Expense", "Expense"),
    ChartAccount("Repairs and Maintenance", "Expense"),
    ChartAccount("Subscriptions", "Expense"),
    ChartAccount("Telephone Expense", "Expense"),
    ChartAccount("Travel Expense", "Expense"),
    ChartAccount("Other Expenses", "Expense"),
    ChartAccount("Prepaid Expenses", "Other Current Asset"),
    ChartAccount("Input CGST", "Other Current Asset"),
    ChartAccount("Input SGST", "Other Current Asset"),
    ChartAccount("Input IGST", "Other Current Asset"),
    ChartAccount("Furniture and Equipment", "Fixed Asset"),
    ChartAccount("Accounts Payable", "Accounts Payable"),
    ChartAccount("GST Payable", "Other Current Liability"),
    ChartAccount("TDS Payable", "Other Current Liability"),
    # From before GST (July 2017).
    ChartAccount("VAT Payable", "Other Current Liability", status="Archived"),
)

# GST: within Karnataka a supplier charges CGST + SGST (Zoho's GST tax groups), from another state
# IGST, at the same total rate.
TAX_RATES: Final = (
    TaxRate("GST0", "GST0 [0%]", Decimal("0.00")),
    TaxRate("GST5", "GST5 [5%]", Decimal("5.00")),
    TaxRate("GST12", "GST12 [12%]", Decimal("12.00")),
    TaxRate("GST18", "GST18 [18%]", Decimal("18.00")),
    TaxRate("GST28", "GST28 [28%]", Decimal("28.00")),
    TaxRate("IGST0", "IGST0 [0%]", Decimal("0.00")),
    TaxRate("IGST5", "IGST5 [5%]", Decimal("5.00")),
    TaxRate("IGST12", "IGST12 [12%]", Decimal("12.00")),
    TaxRate("IGST18", "IGST18 [18%]", Decimal("18.00")),
    TaxRate("IGST28", "IGST28 [28%]", Decimal("28.00")),
    TaxRate("VAT14.5", "VAT [14.5%]", Decimal("14.50"), "Archived"),
)

ZOHO_PROFILE: Final = Profile(
    key="rwuv",
    locale=INDIA,
    accounts=ACCOUNTS,
    tax_rates=TAX_RATES,
    account_for={
        "stationery": "Printing and Stationery",
        "it_support": "IT and Internet Expenses",
        "software": "IT and Internet Expenses",
        "hosting": "IT and Internet Expenses",
        "utilities": "Electricity Expense",
        "telephone": "Telephone Expense",
        "accountancy": "Consultant Expense",
        "legal": "Legal Fees",
        "rent": "Rent Expense",
        "repairs": "Repairs and Maintenance",
        "cleaning": "Janitorial Expense",
        "postage": "Postage",
        "travel": "Travel Expense",
        "accommodation": "Lodging",
        "travel_abroad": "Travel Expense",
        "advertising": "Advertising And Marketing",
        "cost_of_sales": "Cost of Goods Sold",
        "materials": "Materials",
        "carriage": "Freight Inward",
        "insurance": "Insurance Expense",
        "subscriptions": "Subscriptions",
    },
    # Untaxed lines (electricity, imports) carry no rate: Zoho wants one only with a non-zero tax.
    tax_for={"gst5": "GST5", "gst12": "GST12", "gst18": "GST18", "gst28": "GST28", "none": None},
    out_of_region_tax={
        "GST0": "IGST0",
        "GST5": "IGST5",
        "GST12": "IGST12",
        "GST18": "IGST18",
        "GST28": "IGST28",
    },
    bank_accounts=(
        BankAccount("Current Account", "Debit", "50200#########"),
        BankAccount("Savings Account", "Debit", "50100#########"),
        BankAccount("Corporate Credit Card", "Credit", "####"),
        # Exchange Earners' Foreign Currency accounts: foreign currency held in India.
        BankAccount("EEFC {currency} Account", "Debit", "50300#########", 0),
        BankAccount("EEFC {currency} Account", "Debit", "50300#########", 1),
        BankAccount("Old Current Account", "Debit", "50200#########", None, None, None, "Archived"),
    ),
)
