"""A real Celery worker is killed (SIGKILL) in the middle of an import; the stall sweeper resumes
the run and a new worker finishes it, with every bill stored exactly once.

Everything runs as separate processes on the embedded setup, as `scripts/demo` runs it: SQLite
files and the filesystem broker in a var/ of the test's own. The filesystem broker forgets a
message once a worker has taken it, so nothing but the sweeper can bring the run back. The
processes get that setup whatever database and broker the test run itself uses.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


# 450 unpaid bills are five pages of the ledger's 100; each page takes 0.6 s, so the worker is
# killed with some pages stored and others still to come.
BILLS = 450
SETUP = f"""
from accounts.models import Company, Connection
from payables.services.imports import payables_import_start
from sandbox.models import Fault
from sandbox.seed import seed_company
from sandbox.services import fault_inject
from tests.accounts.factories import CompanyFactory, ConnectionFactory

ledger_company, ledger_connection = seed_company(
    name="Ledger Ltd", bills={BILLS}, suppliers=20, seed=7, statuses=("Open", "PartiallyPaid")
)
company = CompanyFactory(codat_company_id=str(ledger_company.id))
connection = ConnectionFactory(company=company, codat_connection_id=str(ledger_connection.id))
fault_inject(kind=Fault.Kind.LATENCY, path_contains="/payables/bills", latency_ms=600)
print(payables_import_start(company=company, connection=connection).pk)
"""
SWEEP = """
import datetime as dt
from django.conf import settings
from django.utils import timezone
from payables.services.imports import import_runs_resume_stalled
from sandbox.models import Fault

Fault.objects.all().delete()
# The clock moved on past the stall window: nothing stored a page since the kill.
later = timezone.now() + dt.timedelta(seconds=settings.IMPORT_STALL_SECONDS + 1)
print(*import_runs_resume_stalled(now=later))
"""


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "SANDBOX_DATABASE_URL",
            "CELERY_BROKER_URL",
            "CELERY_RESULT_BACKEND",
            "CODAT_API_KEY",
            "CODAT_BASE_URL",
            "AWS_STORAGE_BUCKET_NAME",
            "CELERY_TASK_ALWAYS_EAGER",
        }
    }
    env |= {"BILLPAY_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "billpay.settings"}
    migrations = [
        subprocess.Popen(
            [str(BIN / "python"), "manage.py", "migrate", "-v0", "--database", alias],
            cwd=ROOT,
            env=env,
        )
        for alias in ("default", "sandbox")
    ]
    assert [m.wait(timeout=60) for m in migrations] == [0, 0]
    return env


def _shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "billpay",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _run(env: dict[str, str], run_id: int) -> dict[str, object]:
    db = sqlite3.connect(f"file:{env['BILLPAY_VAR_DIR']}/billpay.sqlite3?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        row = db.execute("SELECT * FROM payables_importrun WHERE id = ?", (run_id,)).fetchone()
        bills = db.execute(
            "SELECT count(*), count(DISTINCT codat_id) FROM payables_bill"
        ).fetchone()
    finally:
        db.close()
    return {**dict(row), "bill_rows": bills[0], "distinct_bills": bills[1]}


def _wait_for(
    env: dict[str, str], run_id: int, done: object, log: Path, timeout: float = 30
) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = _run(env, run_id)
        if done(run):  # type: ignore[operator]
            return run
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting; run is {_run(env, run_id)}\n{log.read_text()[-3000:]}")


def test_import_whose_worker_was_killed_is_resumed_and_finished_once(
    embedded: dict[str, str], tmp_path: Path
) -> None:
    env = embedded
    run_id = int(_shell(env, SETUP))
    log = tmp_path / "worker.log"

    first = _worker(env, log)
    try:
        before = _wait_for(
            env, run_id, lambda r: r["bills_imported"] >= 100 and not r["bills_done"], log
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    time.sleep(1)  # a page in flight when it died stays uncommitted

    killed = _run(env, run_id)
    # Left as it was: running, some pages stored, nothing to carry it on.
    assert killed["status"] == "running"
    assert 100 <= killed["bills_imported"] < BILLS  # type: ignore[operator]
    assert killed["bills_token"]
    assert killed["lease"] == before["lease"]

    assert _shell(env, SWEEP) == "1 0"  # one resumed, none failed
    resumed = _run(env, run_id)
    assert resumed["status"] == "pending"
    assert resumed["resumes"] == 1
    assert resumed["lease"] == ""

    second = _worker(env, log)
    try:
        run = _wait_for(
            env, run_id, lambda r: r["status"] != "pending" and r["phase"] == "done", log
        )
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=15)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()

    assert run["status"] == "succeeded", run
    assert run["attempts"] == 2
    assert run["lease"] not in ("", before["lease"])
    # Every bill exactly once: one row per ledger bill, and the counter counted each page once.
    assert run["bill_rows"] == run["distinct_bills"] == BILLS
    assert run["bills_imported"] == BILLS
