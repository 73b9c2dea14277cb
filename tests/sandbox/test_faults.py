"""Fault injection: each kind, scoping by company, method and path, limits, and the admin."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from sandbox.models import (
    Dataset,
    Fault,
    IdempotencyRecord,
    LedgerCompany,
    LedgerConnection,
    LedgerRecord,
)
from sandbox.services import fault_inject, faults_clear
from sandbox.transport import sandbox_transport

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SUPPLIER = {"supplierName": "Northridge Office Supplies", "status": "Active"}


def suppliers(connection: LedgerConnection) -> int:
    return connection.records.filter(dataset=Dataset.SUPPLIERS).count()


def test_rate_limit_fault_answers_429_with_retry_after(
    ledger: httpx.Client, payables_path: str
) -> None:
    fault_inject(kind="rate_limit", retry_after_seconds=30)

    response = ledger.get(f"{payables_path}/suppliers")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert response.json()["error"] == (
        "You have made too many requests in a given amount of time; please retry later."
    )
    assert "x-rate-limit-remaining" in response.headers


@pytest.mark.parametrize(("kind", "status"), [("server_error", 500), ("unavailable", 503)])
def test_server_faults_answer_an_error_message(
    ledger: httpx.Client,
    payables_path: str,
    linked_connection: LedgerConnection,
    kind: str,
    status: int,
) -> None:
    fault_inject(kind=kind)

    response = ledger.post(f"{payables_path}/suppliers", json=SUPPLIER)

    assert response.status_code == status
    assert response.json()["statusCode"] == status
    assert response.json()["correlationId"]
    assert suppliers(linked_connection) == 0


def test_latency_fault_delays_then_answers(ledger: httpx.Client, payables_path: str) -> None:
    fault_inject(kind="latency", latency_ms=60)

    started = time.monotonic()
    response = ledger.get(f"{payables_path}/suppliers")

    assert time.monotonic() - started >= 0.06
    assert response.status_code == 200


def test_timeout_fault_raises_a_read_timeout_and_does_nothing(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    fault_inject(kind="timeout", times=1)
    key = {"Idempotency-Key": str(uuid.uuid4())}

    with pytest.raises(httpx.ReadTimeout):
        ledger.post(f"{payables_path}/suppliers", json=SUPPLIER, headers=key)

    assert suppliers(linked_connection) == 0
    assert not IdempotencyRecord.objects.exists()
    retried = ledger.post(f"{payables_path}/suppliers", json=SUPPLIER, headers=key)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


def test_lost_response_did_the_work_and_the_same_key_replays_it(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    fault_inject(kind="lost_response", method="POST", times=1)
    key = {"Idempotency-Key": str(uuid.uuid4())}

    with pytest.raises(httpx.ReadTimeout):
        ledger.post(f"{payables_path}/suppliers", json=SUPPLIER, headers=key)

    assert suppliers(linked_connection) == 1
    record = IdempotencyRecord.objects.get(key=key["Idempotency-Key"])
    assert record.status == 201
    retried = ledger.post(f"{payables_path}/suppliers", json=SUPPLIER, headers=key)
    assert retried.status_code == 201
    assert retried.headers["idempotent-replayed"] == "true"
    assert retried.content == bytes(record.body)
    assert suppliers(linked_connection) == 1


def test_lost_response_without_a_key_leaves_a_retry_to_fail(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    # Why keys matter: the blind retry is a second create, which Xero refuses as a duplicate.
    fault_inject(kind="lost_response", times=1)

    with pytest.raises(httpx.ReadTimeout):
        ledger.post(f"{payables_path}/suppliers", json=SUPPLIER)
    retried = ledger.post(f"{payables_path}/suppliers", json=SUPPLIER)

    assert retried.status_code == 400
    assert suppliers(linked_connection) == 1


def test_company_fault_hits_only_that_company(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    other = LedgerCompany.objects.create(name="Other")
    fault_inject(kind="server_error", company=linked_connection.company)

    assert ledger.get(f"{payables_path}/suppliers").status_code == 500
    assert ledger.get(f"/companies/{linked_connection.company_id}").status_code == 500
    assert ledger.get(f"/companies/{other.id}").status_code == 200
    assert ledger.get("/companies").status_code == 200


def test_fault_matches_method_and_path(ledger: httpx.Client, payables_path: str) -> None:
    fault_inject(kind="unavailable", method="post", path_contains="/bankAccounts")

    assert ledger.get(f"{payables_path}/suppliers").status_code == 200
    assert ledger.post(f"{payables_path}/suppliers", json=SUPPLIER).status_code == 201
    account = {"name": "A", "accountType": "Debit", "accountNumber": "1", "currency": "EUR"}
    assert ledger.post(f"{payables_path}/bankAccounts", json=account).status_code == 503


def test_times_limits_how_often_a_fault_fires(ledger: httpx.Client, payables_path: str) -> None:
    fault = fault_inject(kind="server_error", times=2)

    statuses = [ledger.get(f"{payables_path}/suppliers").status_code for _ in range(4)]

    assert statuses == [500, 500, 200, 200]
    fault.refresh_from_db()
    assert fault.remaining == 0


def test_probability_zero_never_fires(ledger: httpx.Client, payables_path: str) -> None:
    fault_inject(kind="server_error", probability=Decimal(0))

    statuses = {ledger.get(f"{payables_path}/suppliers").status_code for _ in range(25)}

    assert statuses == {200}


def test_cleared_faults_stop_firing(
    ledger: httpx.Client, payables_path: str, linked_connection: LedgerConnection
) -> None:
    other = LedgerCompany.objects.create(name="Other")
    fault_inject(kind="server_error", company=linked_connection.company)
    kept = fault_inject(kind="server_error", company=other)

    assert faults_clear(company=linked_connection.company) == 1

    assert ledger.get(f"{payables_path}/suppliers").status_code == 200
    assert ledger.get(f"/companies/{other.id}").status_code == 500
    kept.refresh_from_db()
    assert kept.active


def test_unauthenticated_calls_get_401_before_any_fault(payables_path: str) -> None:
    fault_inject(kind="server_error")
    with httpx.Client(base_url="http://sandbox.ledger", transport=sandbox_transport()) as anonymous:
        assert anonymous.get(f"{payables_path}/suppliers").status_code == 401


# --- From the admin -----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser(email="admin@example.com", password=None))
    return client


def test_admin_adds_a_company_fault_that_then_fires(
    admin_client: Client,
    ledger: httpx.Client,
    payables_path: str,
    linked_connection: LedgerConnection,
) -> None:
    response = admin_client.post(
        reverse("admin:sandbox_fault_add"),
        {
            "kind": "rate_limit",
            "company": str(linked_connection.company_id),
            "method": "get",
            "path_contains": "/suppliers",
            "probability": "1",
            "remaining": "1",
            "latency_ms": "0",
            "retry_after_seconds": "9",
            "active": "on",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    fault = Fault.objects.get()
    assert (fault.kind, fault.method, fault.company_id) == (
        "rate_limit",
        "GET",
        linked_connection.company_id,
    )
    limited = ledger.get(f"{payables_path}/suppliers")
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "9")
    assert ledger.get(f"{payables_path}/suppliers").status_code == 200


def test_admin_refuses_a_probability_above_one(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:sandbox_fault_add"),
        {
            "kind": "server_error",
            "probability": "1.5",
            "latency_ms": "0",
            "retry_after_seconds": "1",
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert not Fault.objects.exists()


def test_admin_switches_faults_off(
    admin_client: Client, ledger: httpx.Client, payables_path: str
) -> None:
    fault = fault_inject(kind="server_error")

    response = admin_client.post(
        reverse("admin:sandbox_fault_changelist"),
        {"action": "switch_off", "_selected_action": [str(fault.pk)]},
    )

    assert response.status_code == 302
    fault.refresh_from_db()
    assert not fault.active
    assert ledger.get(f"{payables_path}/suppliers").status_code == 200


def test_admin_pages_of_the_sandbox_render(
    admin_client: Client, ledger: httpx.Client, payables_path: str
) -> None:
    ledger.post(f"{payables_path}/suppliers", json=SUPPLIER, headers={"Idempotency-Key": "k"})
    fault_inject(kind="latency", latency_ms=1)
    for model in (
        "ledgercompany",
        "ledgerconnection",
        "ledgerrecord",
        "ledgerattachment",
        "idempotencyrecord",
        "fault",
        "ratewindow",
    ):
        response = admin_client.get(reverse(f"admin:sandbox_{model}_changelist"))
        assert response.status_code == 200, model
    record = IdempotencyRecord.objects.get()
    detail = admin_client.get(reverse("admin:sandbox_idempotencyrecord_change", args=[record.pk]))
    assert detail.status_code == 200
    supplier = LedgerRecord.objects.get()
    shown = admin_client.get(reverse("admin:sandbox_ledgerrecord_change", args=[supplier.pk]))
    assert b"Northridge Office Supplies" in shown.content
    assert admin_client.get(reverse("admin:sandbox_ledgerrecord_add")).status_code == 403
