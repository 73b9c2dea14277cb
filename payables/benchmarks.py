"""Benchmarks run by `manage.py benchmark`: each is a function registered under a name that takes
the options and returns a JSON-able dict. They run on throw-away test databases of the engine
DATABASE_URL picks, never on the app's own data.

- import: the first-link import of a sandbox company (N unpaid bills of 3 lines, N/10 suppliers)
  against its floor (fetch every page from the sandbox alone + one bulk_create per page), and the
  peak memory growth at 2,000 and N bills.
- inbox: page 1, a filtered page, a search and page 100 of the inbox for that company beside 20
  other companies of 1,000 bills, against a floor view (one query, a minimal template).
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection as db_connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Company, Connection, Membership, User
from billpay.ledger import codat_client
from payables.models import Bill, BillLineItem, ImportRun, Supplier

Benchmark = Callable[["Options"], dict[str, Any]]
REGISTRY: dict[str, Benchmark] = {}


@dataclass(frozen=True)
class Options:
    bills: int = 10_000
    requests: int = 50
    other_companies: int = 20
    other_company_bills: int = 1_000
    memory_sizes: tuple[int, ...] = (2_000, 10_000)
    state: dict[str, Any] = field(default_factory=dict)


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(func: Benchmark) -> Benchmark:
        REGISTRY[name] = func
        return func

    return register


# --- shared set-up ------------------------------------------------------------------------------


def _local_company(
    name: str, ledger_company_id: str, ledger_connection_id: str
) -> tuple[Company, Connection]:
    user = User.objects.create_user(f"{uuid.uuid4().hex[:12]}@bench.example", "bench-password-1")
    company = Company.objects.create(name=name, codat_company_id=ledger_company_id, created_by=user)
    Membership.objects.create(user=user, company=company, role=Membership.Role.OWNER)
    connection = Connection.objects.create(
        company=company,
        codat_connection_id=ledger_connection_id,
        platform_key="gbol",
        platform_name="Xero",
        status=Connection.Status.LINKED,
        link_url="http://127.0.0.1:8000/sandbox/",
    )
    return company, connection


def _seeded(bills: int, seed: int) -> tuple[Company, Connection]:
    from sandbox.seed import seed_company

    ledger_company, ledger_connection = seed_company(
        name=f"Bench {bills} #{seed}",
        bills=bills,
        suppliers=max(bills // 10, 1),
        seed=seed,
        statuses=("Open", "PartiallyPaid"),
        lines_per_bill=3,
    )
    return _local_company(
        f"Bench {bills} #{seed}", str(ledger_company.id), str(ledger_connection.id)
    )


def _import(company: Company, connection: Connection) -> ImportRun:
    from payables.services import payables_import_run

    run = ImportRun.objects.create(company=company, connection=connection)
    return payables_import_run(run_id=run.pk)


def _floor_import(company: Company, cid: str, conn: str) -> None:
    """Fetch every supplier and bill page from the sandbox and insert each page with bulk_create."""
    now = timezone.now()
    with codat_client() as client:
        token: str | None = None
        while True:
            suppliers = client.list_suppliers_page(cid, conn, continuation_token=token)
            Supplier.objects.bulk_create(
                Supplier(company=company, codat_id=s.id, name=s.supplier_name, last_read_at=now)
                for s in suppliers.items
            )
            token = suppliers.continuation_token
            if not token:
                break
        while True:
            page = client.list_bills_page(cid, conn, continuation_token=token)
            bills = Bill.objects.bulk_create(
                Bill(
                    company=company,
                    codat_id=b.id,
                    supplier_codat_id=b.supplier_ref.id,
                    supplier_name=b.supplier_ref.supplier_name or "",
                    reference=b.reference or "",
                    issue_date=b.issue_date.date(),
                    due_date=b.due_date.date(),
                    currency=b.currency,
                    status=b.status,
                    total_amount=b.total_amount,
                    amount_due=b.amount_due if b.amount_due is not None else b.total_amount,
                    last_read_at=now,
                )
                for b in page.items
            )
            BillLineItem.objects.bulk_create(
                BillLineItem(
                    bill=bill,
                    position=position,
                    description=line.description or "",
                    quantity=line.quantity or Decimal(0),
                    unit_amount=line.unit_amount or Decimal(0),
                    tax_amount=line.tax_amount or Decimal(0),
                    total_amount=line.total_amount or Decimal(0),
                )
                for bill, source in zip(bills, page.items, strict=True)
                for position, line in enumerate(source.line_items, start=1)
            )
            token = page.continuation_token
            if not token:
                break


def _timed(func: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def _peak_mb(func: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 1)


@benchmark("import")
def import_benchmark(options: Options) -> dict[str, Any]:
    company, connection = _seeded(options.bills, seed=1)
    floor_company, _ = _local_company("Floor", str(uuid.uuid4()), str(uuid.uuid4()))
    seconds = _timed(lambda: _import(company, connection))
    floor_seconds = _timed(
        lambda: _floor_import(
            floor_company, company.codat_company_id, connection.codat_connection_id
        )
    )
    imported = Bill.objects.filter(company=company).count()
    if imported != options.bills:
        raise RuntimeError(f"the import brought {imported} of {options.bills} bills")
    options.state["import_company"] = company
    # Each size imports a ledger of its own; tracemalloc traces Python allocations of the import
    # (and of the in-process sandbox answering it), so growth with N shows up here.
    peaks = {
        str(size): _peak_mb(partial(_import, *_seeded(size, seed=size)))
        for size in options.memory_sizes
    }
    return {
        "bills": options.bills,
        "suppliers": Supplier.objects.filter(company=company).count(),
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor_seconds, 2),
        "ratio": round(seconds / floor_seconds, 2),
        "bills_per_second": round(options.bills / seconds),
        "peak_mb": peaks,
    }


# --- inbox --------------------------------------------------------------------------------------

FLOOR_TEMPLATE = Template(
    "<table>{% for b in bills %}<tr><td>{{ b.supplier_name }}</td><td>{{ b.reference }}</td>"
    "<td>{{ b.issue_date }}</td><td>{{ b.due_date }}</td><td>{{ b.amount_due }}</td>"
    "<td>{{ b.total_amount }}</td><td>{{ b.currency }}</td><td>{{ b.status }}</td></tr>"
    "{% endfor %}</table>"
)


def _floor_view(company: Company, offset: int) -> str:
    bills = list(
        Bill.objects.filter(company=company, status__in=Bill.UNPAID).order_by("due_date", "id")[
            offset : offset + 50
        ]
    )
    return FLOOR_TEMPLATE.render(Context({"bills": bills}))


def _other_companies(options: Options) -> None:
    today = timezone.localdate()
    for number in range(options.other_companies):
        company, _connection = _local_company(
            f"Other {number}", str(uuid.uuid4()), str(uuid.uuid4())
        )
        supplier = Supplier.objects.create(
            company=company, codat_id=str(uuid.uuid4()), name=f"Supplier {number}"
        )
        Bill.objects.bulk_create(
            Bill(
                company=company,
                supplier=supplier,
                codat_id=str(uuid.uuid4()),
                supplier_codat_id=supplier.codat_id,
                supplier_name=supplier.name,
                reference=f"OTHER-{number}-{i}",
                issue_date=today - dt.timedelta(days=i % 90),
                due_date=today + dt.timedelta(days=(i % 120) - 60),
                currency="GBP",
                status=Bill.Status.OPEN,
                total_amount=Decimal("100.00"),
                amount_due=Decimal("100.00"),
                search_text=f"supplier {number} other-{number}-{i}",
            )
            for i in range(options.other_company_bills)
        )


def _measure(client: Client, url: str, requests: int) -> tuple[list[float], int]:
    timings: list[float] = []
    queries = 0
    for _ in range(requests):
        with CaptureQueriesContext(db_connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        queries = len(captured.captured_queries)
    return timings, queries


def _summary(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return round(statistics.median(ordered), 2), round(ordered[int(len(ordered) * 0.95) - 1], 2)


@benchmark("inbox")
def inbox_benchmark(options: Options) -> dict[str, Any]:
    company = options.state.get("import_company")
    if company is None:
        company, connection = _seeded(options.bills, seed=1)
        _import(company, connection)
    _other_companies(options)
    # Freshly bulk-loaded tables have no planner statistics yet; a live database would have them
    # from autovacuum (PostgreSQL) or a past ANALYZE (SQLite), so gather them before measuring.
    with db_connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(company.memberships.get().user)
    top_supplier = (
        Supplier.objects.filter(company=company)
        .order_by("name")
        .values_list("pk", flat=True)
        .first()
    )
    cases = {
        "page1": ("/", 0),
        "filtered": (f"/?status=Open&currency=GBP&due=overdue&supplier={top_supplier}", 0),
        "search": ("/?q=ltd", 0),
        "page100": ("/?page=100", 99 * 50),
    }
    result: dict[str, Any] = {}
    for name, (url, offset) in cases.items():
        client.get(url)  # warm caches, as a real server would be
        timings, queries = _measure(client, url, options.requests)
        floor = []
        for _ in range(options.requests):
            started = time.perf_counter()
            _floor_view(company, offset)
            floor.append((time.perf_counter() - started) * 1000)
        median, p95 = _summary(timings)
        floor_median, _floor_p95 = _summary(floor)
        result[name] = {
            "median_ms": median,
            "p95_ms": p95,
            "queries": queries,
            "floor_median_ms": floor_median,
            "ratio": round(median / floor_median, 2),
        }
    return result


def run_benchmarks(names: list[str], options: Options) -> dict[str, Any]:
    """Run the named benchmarks in order; later ones reuse what earlier ones loaded."""
    results: dict[str, Any] = {"engine": db_connection.vendor}
    for name in names:
        results[name] = REGISTRY[name](options)
    return results
