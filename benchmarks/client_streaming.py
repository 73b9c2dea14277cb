"""Benchmark: listing every bill streams page by page, so memory does not grow with the total.

Seeds sandbox ledgers of increasing size (in a throw-away var/ folder), lists all their unpaid
bills through billpay's Codat client on the in-process sandbox, and reports time and the peak of
Python allocations while listing (tracemalloc; this includes the in-process sandbox serving
the pages). Prints one JSON object. Run: `.venv/bin/python benchmarks/client_streaming.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="Comma-separated bill counts.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    os.environ["BILLPAY_VAR_DIR"] = tempfile.mkdtemp(prefix="billpay-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billpay.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    from billpay.ledger import codat_client
    from sandbox.seed import seed_company

    call_command("migrate", database="sandbox", verbosity=0)
    runs = []
    for size in sizes:
        started = time.perf_counter()
        company, connection = seed_company(
            name=f"Bench {size}", bills=size, suppliers=max(size // 50, 5), seed=size
        )
        seeded = time.perf_counter() - started
        with codat_client() as client:
            tracemalloc.start()
            started = time.perf_counter()
            count = sum(1 for _ in client.list_bills(str(company.id), str(connection.id)))
            listed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        runs.append(
            {
                "bills_seeded": size,
                "unpaid_bills_listed": count,
                "pages": -(-count // 100),
                "seed_seconds": round(seeded, 2),
                "list_seconds": round(listed, 2),
                "bills_per_second": round(count / listed),
                "peak_traced_mib": round(peak / 2**20, 2),
            }
        )
    smallest, largest = runs[0], runs[-1]
    result = {
        "benchmark": "client_streaming",
        "runs": runs,
        # Bounded by one page: the peak barely moves while the total grows tenfold.
        "peak_growth_ratio": round(largest["peak_traced_mib"] / smallest["peak_traced_mib"], 2),
        "total_growth_ratio": round(
            largest["unpaid_bills_listed"] / smallest["unpaid_bills_listed"], 2
        ),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
