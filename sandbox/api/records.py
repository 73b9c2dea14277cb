"""Shared pieces of the operations: finding the company and connection (and the Connection as the
API serves it), reading and writing records, and serving a dataset through the query language and
continuation tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Collection, Iterator
from typing import Any

from django.conf import settings
from django.db.models.functions import Length
from django.utils import timezone

from codat.platforms import IdFormat
from sandbox.api.base import ApiError, Call, dumps, loads
from sandbox.api.paging import continuation_page, read_cursor
from sandbox.ids import guid, id_number, number_id, numbered, shared
from sandbox.models import Dataset, LedgerCompany, LedgerConnection, LedgerRecord
from sandbox.platforms import Platform, platform_for
from sandbox.query import Query, QueryError, parse_query

Document = dict[str, Any]


def iso(moment: dt.datetime) -> str:
    """Codat's date-time form: UTC with a Z, no fraction."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(timezone.now())


def company_or_404(company_id: str) -> LedgerCompany:
    try:
        return LedgerCompany.objects.get(pk=uuid.UUID(company_id))
    except (ValueError, LedgerCompany.DoesNotExist):
        raise ApiError(
            404, f"No company was found with ID {company_id}", service="ClientsApi"
        ) from None


def connection_or_404(company: LedgerCompany, connection_id: str) -> LedgerConnection:
    try:
        return company.connections.get(pk=uuid.UUID(connection_id))
    except (ValueError, LedgerConnection.DoesNotExist):
        raise ApiError(404, f"Data connection {connection_id} not found") from None


def connection_json(connection: LedgerConnection) -> dict[str, Any]:
    """A Connection as the API serves it, and as the connection.* webhooks carry it."""
    platform = platform_for(connection.platform_key)
    base = settings.SANDBOX_LINK_BASE_URL
    return {
        "id": str(connection.id),
        "integrationId": platform.integration_id,
        "integrationKey": platform.key,
        "sourceId": platform.source_id,
        "platformName": platform.name,
        "linkUrl": f"{base}/link-api/companies/{connection.company_id}/connections/{connection.id}/start",
        "status": connection.status,
        "lastSync": iso(connection.last_sync) if connection.last_sync else None,
        "created": iso(connection.created),
        "sourceType": "Accounting",
        "dataConnectionErrors": connection.data_connection_errors,
        "connectionInfo": None,
    }


def payables_connection(
    call: Call, *, write: bool = False, dataset: bool = False, refusal_status: int = 400
) -> LedgerConnection:
    """The connection a /payables call addresses, refusing what its status does not allow.

    Linked: everything. Deauthorized or Unlinked: cached data stays readable, nothing is written
    (Codat's connection docs). PendingAuth: no data yet. `dataset` marks list calls, which answer
    409 while the initial read of a newly linked connection is still running. A refusal is a 400
    (codat-api.md §9 leaves the code to us); `refusal_status` is for the operations whose spec
    declares no 400 (list-bill-attachments, download-bill-attachment).
    """
    company = company_or_404(call.params["companyId"])
    connection = connection_or_404(company, call.params["connectionId"])
    status = connection.status
    if status == LedgerConnection.Status.PENDING_AUTH or (
        write and status != LedgerConnection.Status.LINKED
    ):
        raise ApiError(
            refusal_status,
            f"Data connection {connection.id} is {status}: "
            f"{'it must be linked first' if status == 'PendingAuth' else 'it can no longer be written to'}.",
        )
    if dataset and connection.data_ready_at and connection.data_ready_at > timezone.now():
        raise ApiError(409, "The data set has not been requested.")
    return connection


def platform_of(connection: LedgerConnection) -> Platform:
    return platform_for(connection.platform_key)


_ID_FIELDS = {
    Dataset.BILLS: "bills",
    Dataset.SUPPLIERS: "suppliers",
    Dataset.ACCOUNTS: "accounts",
    Dataset.TAX_RATES: "tax_rates",
    Dataset.BANK_ACCOUNTS: "bank_accounts",
    Dataset.BILL_PAYMENTS: "payments",
}


