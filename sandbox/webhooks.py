"""Webhooks the sandbox ledger sends, as Codat does through Svix (codat-api.md §6).

Each event is an envelope `{id, eventType, generatedDate, payload}` POSTed to SANDBOX_WEBHOOK_URL
with the headers `webhook-id`, `webhook-timestamp` and `webhook-signature` =
`v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key being the base64 part of the
`whsec_` endpoint secret. Delivery is a Celery task over real HTTP after the sandbox's transaction
commits: never a call back into this process's WSGI handler (toolchain.md's trap).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction

from sandbox.api.base import dumps
from sandbox.api.records import connection_json, now_iso
from sandbox.models import LedgerConnection
from sandbox.routers import SANDBOX_ALIAS
from sandbox.tasks import sandbox_webhook_deliver


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one message."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_headers(
    *, secret: str, message_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The headers of one delivery attempt, signed now (Svix signs each attempt afresh)."""
    moment = int(time.time()) if timestamp is None else timestamp
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(moment),
        "webhook-signature": webhook_signature(
            secret=secret, message_id=message_id, timestamp=moment, body=body
        ),
    }


def reference_company(connection: LedgerConnection) -> dict[str, Any]:
    company = connection.company
    return {
        "id": str(company.id),
        "name": company.name,
        "description": company.description or None,
        "links": {"portal": f"https://app.codat.io/companies/{company.id}/summary"},
        "tags": company.tags,
    }


def webhook_emit(*, event_type: str, payload: dict[str, Any]) -> str | None:
    """Queue one event for delivery once the sandbox's transaction commits; return its message
    id, or None when no webhook URL or secret is configured (nothing is sent)."""
    url = settings.SANDBOX_WEBHOOK_URL
    if not url or not settings.CODAT_WEBHOOK_SECRET:
        return None
    message_id = f"msg_{uuid.uuid4().hex}"
    body = dumps(
        {
            "id": str(uuid.uuid4()),
            "eventType": event_type,
            "generatedDate": now_iso(),
            "payload": payload,
        }
    ).decode()

    def enqueue() -> None:
        sandbox_webhook_deliver.delay(url, message_id, body)

    transaction.on_commit(enqueue, using=SANDBOX_ALIAS)
    return message_id


def connection_event(event_type: str, connection: LedgerConnection) -> str | None:
    """connection.connected / .reconnected / .disconnected with the connection as it is now."""
    return webhook_emit(
        event_type=event_type,
        payload={
            "referenceCompany": reference_company(connection),
            "connection": connection_json(connection),
        },
    )


def read_completed_event(
    connection: LedgerConnection,
    *,
    initial: bool = False,
    records_modified: dict[str, int] | None = None,
) -> str | None:
    """read.completed(.initial): the platform's data was read, per data type."""
    data_types = records_modified or {"bills": 0, "suppliers": 0}
    return webhook_emit(
        event_type="read.completed.initial" if initial else "read.completed",
        payload={
            "referenceCompany": reference_company(connection),
            "modifiedFromDate": now_iso(),
            "dataTypes": [
                {
                    "connectionId": str(connection.id),
                    "dataType": data_type,
                    "recordsModified": count,
                    "status": "Complete",
                    "issues": [],
                }
                for data_type, count in data_types.items()
            ],
        },
    )
