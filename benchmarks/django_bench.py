"""Benchmarks run by `manage.py benchmark` (benchmarks/management/commands/benchmark.py): each is
a function registered under a name that takes the options and returns a JSON-able dict. They run on
throw-away test databases of the engine DATABASE_URL picks, never on the app's own data.

- import: the first-link import of a sandbox company (N unpaid bills of 3 lines, N/10 suppliers)
  against its floor (fetch every page from the sandbox alone + one bulk_create per page), and the
  peak memory growth at 2,000 and N bills.
- inbox: page 1, a filtered page, a search and page 100 of the inbox for that company beside 20
  other companies of 1,000 bills, against a floor view served the same way (same middleware,
  session and login) that renders the same 50 rows from one query through a minimal template.
- refresh: a scheduled refresh with 10 bills changed in the ledger against one with none changed.
- pay: billpay's own time per payment (the confirming pay request minus the time inside the
  ledger), median and p95 over 200 payments.
- bill_create: the create-bill page, the recompute of 20 lines, and a whole 3-line create.
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
from functools import cache, partial
from typing import Any

import httpx
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.db import connection as db_connection
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone

from accounts.models import Company, Connection, Membership, User
from billpay import urls as billpay_urls
from billpay.ledger import SANDBOX_IN_PROCESS_URL, codat_client, codat_client_override
from codat.client import CodatClient
from payables.models import (
    Account,
    BankAccount,
    Bill,
    BillLineItem,
    BillSubmission,
    ImportRun,
    Payment,
    Supplier,
    TaxRate,
)
from payables.services.runs import payables_import_run, payables_refresh_run
from payables.services.sync import Trigger, refresh_since
from sandbox.models import Dataset, LedgerConnection
from sandbox.seed import seed_company
from sandbox.services import platform_record_edit
from sandbox.transport import sandbox_transport

Benchmark = Callable[["Options"], dict[str, Any]]
BENCH_PASSWORD = "bench-password-1"  # noqa: S105  # nosec B105 - throw-away benchmark users
REGISTRY: dict[str, Benchmark] = {}


@dataclass(frozen=True)
class Options:
    bills: int = 10_000
    requests: int = 50
    rounds: int = 3
    other_companies: int = 20
    other_company_bills: int = 1_000
    memory_sizes: tuple[int, ...] = (2_000, 10_000)
    state: dict[str, Any] = field(default_factory=dict)


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(func: Benchmark) -> Benchmark:
        REGISTRY[name] = func
        return func

    return register


# --- shared set-up and import -------------------------------------------------------------------


@cache
def _password_hash() -> str:
    # One hash for every benchmark user: at ~0.25 s of PBKDF2 each, hashing per user was most of
    # the set-up time of a small run (and 50 users' worth of a load run's seeding).
    return make_password(BENCH_PASSWORD)


def _local_company(
    name: str, ledger_company_id: str, ledger_connection_id: str
) -> tuple[Company, Connection]:
    user = User.objects.create_user(f"{uuid.uuid4().hex[:12]}@bench.example")
    user.password = _password_hash()
    user.save(update_fields=["password"])
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


def seeded_company(bills: int, seed: int) -> tuple[Company, Connection]:
    """A sandbox company of `bills` unpaid bills of 3 lines and bills/10 suppliers, and a local
    company linked to it (not imported yet)."""
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


def import_company(company: Company, connection: Connection) -> ImportRun:
    """The company's first-link import, run in this process."""
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


def _clear(company: Company) -> None:
    """Forget what a round imported, so the next round imports into an empty company again."""
    Bill.objects.filter(company=company).delete()
    Supplier.objects.filter(company=company).delete()
    for model in (Account, TaxRate, BankAccount, ImportRun):
        model.objects.filter(company=company).delete()