def id_format(platform: Platform, dataset: str) -> IdFormat:
    """How the platform's ids of a dataset look."""
    fmt: IdFormat = getattr(platform.rules.ids, _ID_FIELDS[Dataset(dataset)])
    return fmt


def new_record_id(connection: LedgerConnection, fmt: IdFormat, datasets: Collection[str]) -> str:
    """The id the platform gives its next record of `datasets`: a fresh GUID, or the number after
    the highest one in use (in those datasets, or in every dataset for a shared sequence)."""
    if not numbered(fmt):
        return guid()
    in_use = LedgerRecord.objects.filter(connection=connection, record_id__regex=r"^[0-9]+$")
    if not shared(fmt):
        in_use = in_use.filter(dataset__in=list(datasets))
    last = (
        in_use.annotate(digits=Length("record_id"))
        .order_by("-digits", "-record_id")
        .values_list("record_id", flat=True)
        .first()
    )
    return number_id(fmt, (id_number(fmt, last) if last else 0) + 1)


def get_document(connection: LedgerConnection, dataset: str, record_id: str) -> Document | None:
    row = (
        LedgerRecord.objects.filter(connection=connection, dataset=dataset, record_id=record_id)
        .values_list("document", flat=True)
        .first()
    )
    return None if row is None else loads(row)


def lock_document(connection: LedgerConnection, dataset: str, record_id: str) -> Document | None:
    """Read a record for update: concurrent writes to the same record queue up behind this one."""
    row = (
        LedgerRecord.objects.select_for_update()
        .filter(connection=connection, dataset=dataset, record_id=record_id)
        .values_list("document", flat=True)
        .first()
    )
    return None if row is None else loads(row)


def save_document(
    connection: LedgerConnection, dataset: str, document: Document, *, parent_id: str = ""
) -> None:
    """Insert or replace a record by its `id`."""
    LedgerRecord.objects.update_or_create(
        connection=connection,
        dataset=dataset,
        record_id=str(document["id"]),
        defaults={
            "document": dumps(document).decode(),
            "parent_id": parent_id,
            "modified": timezone.now(),
        },
    )


def documents(
    connection: LedgerConnection, dataset: str, *, after: int = 0
) -> Iterator[tuple[int, Document]]:
    """Every record of a dataset in insertion order, streamed in chunks."""
    rows = (
        LedgerRecord.objects.filter(connection=connection, dataset=dataset, id__gt=after)
        .order_by("id")
        .values_list("id", "document")
        .iterator(chunk_size=500)
    )
    for position, raw in rows:
        yield position, loads(raw)


def _query_error(error: QueryError) -> ApiError:
    service = "PullApi" if "resolve property" in error.message else "ClientsApi"
    return ApiError(400, error.message, service=service)


def compile_query(text: str | None, *, dataset: str, properties: Collection[str]) -> Query | None:
    if not text:
        return None
    try:
        return parse_query(text, dataset=dataset, properties=properties)
    except QueryError as error:
        raise _query_error(error) from None


def filter_documents(query: Query | None, items: list[Document]) -> list[Document]:
    """The documents a query matches; a value that cannot be compared (`totalAmount=abc`) is
    only found out against a document, and is a malformed query all the same."""
    if query is None:
        return items
    try:
        return [item for item in items if query.matches(item)]
    except QueryError as error:
        raise _query_error(error) from None


def list_page(
    call: Call,
    connection: LedgerConnection,
    dataset: str,
    *,
    query: Query | None,
    query_text: str,
    keep: Callable[[Document], bool] | None = None,
) -> tuple[list[Document], str | None]:
    """One page of a dataset after the request's continuation token, filtered by the query."""
    query_hash = hashlib.sha256(f"{dataset}\x00{query_text}".encode()).hexdigest()[:16]
    cursor = read_cursor(call.request.query.get("continuationToken"), query_hash)

    def matching() -> Iterator[tuple[int, Document]]:
        for position, document in documents(connection, dataset, after=cursor.after):
            if keep is not None and not keep(document):
                continue
            if query is None or query.matches(document):
                yield position, document

    try:
        return continuation_page(matching(), cursor=cursor)
    except QueryError as error:
        raise _query_error(error) from None
