"""Prepare the embedded demo: an admin login and a seeded sandbox ledger company."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import User
from sandbox.models import LedgerCompany
from sandbox.seed import seed_company

DEMO_ADMIN_EMAIL = "admin@billpay.localhost"


class Command(BaseCommand):
    help = "Create (or reset) the demo admin login and seed the sandbox ledger once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", help="Admin password (default: a new random one).")
        parser.add_argument("--bills", type=int, default=120)
        parser.add_argument("--suppliers", type=int, default=25)

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
        if admin is None:
            User.objects.create_superuser(DEMO_ADMIN_EMAIL, password, full_name="Demo Admin")
        else:
            admin.set_password(password)
            admin.save(update_fields=["password"])
        if not LedgerCompany.objects.exists():
            company, connection = seed_company(
                name="Demo Trading Ltd",
                bills=options["bills"],
                suppliers=options["suppliers"],
                seed=42,
            )
            self.stdout.write(f"Seeded sandbox company {company.id}, connection {connection.id}")
        self.stdout.write(self.style.SUCCESS(f"Admin login: {DEMO_ADMIN_EMAIL} / {password}"))
