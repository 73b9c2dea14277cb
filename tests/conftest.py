from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest
import time_machine

from tests.ledger_company import linked, make_ledger_company, paying

__all__ = ["linked", "make_ledger_company", "paying"]

SPEC_VALIDATOR = "tests.ledger_spec.validate_ledger_response"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-django has set Django up by now. Every response the sandbox ledger produces during the
    # session is checked against Codat's spec (see tests/ledger_spec.py).
    from django.conf import settings

    settings.SANDBOX_RESPONSE_VALIDATOR = SPEC_VALIDATOR


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.ledger_spec import validation_stats

    stats = validation_stats()
    terminalreporter.write_line(
        f"sandbox spec checks: {stats.total} responses validated over "
        f"{len(stats.by_operation)} operation/status pairs"
    )
    if terminalreporter.config.get_verbosity() > 0:
        for (operation_id, status), count in sorted(stats.by_operation.items()):
            terminalreporter.write_line(f"  {operation_id} {status}: {count}")


@pytest.fixture(autouse=True)
def _no_cache(settings):
    """Tests run without the cache: inside a test's transaction nothing commits, so the payables
    version that keys cached figures never moves. tests/payables/views/test_inbox_cache.py turns
    it on, with real commits, to test the caching itself."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


# --- Shared fixtures: a user, their company, another company, a logged-in client ---------------


@pytest.fixture
def user(db):
    from tests.accounts.factories import UserFactory

    return UserFactory(email="owner@example.com")


@pytest.fixture
def company(user):
    """The user's company, linked to Xero (an owner membership and a Linked connection)."""
    from tests.accounts.factories import CompanyFactory, ConnectionFactory, MembershipFactory

    company = CompanyFactory(name="Acme Widgets Ltd")
    MembershipFactory(user=user, company=company)
    ConnectionFactory(company=company)
    return company


@pytest.fixture
def other_company(db):
    """A company the user does not belong to."""
    from tests.accounts.factories import CompanyFactory, ConnectionFactory, MembershipFactory

    company = CompanyFactory(name="Someone Else Ltd")
    MembershipFactory(company=company)
    ConnectionFactory(company=company)
    return company


@pytest.fixture
def client_logged_in(client, user, company):
    client.force_login(user)
    return client


# --- Browser tests: a database other threads can open -------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix) -> None:
    """With browser tests in the session, SQLite test databases are files, not shared memory.

    The live server and the Celery worker run in threads with connections of their own; a shared
    in-memory SQLite database would hand them table locks ("database table is locked") where a
    file in WAL mode lets readers and one writer work side by side, as in production.
    scripts/test runs the browser tests in a pass of their own, so the others keep memory.
    """
    from django.conf import settings

    if not any(item.get_closest_marker("browser") for item in request.session.items):
        return
    for alias, db in settings.DATABASES.items():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / f"test-{alias}.sqlite3")


# --- Stand-ins for the process edges: enqueueing a task, and the clock ------------------------


@pytest.fixture
def enqueued_payment() -> Iterator[mock.MagicMock]:
    """A payment retry's enqueueing: recorded, never run (tests drive retries by hand)."""
    with mock.patch("payables.tasks.payment_retry.delay_on_commit") as delay:
        yield delay


@pytest.fixture
def enqueued_import() -> Iterator[mock.MagicMock]:
    """A first-link import's enqueueing: recorded, never run."""
    with mock.patch("payables.tasks.payables_import.delay_on_commit") as delay:
        yield delay


@pytest.fixture
def enqueued_refresh() -> Iterator[mock.MagicMock]:
    """A refresh's enqueueing: recorded, never run."""
    with mock.patch("payables.tasks.payables_refresh.delay_on_commit") as delay:
        yield delay


@pytest.fixture
def enqueued_attachment() -> Iterator[mock.MagicMock]:
    """An attachment upload's enqueueing (a file the ledger did not take at once): recorded, never
    run (tests send it by hand)."""
    with mock.patch("payables.tasks.attachment_sync.delay_on_commit") as delay:
        yield delay


@pytest.fixture
def enqueued_webhook() -> Iterator[mock.MagicMock]:
    """Webhooks the sandbox queued for delivery (url, message id, body): recorded, never sent
    (tests deliver them by hand, or check what would go)."""
    with mock.patch("sandbox.tasks.sandbox_webhook_deliver.delay") as delay:
        yield delay


@pytest.fixture
def enqueued_runs(enqueued_import, enqueued_refresh) -> dict[str, mock.MagicMock]:
    """Both run tasks' enqueueing, by kind ("import", "refresh")."""
    return {"import": enqueued_import, "refresh": enqueued_refresh}


@pytest.fixture
def frozen_today() -> Iterator[None]:
    """15 March 2026, noon UTC, standing still."""
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


# --- The engine-agnostic tests run once ---------------------------------------------------------
# scripts/test runs the suite on SQLite and again on PostgreSQL with Redis. A test that touches
# neither a database (pytest-django refuses database access to a test without the django_db mark
# or a database fixture) nor a service mark cannot tell the two passes apart, so it runs once: the
# SQLite pass leaves it out (BILLPAY_DESELECT_ENGINE_AGNOSTIC=1), since that pass shares its lane
# with the browser pass. Deselected, not skipped, and counted in the pass's summary line. The
# settings and production-shape tests run in both: they read the pass's own environment.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)
SERVICE_MARKS = ("postgres", "redis", "s3", "prism", "browser", "django_db")
READS_THE_ENVIRONMENT = ("tests/billpay/test_settings.py", "tests/production/")


def engine_agnostic(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(mark) for mark in SERVICE_MARKS):
        return False
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return False
    return not item.nodeid.startswith(READS_THE_ENVIRONMENT)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import os

    if os.environ.get("BILLPAY_DESELECT_ENGINE_AGNOSTIC") != "1":
        return
    kept = [item for item in items if not engine_agnostic(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if engine_agnostic(item)])
        items[:] = kept
