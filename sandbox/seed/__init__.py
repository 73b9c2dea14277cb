"""Deterministic demo data for a sandbox connection: a small UK business as Xero would show it.

Everything comes from one `random.Random(seed)` and a reference day (today by default), so the same
seed on the same day gives the same documents, ids included. Records are written with bulk_create,
in the exact shapes the API serves (see `sandbox.api.bills` and `sandbox.api.mapping`):

- a chart of accounts (Direct Costs and Expense accounts with Xero's default codes, a few liability
  and asset accounts, two Archived), Xero's UK tax rates (INPUT2 20%, RRINPUT 5%, ZERORATEDINPUT,
  EXEMPTINPUT, NONE, and the Archived 17.5% INPUT);
- bank accounts in the base currency (current, savings, a credit card), one per foreign currency and
  one Archived; some GBP accounts have numbers Xero masks (sort code + number != 14 digits);
- suppliers with contacts, emails, fictional phone numbers (Ofcom's drama ranges), addresses, a
  default currency (mostly the base one) and about 1 in 10 Archived;
- bills across every status (mostly Open and PartiallyPaid, then Paid, Void and Draft), issued over
  the last 120 days with 7 to 60 day terms so that some outstanding bills are overdue, 1 to 5 lines,
  each supplier billing in its own currency (foreign ones with a currencyRate), the payments behind
  every PartiallyPaid and Paid bill, and supplier balances equal to their outstanding amount due.

The tables are in `sandbox.seed.data`, the generator that draws from them in `sandbox.seed.generate`;
this package exports what callers use.
"""

from __future__ import annotations

from sandbox.seed.data import STATUSES
from sandbox.seed.generate import SeedSummary, seed_company, seed_connection, seed_summary

__all__ = ["STATUSES", "SeedSummary", "seed_company", "seed_connection", "seed_summary"]
