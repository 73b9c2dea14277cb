"""Codat webhooks: Svix signature cases, replay, and events sent by the sandbox end to end."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLogEntry, Connection, WebhookEvent
from payables.errors import WebhookRefused
from payables.models import ImportRun
from payables.services.webhooks import webhook_verify
from sandbox.models import LedgerConnection
from sandbox.services import connection_consent, connection_deauthorize, connection_read_complete
from sandbox.tasks import sandbox_webhook_deliver
from sandbox.webhooks import webhook_headers

URL = reverse("payables:codat-webhook")
SECRET = "whsec_" + base64.b64encode(b"billpay-test-webhook-secret-32b!").decode()

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.CODAT_WEBHOOK_SECRET = SECRET
    settings.SANDBOX_WEBHOOK_URL = "http://billpay.test/webhooks/codat/"
    return settings


@pytest.fixture
def csrf_client() -> Client:
    """No session, CSRF enforced: what Codat's sender looks like."""
    return Client(enforce_csrf_checks=True)


def envelope(event_type: str, payload: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "eventType": event_type,
            "generatedDate": "2026-11-24T20:00:00Z",
            "payload": payload,
        }
    ).encode()


def post(client: Client, body: bytes, headers: dict[str, str]):
    return client.post(URL, data=body, content_type="application/json",
                       headers={k: v for k, v in headers.items() if k != "content-type"})  # fmt: skip


