"""`manage.py sandbox_seed`: a new sandbox company whose Linked connection holds demo data."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.platforms import PLATFORMS
from sandbox.seed import seed_company, seed_summary

PLATFORM_CHOICES = ", ".join(f"{key} ({platform.name})" for key, platform in PLATFORMS.items())


class Command(BaseCommand):
    help = (
        "Create a sandbox ledger company with a Linked connection and deterministic demo data. "
        "Prints company_id=... and connection_id=... lines, then a summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bills", type=int, default=60, help="Bills to create (default 60).")
        parser.add_argument(
            "--suppliers", type=int, default=15, help="Suppliers to create (default 15)."
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument("--name", default="Demo Ltd", help='Company name (default "Demo Ltd").')
        parser.add_argument(
            "--platform",
            default="gbol",
            help=f"Platform key (default gbol): {PLATFORM_CHOICES}. The ledger is seeded as that "
            "platform keeps it: its chart, tax rates, statuses, ids and home currency.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["platform"] not in PLATFORMS:
            raise CommandError(
                f"Unknown platform key {options['platform']!r}: use one of {PLATFORM_CHOICES}."
            )
        started = time.perf_counter()
        try:
            company, connection = seed_company(
                name=options["name"],
                bills=options["bills"],
                suppliers=options["suppliers"],
                seed=options["seed"],
                platform_key=options["platform"],
            )
        except (ValueError, ValidationError) as error:  # bad counts or name
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started
        summary = seed_summary(connection)
        self.stdout.write(f"company_id={company.id}")
        self.stdout.write(f"connection_id={connection.id}")
        statuses = ", ".join(
            f"{count} {status}" for status, count in summary.bills_by_status.items()
        )
        self.stdout.write(
            f"Seeded {company.name!r} on {connection.platform_key} in {elapsed:.1f}s: "
            f"{summary.bills} bills ({statuses}), {summary.payments} payments, "
            f"{summary.suppliers} suppliers, {summary.accounts} accounts, "
            f"{summary.tax_rates} tax rates, {summary.bank_accounts} bank accounts."
        )
