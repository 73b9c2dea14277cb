"""Seed the companies of a load run into a running production stack (see benchmarks/load.py).

Run with the stack's environment: each company is a sandbox ledger company with unpaid bills,
a billpay company linked to it, and its first-link import done over HTTP. Prints JSON: one
{"email", "password", "company_id"} per company.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--bills", type=int, default=200)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billpay.settings")
    import django

    django.setup()
    from benchmarks.django_bench import BENCH_PASSWORD, import_company, seeded_company

    accounts = []
    for number in range(args.companies):
        company, connection = seeded_company(args.bills, seed=1000 + number)
        run = import_company(company, connection)
        if run.status != run.Status.SUCCEEDED:
            raise SystemExit(f"the import of company {number} ended {run.status}: {run.error}")
        user = company.memberships.get().user
        accounts.append({"email": user.email, "password": BENCH_PASSWORD, "company_id": company.pk})
    json.dump(accounts, sys.stdout)


if __name__ == "__main__":
    main()