@benchmark("import")
def import_benchmark(options: Options) -> dict[str, Any]:
    company, connection = seeded_company(options.bills, seed=1)
    floor_company, _ = _local_company("Floor", str(uuid.uuid4()), str(uuid.uuid4()))
    # Import and floor alternate over several rounds and the medians are compared, so that a
    # burst of other work on the machine does not land on one side only.
    seconds, floor_seconds = [], []
    for round_number in range(options.rounds):
        if round_number:
            _clear(company)
            _clear(floor_company)
        seconds.append(_timed(lambda: import_company(company, connection)))
        floor_seconds.append(
            _timed(
                lambda: _floor_import(
                    floor_company, company.codat_company_id, connection.codat_connection_id
                )
            )
        )
    imported = Bill.objects.filter(company=company).count()
    if imported != options.bills:
        raise RuntimeError(f"the import brought {imported} of {options.bills} bills")
    options.state["import_company"] = company
    # Each size imports a ledger of its own; tracemalloc traces Python allocations of the import
    # (and of the in-process sandbox answering it), so growth with N shows up here.
    peaks = {
        str(size): _peak_mb(partial(import_company, *seeded_company(size, seed=size)))
        for size in options.memory_sizes
    }
    median, floor_median = statistics.median(seconds), statistics.median(floor_seconds)
    return {
        "bills": options.bills,
        "suppliers": Supplier.objects.filter(company=company).count(),
        "rounds": options.rounds,
        "seconds": round(median, 2),
        "floor_seconds": round(floor_median, 2),
        "ratio": round(median / floor_median, 2),
        "bills_per_second": round(options.bills / median),
        "peak_mb": peaks,
    }


# --- inbox --------------------------------------------------------------------------------------

FLOOR_TEMPLATE = Template(
    "<table>{% for b in bills %}<tr><td>{{ b.supplier_name }}</td><td>{{ b.reference }}</td>"
    "<td>{{ b.issue_date }}</td><td>{{ b.due_date }}</td><td>{{ b.amount_due }}</td>"
    "<td>{{ b.total_amount }}</td><td>{{ b.currency }}</td><td>{{ b.status }}</td></tr>"
    "{% endfor %}</table>"
)


@login_required
def floor_view(request: HttpRequest, company_id: int, offset: int) -> HttpResponse:
    """The inbox's floor: the same request path (middleware, session, login) and the same 50 rows
    from one query, through a minimal template."""
    bills = list(
        Bill.objects.filter(company_id=company_id, status__in=Bill.UNPAID).order_by(
            "due_date", "id"
        )[offset : offset + 50]
    )
    return HttpResponse(FLOOR_TEMPLATE.render(Context({"bills": bills})))


# The URLconf the inbox benchmark runs under: the app's own, plus the floor view.
urlpatterns = [
    *billpay_urls.urlpatterns,
    path("benchmark/floor/<int:company_id>/<int:offset>/", floor_view),
]


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
        company, connection = seeded_company(options.bills, seed=1)
        import_company(company, connection)
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
    with override_settings(ROOT_URLCONF=__name__):
        for name, (url, offset) in cases.items():
            floor_url = f"/benchmark/floor/{company.pk}/{offset}/"
            for warm in (url, floor_url):
                client.get(warm)  # warm caches, as a real server would be
            timings, queries = _measure(client, url, options.requests)
            floor, _floor_queries = _measure(client, floor_url, options.requests)
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


# --- refresh ------------------------------------------------------------------------------------

REFRESH_REPEATS = 3
REFRESH_CHANGED_BILLS = 10


def _refresh(company: Company, connection: Connection) -> ImportRun:
    run = ImportRun.objects.create(
        company=company,
        connection=connection,
        kind=ImportRun.Kind.REFRESH,
        trigger=Trigger.SCHEDULE,
        modified_since=refresh_since(company),
    )
    run = payables_refresh_run(run_id=run.pk)
    if run.status != ImportRun.Status.SUCCEEDED:
        raise RuntimeError(f"the refresh failed: {run.error}")
    return run


def _change_bills(ledger_connection: Any, bill_ids: list[str], round_: int) -> None:
    for number, bill_id in enumerate(bill_ids):
        platform_record_edit(
            connection=ledger_connection,
            dataset=Dataset.BILLS,
            record_id=bill_id,
            changes={"reference": f"CHANGED-{round_}-{number}"},
        )


