"""Run billpay's benchmarks on throw-away databases and write their figures as JSON."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import setup_databases, teardown_databases

from benchmarks.django_bench import REGISTRY, Options, run_benchmarks


class Command(BaseCommand):
    help = "Run benchmarks (see benchmarks/django_bench.py) and print/write their JSON figures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--only", nargs="+", choices=sorted(REGISTRY), help="Benchmarks to run."
        )
        parser.add_argument("--bills", type=int, default=10_000, help="Bills of the main company.")
        parser.add_argument("--requests", type=int, default=50, help="Requests per inbox case.")
        parser.add_argument(
            "--rounds", type=int, default=3, help="Import rounds (their median is reported)."
        )
        parser.add_argument("--json", dest="json_path", help="Also write the JSON here.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bills"] < 100:
            raise CommandError("--bills must be at least 100.")
        if options["rounds"] < 1:
            raise CommandError("--rounds must be at least 1.")
        names = options["only"] or list(REGISTRY)
        memory_sizes = tuple(sorted({min(2_000, options["bills"]), options["bills"]}))
        scratch = Path(tempfile.mkdtemp(prefix="billpay-benchmark-"))
        # As in production: DEBUG would keep every query in memory and slow every request.
        settings.DEBUG = False
        databases: dict[str, dict[str, Any]] = settings.DATABASES
        for alias, database in databases.items():
            if database["ENGINE"].endswith("sqlite3"):
                # A file, not the in-memory default: the figures should be a real disk's.
                database.setdefault("TEST", {})["NAME"] = str(scratch / f"{alias}.sqlite3")
        old = setup_databases(verbosity=0, interactive=False, aliases=databases)
        try:
            results = run_benchmarks(
                names,
                Options(
                    bills=options["bills"],
                    requests=options["requests"],
                    rounds=options["rounds"],
                    memory_sizes=memory_sizes,
                ),
            )
        finally:
            teardown_databases(old, verbosity=0)
        text = json.dumps(results, indent=2)
        self.stdout.write(text)
        if options["json_path"]:
            Path(options["json_path"]).write_text(text + "\n")
