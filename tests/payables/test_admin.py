"""Staff tools in the admin: connections (refresh now, unlink), bills, runs, audit, faults."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLogEntry, Connection
from payables.models import Bill, ImportRun
from sandbox.models import Fault, LedgerConnection
from tests.accounts.factories import AuditLogEntryFactory, UserFactory
from tests.payables.factories import BillFactory, ImportRunFactory, SupplierFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@billpay.example", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def action(client, model: str, name: str, ids: list[int]):
    return client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": name, ACTION_CHECKBOX_NAME: [str(i) for i in ids]},
        follow=True,
    )


def test_only_staff_reach_admin(client, user) -> None:
    client.force_login(user)  # a normal user
    response = client.get(reverse("admin:accounts_connection_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.logout()
    assert client.get(reverse("admin:index")).status_code == 302


def test_connections_show_status_last_sync_and_reconnect(
    staff_client, company, other_company
) -> None:
    ImportRunFactory(company=company, status="succeeded",
                     finished_at=timezone.now() - dt.timedelta(hours=1))  # fmt: skip
    Connection.objects.filter(company=other_company).update(status="Deauthorized")
    response = staff_client.get(reverse("admin:accounts_connection_changelist"))
    assert response.status_code == 200
    assert "Last sync" in response.text
    assert "Access revoked" in response.text
    revoked = staff_client.get(reverse("admin:accounts_connection_changelist") + "?reconnect=yes")
    assert "Someone Else Ltd" in revoked.text
    assert "Acme Widgets Ltd" not in revoked.text


def test_refresh_now_action_queues_and_is_audited(
    staff_client, staff, company, enqueued_refresh
) -> None:
    connection = company.connections.get()
    response = action(staff_client, "accounts_connection", "refresh_now", [connection.pk])
    assert "1 refresh(es) queued." in response.text
    run = ImportRun.objects.get(company=company)
    assert run.kind == "refresh"
    assert run.trigger == "staff"
    enqueued_refresh.assert_called_once_with(run.pk)
    entry = AuditLogEntry.objects.get(action="admin.action.refresh_now")
    assert entry.actor == staff
    assert entry.company == company


def test_unlink_action_unlinks_in_the_ledger(staff_client, staff, imported) -> None:
    response = action(staff_client, "accounts_connection", "unlink", [imported.connection.pk])
    assert "unlinked." in response.text
    imported.connection.refresh_from_db()
    imported.ledger.refresh_from_db()
    assert imported.connection.status == Connection.Status.UNLINKED
    assert imported.ledger.status == LedgerConnection.Status.UNLINKED
    assert AuditLogEntry.objects.filter(action="admin.action.unlink", actor=staff).exists()


def test_bills_search_by_supplier_and_filter_by_due(staff_client, company) -> None:
    today = timezone.localdate()
    northwind = SupplierFactory(company=company, name="Northwind")
    BillFactory(company=company, supplier=northwind, reference="LATE-1",
                due_date=today - dt.timedelta(days=3))  # fmt: skip
    BillFactory(company=company, reference="SOON-1", due_date=today + dt.timedelta(days=2))
    BillFactory(company=company, reference="PAID-1", status=Bill.Status.PAID,
                due_date=today - dt.timedelta(days=3))  # fmt: skip
    url = reverse("admin:payables_bill_changelist")
    found = staff_client.get(url + "?q=northwind").text
    assert "LATE-1" in found
    assert "SOON-1" not in found
    overdue = staff_client.get(url + "?due=overdue").text
    assert "LATE-1" in overdue
    assert "SOON-1" not in overdue
    assert "PAID-1" not in overdue
    week = staff_client.get(url + "?due=week&currency__exact=GBP&status__exact=Open").text
    assert "SOON-1" in week
    assert "LATE-1" not in week


def test_sync_runs_list_refreshes(staff_client, company) -> None:
    ImportRunFactory(company=company, kind="refresh", trigger="schedule", status="failed",
                     error="Down.")  # fmt: skip
    response = staff_client.get(reverse("admin:payables_importrun_changelist") + "?kind=refresh")
    assert response.status_code == 200
    assert "Down." in response.text
    assert "schedule" in response.text


def test_audit_log_is_read_only(staff_client, company) -> None:
    entry = AuditLogEntryFactory(company=company, action="supplier.updated",
                                 object_type="supplier", object_id="1")  # fmt: skip
    assert staff_client.get(reverse("admin:accounts_auditlogentry_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:accounts_auditlogentry_add")).status_code == 403
    change = staff_client.post(reverse("admin:accounts_auditlogentry_change", args=[entry.pk]),
                               {"action": "tampered"})  # fmt: skip
    assert change.status_code == 403
    assert staff_client.post(reverse("admin:accounts_auditlogentry_delete", args=[entry.pk]),
                             {"post": "yes"}).status_code == 403  # fmt: skip
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditLogEntry.objects.all().delete()
    with pytest.raises(TypeError):
        AuditLogEntry.objects.update(action="x")


def test_fault_settings_changed_by_staff_are_audited(staff_client, staff) -> None:
    response = staff_client.post(reverse("admin:sandbox_fault_add"), {
        "kind": "unavailable", "method": "GET", "path_contains": "/bills", "probability": "1",
        "latency_ms": "0", "retry_after_seconds": "1", "active": "on",
    })  # fmt: skip
    assert response.status_code == 302, response.text[:2000]
    fault = Fault.objects.get()
    entry = AuditLogEntry.objects.get(action="admin.add", object_type="sandbox.fault")
    assert entry.actor == staff
    assert entry.object_id == str(fault.pk)
    action(staff_client, "sandbox_fault", "switch_off", [fault.pk])
    assert AuditLogEntry.objects.filter(action="admin.action.switch_off").exists()


def test_beat_schedule_can_be_paused_in_admin(staff_client) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="payables-refresh-all")
    response = staff_client.get(
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    )
    assert response.status_code == 200
    action(staff_client, "django_celery_beat_periodictask", "disable_tasks", [task.pk])
    task.refresh_from_db()
    assert not task.enabled


def test_sandbox_read_complete_action_sends_a_webhook(
    staff_client, imported, settings, enqueued_webhook, django_capture_on_commit_callbacks
) -> None:
    settings.CODAT_WEBHOOK_SECRET = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="
    settings.SANDBOX_WEBHOOK_URL = "http://billpay.test/webhooks/codat/"
    with django_capture_on_commit_callbacks(using="sandbox", execute=True):
        response = action(
            staff_client,
            "sandbox_ledgerconnection",
            "read_complete",
            [imported.ledger.pk],
        )
    assert "Synced 1 connection(s)." in response.text
    ((url, _message_id, body),) = [call.args for call in enqueued_webhook.call_args_list]
    assert url == settings.SANDBOX_WEBHOOK_URL
    assert '"read.completed"' in body
