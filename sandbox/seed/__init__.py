"""Deterministic demo data for a sandbox connection: a small business's ledger as its platform
would show it.

Everything comes from one `random.Random(seed)` and a reference day (today by default), so the same
seed on the same day gives the same documents, ids included. Records are written with bulk_create,
in the exact shapes the API serves (see `sandbox.api.bills` and `sandbox.api.mapping`), and each
platform's ledger follows its row of codat.platforms:

- its chart of accounts and tax rates as the platform names, codes and ids them
  (`sandbox.seed.profiles`: Xero's UK chart and VAT codes, QuickBooks Online UK's named accounts
  and VAT codes, NetSuite's and Sage Intacct's numbered US charts, FreeAgent's nominal codes and no
  tax rates, Zoho Books' Indian chart and GST rates), some Archived;
- bank accounts in the base currency (current, savings, a credit card where the platform has them),
  one per foreign currency and one Archived, numbered as the country numbers them;
- suppliers with contacts, emails, fictional phone numbers, addresses in the business's country
  (`sandbox.seed.locales`) or abroad, a default currency (the base one on FreeAgent, which keeps
  none) and about 1 in 10 Archived;
- bills in the platform's statuses only (mostly Open and PartiallyPaid, then Paid, Void and
  Draft where it has them), issued over the last 120 days with 7 to 60 day terms so that some
  outstanding bills are overdue, 1 to 5 lines each carrying tax as the platform wants it, each
  supplier billing in its own currency (foreign ones with a currencyRate) under references unique
  to it, the payments behind every PartiallyPaid and Paid bill, and supplier balances equal to
  their outstanding amount due in their currency.

The shared tables are in `sandbox.seed.data`, the generator that draws from them in
`sandbox.seed.generate`; this package exports what callers use.
"""

from __future__ import annotations

from sandbox.seed.data import STATUSES
from sandbox.seed.generate import SeedSummary, seed_company, seed_connection, seed_summary

__all__ = ["STATUSES", "SeedSummary", "seed_company", "seed_connection", "seed_summary"]
