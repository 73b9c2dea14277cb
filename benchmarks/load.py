"""Load run: many small businesses at once against billpay as it runs at scale.

Starts the production stack of tests/production/stack.py (gunicorn with 2 workers, Celery worker
and beat over Redis, PostgreSQL, S3 on moto, the sandbox ledger over HTTP), seeds N companies with
their first-link import done, then runs locust headless with one user per company for S seconds
(benchmarks/locustfile.py: inbox, filters, search, paging, bill pages, paying bills). Prints and
writes JSON: requests per second, p95 and errors, overall and per request name.

    .venv/bin/pip install -e ".[dev,load]"
    .venv/bin/python benchmarks/load.py --companies 50 --seconds 60 --json var/load.json

Needs PostgreSQL and Redis on loopback (BILLPAY_TEST_POSTGRES, BILLPAY_TEST_REDIS).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.production.stack import BIN, ProductionStack  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(int(len(ordered) * share), len(ordered) - 1)], 1) if ordered else 0.0


def _figures(times: list[tuple[float, str, float, bool]]) -> dict[str, Any]:
    """Requests per second, median, p95 and errors of the steady state: the requests that ended
    after the last login (50 password hashes at once are a start-up cost, not the load's)."""
    logins = [end for end, name, _ms, _failed in times if name.startswith("login")]
    start = max(logins, default=min((t[0] for t in times), default=0.0))
    steady = [t for t in times if t[0] > start and not t[1].startswith("login")]
    if not steady:
        return {"requests": 0}
    seconds = max(t[0] for t in steady) - start
    by_name: dict[str, list[tuple[float, str, float, bool]]] = {}
    for t in steady:
        by_name.setdefault(t[1], []).append(t)

    def summary(rows: list[tuple[float, str, float, bool]]) -> dict[str, Any]:
        ms = [row[2] for row in rows]
        return {
            "requests": len(rows),
            "errors": sum(row[3] for row in rows),
            "rps": round(len(rows) / seconds, 1),
            "median_ms": _percentile(ms, 0.5),
            "p95_ms": _percentile(ms, 0.95),
        }

    return {
        "steady_seconds": round(seconds, 1),
        **summary(steady),
        "by_request": {name: summary(rows) for name, rows in sorted(by_name.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--bills", type=int, default=200, help="Unpaid bills per company.")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--app-workers", type=int, default=2)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="billpay-load-"))
    with ProductionStack.start(workdir, app_workers=args.app_workers) as stack:
        seeded = subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "load_seed.py"),
                f"--companies={args.companies}",
                f"--bills={args.bills}",
            ],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
            check=True,
        )
        accounts = workdir / "accounts.json"
        accounts.write_text(seeded.stdout)
        times_path = workdir / "times.json"
        failures_prefix = workdir / "locust"
        locust_log = (workdir / "locust.log").open("wb")
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.companies),
                "--spawn-rate",
                str(args.companies),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                stack.app_url,
                "--csv",
                str(failures_prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **stack.env,
                "LOAD_ACCOUNTS": str(accounts),
                "LOAD_TIMES": str(times_path),
                "PYTHONPATH": str(ROOT),
            },
            stdout=locust_log,
            stderr=subprocess.STDOUT,
            check=False,
        )
        locust_log.close()
        figures = _figures(json.loads(times_path.read_text()))
        failures_csv = Path(f"{failures_prefix}_failures.csv")
        failures = list(csv.DictReader(failures_csv.open())) if failures_csv.exists() else []
    result = {
        "load": {
            "companies": args.companies,
            "bills_per_company": args.bills,
            "seconds": args.seconds,
            "app_workers": args.app_workers,
            **figures,
            "failures": [
                {
                    "request": f"{f['Method']} {f['Name']}",
                    "error": f["Error"],
                    "count": f["Occurrences"],
                }
                for f in failures
            ],
        }
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_path:
        Path(args.json_path).write_text(text + "\n")


if __name__ == "__main__":
    main()
