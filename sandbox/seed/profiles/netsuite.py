"""Oracle NetSuite: a US company, New York based, with "Use Account Numbers" on (so every account,
bank accounts too, has its number: codat.platforms NETSUITE bank_account_code_required) and
NetSuite's legacy US tax codes. Every record's id is an internal id from one sequence."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sandbox.seed.data import BankAccount, ChartAccount, Profile, TaxRate
from sandbox.seed.locales import US

# NetSuite's own account types; the code is the account number.
ACCOUNTS: Final = (
    ChartAccount("Accounts Receivable", "Accounts Receivable", "1200"),
    ChartAccount("Prepaid Expenses", "Other Current Asset", "1400"),
    ChartAccount("Furniture and Equipment", "Fixed Asset", "1500"),
    ChartAccount("Computer Equipment", "Fixed Asset", "1510"),
    ChartAccount("Accounts Payable", "Accounts Payable", "2000"),
    ChartAccount("Accrued Liabilities", "Other Current Liability", "2200"),
    ChartAccount("Sales Tax Payable", "Other Current Liability", "2210"),
    ChartAccount("Cost of Goods Sold", "Cost of Goods Sold", "5000"),
    ChartAccount("Packaging and Supplies", "Cost of Goods Sold", "5010"),
    ChartAccount("Freight In", "Cost of Goods Sold", "5100"),
    ChartAccount("Advertising & Marketing", "Expense", "6010"),
    ChartAccount("Bank Service Charges", "Expense", "6020"),
    ChartAccount("Janitorial", "Expense", "6030"),
    ChartAccount("Dues & Subscriptions", "Expense", "6040"),
    ChartAccount("Insurance", "Expense", "6050"),
    ChartAccount("Legal Fees", "Expense", "6060"),
    ChartAccount("Accounting Fees", "Expense", "6070"),
    ChartAccount("Consulting Fees", "Expense", "6080"),
    ChartAccount("Office Supplies", "Expense", "6100"),
    ChartAccount("Postage & Delivery", "Expense", "6110"),
    ChartAccount("Rent Expense", "Expense", "6130"),
    ChartAccount("Repairs & Maintenance", "Expense", "6140"),
    ChartAccount("Software & Cloud Services", "Expense", "6150"),
    ChartAccount("Telephone & Internet", "Expense", "6160"),
    ChartAccount("Travel", "Expense", "6170"),
    ChartAccount("Meals & Entertainment", "Expense", "6180"),
    ChartAccount("Utilities", "Expense", "6190"),
    ChartAccount("IT Services", "Expense", "6200"),
    ChartAccount("Charitable Contributions", "Other Expense", "6900", "Archived"),
    ChartAccount("Miscellaneous Expense", "Other Expense", "6990", "Archived"),
)

# NetSuite's legacy US tax codes (SuiteTax off: codat.platforms NETSUITE). Vendors in New York
# charge the city's combined rate; the others charge none.
TAX_RATES: Final = (
    TaxRate("-Not Taxable-", "-Not Taxable-", Decimal("0.00")),
    TaxRate("NY-NEW YORK CITY", "NY-NEW YORK CITY", Decimal("8.875")),
    TaxRate("NY-KINGS COUNTY", "NY-KINGS COUNTY", Decimal("8.875")),
    TaxRate("NJ-HUDSON COUNTY", "NJ-HUDSON COUNTY", Decimal("6.625")),
    TaxRate("CA-SAN FRANCISCO", "CA-SAN FRANCISCO", Decimal("8.625"), "Archived"),
)

NETSUITE_PROFILE: Final = Profile(
    key="akxx",
    locale=US,
    accounts=ACCOUNTS,
    tax_rates=TAX_RATES,
    account_for={
        "stationery": "6100",
        "it_support": "6200",
        "software": "6150",
        "hosting": "6150",
        "utilities": "6190",
        "telephone": "6160",
        "accountancy": "6070",
        "legal": "6060",
        "rent": "6130",
        "repairs": "6140",
        "cleaning": "6030",
        "postage": "6110",
        "travel": "6170",
        "accommodation": "6170",
        "travel_abroad": "6170",
        "advertising": "6010",
        "cost_of_sales": "5000",
        "materials": "5010",
        "carriage": "5100",
        "insurance": "6050",
        "subscriptions": "6040",
    },
    tax_for={"taxable": "NY-NEW YORK CITY", "exempt": "-Not Taxable-", "none": "-Not Taxable-"},
    out_of_region_tax={"NY-NEW YORK CITY": "-Not Taxable-"},
    bank_accounts=(
        # US accounts have routing numbers, not sort codes.
        BankAccount("Operating Checking", "Debit", "############", None, None, "1000"),
        BankAccount("Money Market Savings", "Debit", "##########", None, None, "1010"),
        BankAccount("Corporate Card", "Credit", "####", None, None, "2010"),
        BankAccount("{currency} Account", "Debit", "##########", 0, None, "1020"),
        BankAccount("{currency} Account", "Debit", "##########", 1, None, "1030"),
        BankAccount("Old Checking", "Debit", "#########", None, None, "1090", "Archived"),
    ),
)