def signed(
    body: bytes, *, message_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    return webhook_headers(secret=SECRET, message_id=message_id or f"msg_{uuid.uuid4().hex}",
                           body=body, timestamp=timestamp)  # fmt: skip


def read_completed(company) -> bytes:
    connection = company.connections.get()
    return envelope("read.completed", {
        "referenceCompany": {"id": company.codat_company_id, "name": company.name},
        "modifiedFromDate": "2026-11-24T19:00:00Z",
        "dataTypes": [{"connectionId": connection.codat_connection_id, "dataType": "bills",
                       "recordsModified": 3, "status": "Complete", "issues": []}],
    })  # fmt: skip


def assert_refresh_queued(company, enqueued_refresh) -> None:
    """The message was recorded as processed and queued one refresh of the company."""
    run = ImportRun.objects.get(company=company, kind=ImportRun.Kind.REFRESH, trigger="webhook")
    enqueued_refresh.assert_called_once_with(run.pk)
    event = WebhookEvent.objects.get()
    assert (event.status, event.company) == (WebhookEvent.Status.PROCESSED, company)


# --- signature cases ----------------------------------------------------------------------------


def test_a_valid_read_completed_queues_a_refresh(csrf_client, company, enqueued_refresh) -> None:
    body = read_completed(company)
    response = post(csrf_client, body, signed(body))
    assert response.status_code == 200, response.content
    run = ImportRun.objects.get(company=company)
    assert run.kind == ImportRun.Kind.REFRESH
    assert run.trigger == "webhook"
    enqueued_refresh.assert_called_once_with(run.pk)
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.PROCESSED
    assert event.company == company


def test_bad_signature_is_refused(csrf_client, company, enqueued_refresh) -> None:
    body = read_completed(company)
    headers = signed(body)
    tampered = body.replace(b"bills", b"billz")
    assert post(csrf_client, tampered, headers).status_code == 401
    other_secret = webhook_headers(secret="whsec_" + base64.b64encode(b"x" * 32).decode(),
                                   message_id="msg_1", body=body)  # fmt: skip
    assert post(csrf_client, body, other_secret).status_code == 401
    assert post(csrf_client, body, {**headers, "webhook-signature": ""}).status_code == 401
    assert not WebhookEvent.objects.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("skew", [-310, -3600, 310])
def test_timestamp_outside_five_minutes_is_refused(csrf_client, company, skew) -> None:
    body = read_completed(company)
    response = post(csrf_client, body, signed(body, timestamp=int(time.time()) + skew))
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_timestamp_within_five_minutes_is_accepted(csrf_client, company, enqueued_refresh) -> None:
    body = read_completed(company)
    assert (
        post(csrf_client, body, signed(body, timestamp=int(time.time()) - 290)).status_code == 200
    )
    assert_refresh_queued(company, enqueued_refresh)


def test_one_matching_signature_among_several_is_enough(
    csrf_client, company, enqueued_refresh
) -> None:
    body = read_completed(company)
    headers = signed(body)
    headers["webhook-signature"] = "v1,bm90LXRoaXMtb25l v2,abc " + headers["webhook-signature"]
    assert post(csrf_client, body, headers).status_code == 200
    assert_refresh_queued(company, enqueued_refresh)


def test_a_repeated_webhook_id_is_processed_once(csrf_client, company, enqueued_refresh) -> None:
    body = read_completed(company)
    first = post(csrf_client, body, signed(body, message_id="msg_same"))
    ImportRun.objects.update(status=ImportRun.Status.SUCCEEDED)  # the refresh finished
    second = post(csrf_client, body, signed(body, message_id="msg_same"))
    assert first.json()["status"] == "processed"
    assert second.json() == {"status": "duplicate"}
    assert WebhookEvent.objects.count() == 1
    assert ImportRun.objects.count() == 1


def test_not_configured_refuses_everything(csrf_client, company, webhook_settings) -> None:
    body = read_completed(company)
    headers = signed(body)
    webhook_settings.CODAT_WEBHOOK_SECRET = ""
    assert post(csrf_client, body, headers).status_code == 401


def test_signed_junk_is_a_400(csrf_client) -> None:
    assert post(csrf_client, b"not json", signed(b"not json")).status_code == 400


def test_unknown_event_is_recorded_and_ignored(csrf_client, company) -> None:
    body = envelope("client.rateLimit.reached", {"dailyQuota": 1000, "quotaRemaining": 0})
    response = post(csrf_client, body, signed(body))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"


def test_only_post(csrf_client) -> None:
    assert csrf_client.get(URL).status_code == 405


def test_verify_unit_cases() -> None:
    body = b"{}"
    headers = signed(body, timestamp=1_000_000)
    assert (
        webhook_verify(secret=SECRET, headers=headers, body=body, now=1_000_000)
        == headers["webhook-id"]
    )
    with pytest.raises(WebhookRefused):
        webhook_verify(secret=SECRET, headers=headers, body=body, now=1_000_000 + 301)
    with pytest.raises(WebhookRefused):  # from the future
        webhook_verify(secret=SECRET, headers=headers, body=body, now=1_000_000 - 301)
    assert webhook_verify(secret=SECRET, headers=headers, body=body, now=1_000_000 + 300)
    with pytest.raises(WebhookRefused):
        webhook_verify(secret=SECRET, headers={**headers, "webhook-timestamp": "soon"}, body=body)


# --- end to end: the sandbox sends, billpay receives ------------------------------------------


def deliver(client: Client, enqueued_webhook) -> list[Any]:
    """Deliver each captured webhook through the test client, signed as the task signs it."""
    responses = []
    for (url, message_id, body), _kwargs in enqueued_webhook.call_args_list:
        assert url == "http://billpay.test/webhooks/codat/"
        headers = webhook_headers(secret=SECRET, message_id=message_id, body=body.encode())
        responses.append(post(client, body.encode(), headers))
    enqueued_webhook.reset_mock()
    return responses


def test_sandbox_deauthorize_reaches_billpay(
    csrf_client, imported, enqueued_webhook, enqueued_refresh, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(using="sandbox", execute=True):
        connection_deauthorize(connection=imported.ledger)
    (response,) = deliver(csrf_client, enqueued_webhook)
    assert response.status_code == 200
    imported.connection.refresh_from_db()
    assert imported.connection.status == Connection.Status.DEAUTHORIZED
    entry = AuditLogEntry.objects.get(action="connection.status_changed")
    assert entry.actor is None
    assert entry.after == {"status": "Deauthorized"}
    event = WebhookEvent.objects.get()
    assert event.event_type == "connection.disconnected"


def test_sandbox_reconnect_and_read_completed_trigger_refreshes(
    csrf_client, imported, enqueued_webhook, enqueued_refresh, django_capture_on_commit_callbacks
) -> None:
    LedgerConnection.objects.filter(pk=imported.ledger.pk).update(status="Deauthorized")
    Connection.objects.filter(pk=imported.connection.pk).update(status="Deauthorized")
    imported.ledger.refresh_from_db()
    with django_capture_on_commit_callbacks(using="sandbox", execute=True):
        connection_consent(connection=imported.ledger, granted=True)
    (response,) = deliver(csrf_client, enqueued_webhook)
    assert response.json()["status"] == "processed"
    imported.connection.refresh_from_db()
    assert imported.connection.status == Connection.Status.LINKED
    run = ImportRun.objects.get(company=imported.company, kind=ImportRun.Kind.REFRESH)
    assert run.trigger == "webhook"
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.SUCCEEDED)
    with django_capture_on_commit_callbacks(using="sandbox", execute=True):
        connection_read_complete(connection=imported.ledger, records_modified={"bills": 2})
    (response,) = deliver(csrf_client, enqueued_webhook)
    assert response.status_code == 200
    assert ImportRun.objects.filter(company=imported.company, kind="refresh").count() == 2


def test_sandbox_sends_nothing_unless_configured(
    imported, enqueued_webhook, webhook_settings, django_capture_on_commit_callbacks
) -> None:
    webhook_settings.SANDBOX_WEBHOOK_URL = ""
    with django_capture_on_commit_callbacks(using="sandbox", execute=True):
        connection_deauthorize(connection=imported.ledger)
    enqueued_webhook.assert_not_called()


@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
@pytest.mark.usefixtures("enqueued_refresh")
def test_delivery_task_posts_over_real_http(live_server, company, webhook_settings) -> None:
    """The sandbox's delivery task against a live server: signed over the wire, verified there."""
    url = live_server.url + URL
    body = read_completed(company).decode()
    assert sandbox_webhook_deliver(url, "msg_live_1", body) == 200
    assert WebhookEvent.objects.get(message_id="msg_live_1").status == "processed"