@benchmark("refresh")
def refresh_benchmark(options: Options) -> dict[str, Any]:
    """A scheduled refresh of an N-bill company with 10 bills changed in the ledger against one
    with none changed (median of 3 each), beside the company's full first-link import."""
    company, connection = seeded_company(options.bills, seed=6)
    full_seconds = _timed(lambda: import_company(company, connection))
    ledger_connection = LedgerConnection.objects.get(pk=connection.codat_connection_id)
    bill_ids = list(
        Bill.objects.filter(company=company)
        .order_by("?")
        .values_list("codat_id", flat=True)[:REFRESH_CHANGED_BILLS]
    )
    unchanged: list[float] = []
    changed: list[float] = []
    for round_ in range(REFRESH_REPEATS):
        unchanged.append(_timed(lambda: _refresh(company, connection)))
        _change_bills(ledger_connection, bill_ids, round_)
        started = time.perf_counter()
        run = _refresh(company, connection)
        changed.append(time.perf_counter() - started)
        if run.bills_imported != len(bill_ids):
            raise RuntimeError(f"the refresh read {run.bills_imported} changed bills")
    unchanged_seconds = statistics.median(unchanged)
    changed_seconds = statistics.median(changed)
    return {
        "bills": options.bills,
        "changed_bills": len(bill_ids),
        "changed_seconds": round(changed_seconds, 3),
        "unchanged_seconds": round(unchanged_seconds, 3),
        "ratio": round(changed_seconds / unchanged_seconds, 2),
        "full_import_seconds": round(full_seconds, 2),
        "changed_share_of_import": round(changed_seconds / full_seconds, 3),
    }


# --- pay ----------------------------------------------------------------------------------------

PAY_PAYMENTS = 200


