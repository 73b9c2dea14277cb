"""Codat webhooks: verified the Svix way, recorded once per message id, then acted on.

Verification (codat-api.md §6; Svix's scheme): `webhook-signature` holds one or more
space-separated `v1,<base64>` values; one must equal base64(HMAC-SHA256(key,
"{webhook-id}.{webhook-timestamp}.{raw body}")), the key being the base64-decoded part of the
`whsec_` secret. A timestamp further than the tolerance (5 minutes) from now is refused, which
with the once-per-id record stops replays.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

import codat.types as codat
from accounts.models import Company, Connection, WebhookEvent
from accounts.services import audit_log_record, connection_status_store
from codat.errors import CodatError
from payables.errors import RefreshStopped, WebhookRefused
from payables.services.sync import Trigger, payables_refresh_start

CONNECTION_EVENTS = (
    "connection.created",
    "connection.connected",
    "connection.failed",
    "connection.disconnected",
    "connection.reconnected",
)
READ_EVENTS = ("read.completed", "read.completed.initial")


def webhook_verify(
    *, secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> str:
    """Check a message's Svix signature and timestamp; return its `webhook-id`."""
    if not secret.startswith("whsec_"):
        raise WebhookRefused("Webhooks are not configured (no whsec_ secret).")
    message_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (message_id and timestamp and signatures):
        raise WebhookRefused("Missing webhook-id, webhook-timestamp or webhook-signature.")
    try:
        sent = int(timestamp)
    except ValueError:
        raise WebhookRefused("webhook-timestamp is not a number.") from None
    moment = time.time() if now is None else now
    if abs(moment - sent) > settings.CODAT_WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookRefused("webhook-timestamp is too old or too new.")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise WebhookRefused("The webhook secret is not valid base64.") from None
    expected = base64.b64encode(
        hmac.new(key, f"{message_id}.{sent}.".encode() + body, hashlib.sha256).digest()
    )
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return message_id
    raise WebhookRefused("No webhook-signature matches.")


def _company_of(payload: Mapping[str, Any]) -> Company | None:
    reference = payload.get("referenceCompany")
    company_id = reference.get("id") if isinstance(reference, dict) else payload.get("companyId")
    if not isinstance(company_id, str):
        return None
    return Company.objects.filter(codat_company_id=company_id).first()


def _connection_event(company: Company, payload: Mapping[str, Any]) -> str:
    try:
        remote = codat.Connection.from_json(payload.get("connection"))
    except CodatError as exc:
        return f"The connection in the payload is not readable: {exc.message}"
    connection = company.connections.filter(codat_connection_id=remote.id).first()
    if connection is None:
        return "Unknown connection."
    before = connection.status
    connection = connection_status_store(connection=connection, remote=remote)
    if connection.status != before:
        audit_log_record(
            company=company,
            actor=None,
            action="connection.status_changed",
            object_type="connection",
            object_id=str(connection.pk),
            object_repr=str(connection),
            before={"status": before},
            after={"status": connection.status},
        )
    if connection.is_linked and before != Connection.Status.LINKED:
        payables_refresh_start(company=company, connection=connection, trigger=Trigger.WEBHOOK)
        return f"Status {before} -> {connection.status}; refresh queued."
    return f"Status {before} -> {connection.status}."


def _read_event(company: Company, payload: Mapping[str, Any]) -> str:
    data_types = payload.get("dataTypes")
    ids = {
        d.get("connectionId")
        for d in (data_types if isinstance(data_types, list) else [])
        if isinstance(d, dict)
    }
    connections = company.connections.filter(status=Connection.Status.LINKED)
    connection = connections.filter(codat_connection_id__in=ids).first() or connections.first()
    if connection is None:
        return "No linked connection to refresh."
    try:
        run = payables_refresh_start(
            company=company, connection=connection, trigger=Trigger.WEBHOOK
        )
    except RefreshStopped as exc:
        return exc.message
    return f"Refresh {run.pk} queued."


def webhook_receive(*, message_id: str, body: bytes) -> WebhookEvent | None:
    """Record and act on a verified message; None when this `webhook-id` was already received
    (Svix retries and replays are processed once)."""
    try:
        envelope = json.loads(body)
    except ValueError:
        raise WebhookRefused("The body is not JSON.") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("eventType"), str):
        raise WebhookRefused("The body has no eventType.")
    event_type: str = envelope["eventType"]
    payload = envelope.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    try:
        with transaction.atomic():
            company = _company_of(payload)
            event = WebhookEvent(
                message_id=message_id[:255],
                event_type=event_type[:100],
                company=company,
                payload=envelope,
                status=WebhookEvent.Status.IGNORED,
            )
            event.save()
            note = "Not an event billpay acts on."
            if company is None:
                note = "No billpay company for this Codat company."
            elif event_type in CONNECTION_EVENTS:
                note = _connection_event(company, payload)
                event.status = WebhookEvent.Status.PROCESSED
            elif event_type in READ_EVENTS:
                note = _read_event(company, payload)
                event.status = WebhookEvent.Status.PROCESSED
            event.note = note[:500]
            event.save(update_fields=["status", "note"])
    except IntegrityError:
        # The unique message id: another delivery of the same message got here first.
        if WebhookEvent.objects.filter(message_id=message_id[:255]).exists():
            return None
        raise
    return event
