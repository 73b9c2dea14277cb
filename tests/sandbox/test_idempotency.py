"""Idempotency-Key on create-supplier and create-bank-account (docs write-data/idempotency.md):
replay for 90 minutes, 422 for another body, 409 while in flight, 429 never kept."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import httpx
import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from sandbox.api.base import LedgerRequest
from sandbox.gateway import api_key_digest
from sandbox.idempotency import purge_idempotency_records, request_fingerprint
from sandbox.models import Dataset, IdempotencyRecord, LedgerConnection
from sandbox.services import fault_inject
from sandbox.tasks import sandbox_purge_idempotency
from tests.sandbox.spec_gaps import allow_docs_only_statuses

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SUPPLIER = {"supplierName": "Northridge Office Supplies", "status": "Active"}
ACCOUNT = {"name": "Main", "accountType": "Debit", "accountNumber": "1", "currency": "EUR"}
JSON = {"content-type": "application/json"}


def keyed(key: str) -> dict[str, str]:
    return {**JSON, "Idempotency-Key": key}


def raw(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


@pytest.fixture
def key() -> str:
    return str(uuid.uuid4())


def suppliers(connection: LedgerConnection) -> int:
    return connection.records.filter(dataset=Dataset.SUPPLIERS).count()


@pytest.mark.parametrize(
    ("operation", "body", "dataset"),
    [("suppliers", SUPPLIER, Dataset.SUPPLIERS), ("bankAccounts", ACCOUNT, Dataset.BANK_ACCOUNTS)],
)
def test_same_key_replays_the_first_answer_and_writes_once(
    ledger: httpx.Client,
    payables_path: str,
    linked_connection: LedgerConnection,
    key: str,
    operation: str,
    body: dict[str, Any],
    dataset: str,
) -> None:
    url = f"{payables_path}/{operation}"
    first = ledger.post(url, content=raw(body), headers=keyed(key))
    second = ledger.post(url, content=raw(body), headers=keyed(key))

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert linked_connection.records.filter(dataset=dataset).count() == 1
    record = IdempotencyRecord.objects.get(key=key)
    assert (record.state, record.status) == (IdempotencyRecord.State.DONE, 201)


def test_replays_carry_fresh_rate_limit_headers(
    ledger: httpx.Client, payables_path: str, key: str
) -> None:
    url = f"{payables_path}/suppliers"
    first = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))
    second = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))

    remaining = int(first.headers["x-rate-limit-remaining"])
    assert int(second.headers["x-rate-limit-remaining"]) == remaining - 1


def test_an_error_answer_is_replayed_too(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection, key: str
) -> None:
    url = f"{payables_path}/suppliers"
    taken = ledger.post(url, json=SUPPLIER).json()
    refused = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))
    # The name is free again, but the key still answers what it answered first.
    ledger.put(f"{url}/{taken['id']}", json={**SUPPLIER, "status": "Archived"})

    replayed = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))

    assert refused.status_code == 400
    assert replayed.status_code == 400
    assert replayed.content == refused.content
    assert suppliers(linked_connection) == 1


def test_same_key_with_another_body_is_422(
    ledger: httpx.Client,
    payables_path: str,
    linked_connection: LedgerConnection,
    key: str,
    settings: Any,
) -> None:
    allow_docs_only_statuses(settings)
    url = f"{payables_path}/suppliers"
    ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))

    response = ledger.post(url, content=raw({**SUPPLIER, "phone": "1"}), headers=keyed(key))

    assert response.status_code == 422
    assert response.json()["statusCode"] == 422
    assert suppliers(linked_connection) == 1
    assert IdempotencyRecord.objects.get(key=key).status == 201


def test_same_key_on_another_operation_is_422(
    ledger: httpx.Client, payables_path: str, key: str, settings: Any
) -> None:
    allow_docs_only_statuses(settings)
    ledger.post(f"{payables_path}/suppliers", content=raw(SUPPLIER), headers=keyed(key))

    response = ledger.post(
        f"{payables_path}/bankAccounts", content=raw(ACCOUNT), headers=keyed(key)
    )

    assert response.status_code == 422


def in_flight(path: str, body: bytes, key: str, **extra: Any) -> IdempotencyRecord:
    """A key whose first request is still running (as another process would leave it)."""
    request = LedgerRequest(method="POST", path=path, body=body)
    return IdempotencyRecord.objects.create(
        key=key,
        client=api_key_digest(django_settings.SANDBOX_API_KEY),
        fingerprint=request_fingerprint(request),
        **extra,
    )


def test_same_key_while_the_first_request_runs_is_409(
    ledger: httpx.Client,
    payables_path: str,
    linked_connection: LedgerConnection,
    key: str,
    settings: Any,
) -> None:
    allow_docs_only_statuses(settings)
    url = f"{payables_path}/suppliers"
    in_flight(url, raw(SUPPLIER), key)

    response = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))

    assert response.status_code == 409
    assert suppliers(linked_connection) == 0


def test_an_abandoned_in_flight_key_is_taken_over(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection, key: str
) -> None:
    # Its process died: after five minutes the key is given up and the request runs.
    url = f"{payables_path}/suppliers"
    in_flight(url, raw(SUPPLIER), key, created=timezone.now() - dt.timedelta(minutes=6))

    response = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))

    assert response.status_code == 201
    assert suppliers(linked_connection) == 1


def test_a_429_is_not_kept_so_the_same_key_succeeds_next(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection, key: str
) -> None:
    fault_inject(kind="rate_limit", method="POST", times=1, retry_after_seconds=7)
    url = f"{payables_path}/suppliers"

    limited = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))
    retried = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert suppliers(linked_connection) == 1


def test_a_key_is_forgotten_after_90_minutes(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection, key: str
) -> None:
    url = f"{payables_path}/suppliers"
    ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))
    IdempotencyRecord.objects.filter(key=key).update(
        created=timezone.now() - dt.timedelta(minutes=91)
    )

    # A new request now, with any body: here a second supplier.
    response = ledger.post(
        url, content=raw({**SUPPLIER, "supplierName": "Other"}), headers=keyed(key)
    )

    assert response.status_code == 201
    assert suppliers(linked_connection) == 2


def test_a_key_is_replayed_until_90_minutes_have_passed(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection, key: str
) -> None:
    url = f"{payables_path}/suppliers"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))
    with time_machine.travel(start + dt.timedelta(minutes=89), tick=False):
        replayed = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))
    with time_machine.travel(start + dt.timedelta(minutes=91), tick=False):
        # The name is now taken, so the new run is refused by Xero: proof that it ran.
        rerun = ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))

    assert replayed.headers["idempotent-replayed"] == "true"
    assert rerun.status_code == 400
    assert "idempotent-replayed" not in rerun.headers
    assert suppliers(linked_connection) == 1


def test_keys_belong_to_the_api_key_that_sent_them(
    ledger: httpx.Client,
    payables_path: str,
    linked_connection: LedgerConnection,
    key: str,
    settings: Any,
) -> None:
    url = f"{payables_path}/suppliers"
    ledger.post(url, content=raw(SUPPLIER), headers=keyed(key))
    settings.SANDBOX_API_KEY = "another-client"
    other = {"Authorization": "Basic " + base64.b64encode(b"another-client").decode()}

    response = ledger.post(
        url, content=raw({**SUPPLIER, "supplierName": "Theirs"}), headers={**keyed(key), **other}
    )

    assert response.status_code == 201
    assert IdempotencyRecord.objects.filter(key=key).count() == 2


def test_without_a_key_nothing_is_kept(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    ledger.post(f"{payables_path}/suppliers", json=SUPPLIER)
    ledger.post(f"{payables_path}/bankAccounts", json=ACCOUNT)

    assert not IdempotencyRecord.objects.exists()


def test_purge_forgets_only_keys_past_the_window(ledger: httpx.Client, payables_path: str) -> None:
    for number in range(3):
        ledger.post(
            f"{payables_path}/suppliers",
            json={**SUPPLIER, "supplierName": f"S{number}"},
            headers={"Idempotency-Key": f"k{number}"},
        )
    IdempotencyRecord.objects.filter(key__in=["k0", "k1"]).update(
        created=timezone.now() - dt.timedelta(minutes=91)
    )

    assert purge_idempotency_records() == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k2"]


def test_the_purge_task_runs_the_purge(ledger: httpx.Client, payables_path: str) -> None:
    ledger.post(f"{payables_path}/suppliers", json=SUPPLIER, headers={"Idempotency-Key": "old"})
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        purged = sandbox_purge_idempotency.apply().get()

    assert purged == 1
    assert not IdempotencyRecord.objects.exists()