@benchmark("pay")
def pay_benchmark(options: Options) -> dict[str, Any]:
    """billpay's own time per payment: the confirming POST of the pay form minus the time spent
    inside the ledger (its bill check, the payment, the read-back), over 200 full payments."""
    company, connection = seeded_company(PAY_PAYMENTS + 20, seed=5)
    import_company(company, connection)
    with db_connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ledger_seconds: list[float] = []
    inner = sandbox_transport()

    def timed(request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            return inner.handle_request(request)
        finally:
            ledger_seconds.append(time.perf_counter() - started)

    db_seconds: list[float] = []

    def timed_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # billpay's own queries (the sandbox ledger has its own connection, timed as the ledger).
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_seconds.append(time.perf_counter() - started)

    def client_factory() -> CodatClient:
        return CodatClient(
            base_url=SANDBOX_IN_PROCESS_URL,
            api_key=settings.SANDBOX_API_KEY,
            transport=httpx.MockTransport(timed),
        )

    banks = {
        b.currency: b.pk
        for b in BankAccount.objects.filter(company=company, status="Active").order_by("-id")
    }
    bills = list(Bill.objects.filter(company=company, status__in=Bill.UNPAID).order_by("id"))
    bills = [b for b in bills if b.currency in banks][:PAY_PAYMENTS]
    if len(bills) < PAY_PAYMENTS:
        raise RuntimeError(f"only {len(bills)} payable bills were seeded")
    client = Client()
    client.force_login(company.memberships.get().user)
    own: list[float] = []
    total: list[float] = []
    ledger: list[float] = []
    own_db: list[float] = []
    queries: list[int] = []
    with codat_client_override(client_factory):
        for bill in bills:
            data = {
                "amount": str(bill.amount_due),
                "paid_on": timezone.localdate().isoformat(),
                "bank_account": banks[bill.currency],
                "currency_rate": "",
                "reference": "Benchmark",
                "idempotency_key": str(uuid.uuid4()),
                "amount_due": str(bill.amount_due),
                "confirm": "1",
            }
            # A browser shows the success message on the page it is redirected to; this client
            # does not follow, so drop it rather than let 200 messages pile up in the cookie.
            client.cookies.pop("messages", None)
            ledger_seconds.clear()
            db_seconds.clear()
            gc.collect()
            started = time.perf_counter()
            with db_connection.execute_wrapper(timed_query):
                response = client.post(f"/bills/{bill.pk}/pay/", data)
            elapsed = time.perf_counter() - started
            if response.status_code != 302:
                raise RuntimeError(f"paying bill {bill.pk} answered {response.status_code}")
            inside = sum(ledger_seconds)
            total.append(elapsed * 1000)
            ledger.append(inside * 1000)
            own.append((elapsed - inside) * 1000)
            own_db.append(sum(db_seconds) * 1000)
            queries.append(len(db_seconds))
    succeeded = Payment.objects.filter(company=company, status=Payment.Status.SUCCEEDED).count()
    if succeeded != PAY_PAYMENTS:
        raise RuntimeError(f"{succeeded} of {PAY_PAYMENTS} payments succeeded")
    own_median, own_p95 = _summary(own)
    request_median, _ = _summary(total)
    ledger_median, _ = _summary(ledger)
    return {
        "payments": PAY_PAYMENTS,
        "own_median_ms": own_median,
        "own_p95_ms": own_p95,
        "request_median_ms": request_median,
        "ledger_median_ms": ledger_median,
        "own_db_median_ms": _summary(own_db)[0],
        "queries_median": statistics.median(queries),
    }


# --- bill_create --------------------------------------------------------------------------------


def _bill_post(company: Company, lines: int, action: str) -> dict[str, str]:
    account = Account.objects.get(company=company, nominal_code="461")
    rate = TaxRate.objects.get(company=company, code="INPUT2")
    supplier = Supplier.objects.filter(company=company, status="Active").order_by("name").first()
    assert supplier is not None
    data = {
        "token": str(uuid.uuid4()),
        "supplier": supplier.name,
        "reference": f"BENCH-{uuid.uuid4().hex[:8]}",
        "issue_date": "2026-03-01",
        "due_date": "2026-03-31",
        "currency": company.base_currency or "GBP",
        "lines-TOTAL_FORMS": str(lines),
        "lines-INITIAL_FORMS": "0",
        "action": action,
    }
    for n in range(lines):
        data |= {
            f"lines-{n}-description": f"Line {n}",
            f"lines-{n}-quantity": "3",
            f"lines-{n}-unit_amount": "19.99",
            f"lines-{n}-account": str(account.pk),
            f"lines-{n}-tax_rate": str(rate.pk),
        }
    return data


def _measure_post(
    client: Client, url: str, requests: int, data: Callable[[], dict[str, str]], expect: int
) -> tuple[list[float], int]:
    timings: list[float] = []
    queries = 0
    for _ in range(requests):
        body = data()
        with CaptureQueriesContext(db_connection) as captured:
            started = time.perf_counter()
            response = client.post(url, body, headers={"HX-Request": "true"})
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != expect:
            raise RuntimeError(f"POST {url} answered {response.status_code}")
        queries = len(captured.captured_queries)
    return timings, queries


@benchmark("bill_create")
def bill_create_benchmark(options: Options) -> dict[str, Any]:
    """The create-bill form of a company with N/10 suppliers (N capped at 2,000 bills): the page,
    the server-side recompute of 20 lines as the user types, and a whole create (the ledger write
    in-process, then the local store) of a 3-line bill."""
    bills = min(options.bills, 2_000)
    company, connection = seeded_company(bills, seed=4)
    import_company(company, connection)
    with db_connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(company.memberships.get().user)
    url = "/bills/new/"
    client.get(url)
    result: dict[str, Any] = {"bills": bills, "suppliers": max(bills // 10, 1)}
    timings, queries = _measure(client, url, options.requests)
    result["page"] = dict(zip(("median_ms", "p95_ms"), _summary(timings), strict=True))
    result["page"]["queries"] = queries
    recalc = _bill_post(company, 20, "recalc")
    timings, queries = _measure_post(client, url, options.requests, lambda: recalc, 200)
    result["recalc_20_lines"] = dict(zip(("median_ms", "p95_ms"), _summary(timings), strict=True))
    result["recalc_20_lines"]["queries"] = queries
    before = BillSubmission.objects.filter(company=company).count()
    timings, queries = _measure_post(
        client, url, options.requests, lambda: _bill_post(company, 3, "save"), 200
    )
    created = BillSubmission.objects.filter(company=company).count() - before
    if created != options.requests:
        raise RuntimeError(f"{created} bills created for {options.requests} submits")
    result["create_3_lines"] = dict(zip(("median_ms", "p95_ms"), _summary(timings), strict=True))
    result["create_3_lines"]["queries"] = queries
    return result


def run_benchmarks(names: list[str], options: Options) -> dict[str, Any]:
    """Run the named benchmarks in order; later ones reuse what earlier ones loaded."""
    results: dict[str, Any] = {"engine": db_connection.vendor}
    for name in names:
        results[name] = REGISTRY[name](options)
    return results
