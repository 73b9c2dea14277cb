"""Write paths of the sandbox ledger that are not API calls: consent, faults, deauthorization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sandbox.api.records import iso, lock_document, now_iso, save_document
from sandbox.models import Fault, LedgerCompany, LedgerConnection, LedgerRecord
from sandbox.platforms import platform_for
from sandbox.routers import SANDBOX_ALIAS
from sandbox.seed import seed_connection
from sandbox.webhooks import connection_event, read_completed_event

CANCELLED_MESSAGE = "User cancelled."


def connection_consent(
    *, connection: LedgerConnection, granted: bool, params: Mapping[str, str] | None = None
) -> str:
    """Record the user's answer on the consent page and return where to send them back to.

    Granting links the connection (again, after Unlinked or Deauthorized); the first link also
    fills the platform with demo data and starts the initial read. Cancelling leaves the status
    as it was and records a 403 "User cancelled." data connection error, as Codat does.
    """
    now = timezone.now()
    with transaction.atomic(using=SANDBOX_ALIAS):
        connection = LedgerConnection.objects.select_for_update().get(pk=connection.pk)
        was = connection.status
        first_link = not connection.seeded
        if granted:
            connection.status = LedgerConnection.Status.LINKED
            connection.last_sync = now
            for error in connection.data_connection_errors:
                if error.get("status") == "Active":
                    error["status"] = "Resolved"
                    error["resolvedOnUtc"] = iso(now)
            if not connection.seeded:
                seed_connection(
                    connection,
                    bills=settings.SANDBOX_LINK_SEED_BILLS,
                    suppliers=settings.SANDBOX_LINK_SEED_SUPPLIERS,
                    seed=connection.id.int % 1_000_000,
                )
                connection.seeded = True
                delay = dt.timedelta(seconds=settings.SANDBOX_INITIAL_SYNC_SECONDS)
                connection.data_ready_at = now + delay
        else:
            connection.data_connection_errors = [
                *connection.data_connection_errors,
                {
                    "statusCode": "403",
                    "statusText": "Forbidden",
                    "errorMessage": CANCELLED_MESSAGE,
                    "erroredOnUtc": iso(now),
                    "status": "Active",
                    "resolvedOnUtc": None,
                },
            ]
        connection.save()
        if granted and was != LedgerConnection.Status.LINKED:
            connection_event(
                "connection.connected" if first_link else "connection.reconnected", connection
            )
            if first_link:
                read_completed_event(connection, initial=True)
    status_code, message = ("200", "") if granted else ("403", CANCELLED_MESSAGE)
    return redirect_url(connection, status_code=status_code, error_message=message, params=params)


def redirect_url(
    connection: LedgerConnection,
    *,
    status_code: str,
    error_message: str,
    params: Mapping[str, str] | None = None,
) -> str:
    """The Portal's redirect URL with Codat's reserved placeholders and custom ones filled in."""
    platform = platform_for(connection.platform_key)
    values = {
        **(params or {}),
        "companyId": str(connection.company_id),
        "connectionId": str(connection.id),
        "integrationId": platform.integration_id,
        "sourceId": platform.source_id,
        "platform": platform.key,
        "platformName": platform.name,
        "sourceType": "Accounting",
        "statusCode": status_code,
        "errorMessage": error_message,
        "statusText": "OK" if status_code == "200" else "Forbidden",
        "clientId": "sandbox",
    }
    url = settings.SANDBOX_REDIRECT_URL
    for name, value in values.items():
        url = url.replace("{" + name + "}", quote(value, safe=""))
    return url


def connection_unlink(*, connection: LedgerConnection) -> LedgerConnection:
    """Sever the connection as the unlink PATCH does; data is kept and a new consent relinks it."""
    LedgerConnection.objects.filter(pk=connection.pk).update(
        status=LedgerConnection.Status.UNLINKED
    )
    connection.refresh_from_db()
    connection_event("connection.disconnected", connection)
    return connection


def connection_deauthorize(*, connection: LedgerConnection) -> LedgerConnection:
    """Revoke the platform's consent, as when the user disconnects the app inside Xero."""
    LedgerConnection.objects.filter(pk=connection.pk).update(
        status=LedgerConnection.Status.DEAUTHORIZED
    )
    connection.refresh_from_db()
    connection_event("connection.disconnected", connection)
    return connection


def fault_inject(
    *,
    kind: str,
    company: LedgerCompany | None = None,
    method: str = "",
    path_contains: str = "",
    probability: Decimal = Decimal(1),
    times: int | None = None,
    latency_ms: int = 0,
    retry_after_seconds: int = 1,
) -> Fault:
    """Make matching API calls fail (or slow down) from now on; `times` limits how often."""
    fault = Fault(
        kind=kind,
        company=company,
        method=method.upper(),
        path_contains=path_contains,
        probability=probability,
        remaining=times,
        latency_ms=latency_ms,
        retry_after_seconds=retry_after_seconds,
    )
    fault.full_clean()
    fault.save()
    return fault


def faults_clear(*, company: LedgerCompany | None = None) -> int:
    """Switch off injected faults, for one company or all; return how many."""
    faults = Fault.objects.filter(active=True)
    if company is not None:
        faults = faults.filter(company=company)
    return faults.update(active=False)


def platform_record_edit(
    *, connection: LedgerConnection, dataset: str, record_id: str, changes: Mapping[str, object]
) -> dict[str, object]:
    """Change a record as a user would inside the accounting platform (voiding or paying a bill in
    Xero, renaming a supplier): the fields change and sourceModifiedDate moves to now."""
    with transaction.atomic(using=SANDBOX_ALIAS):
        document = lock_document(connection, dataset, record_id)
        if document is None:
            raise LedgerRecord.DoesNotExist(f"{dataset} {record_id} is not in the ledger")
        parent_id = (
            LedgerRecord.objects.filter(connection=connection, dataset=dataset, record_id=record_id)
            .values_list("parent_id", flat=True)
            .get()
        )
        document.update(changes)
        document["sourceModifiedDate"] = now_iso()
        save_document(connection, dataset, document, parent_id=parent_id)
    return document


def connection_read_complete(
    *, connection: LedgerConnection, records_modified: dict[str, int] | None = None
) -> LedgerConnection:
    """Codat finished reading the platform (a scheduled sync): the connection's lastSync moves
    on and a read.completed webhook goes out."""
    LedgerConnection.objects.filter(pk=connection.pk).update(last_sync=timezone.now())
    connection.refresh_from_db()
    read_completed_event(connection, records_modified=records_modified)
    return connection
