"""The sandbox ledger's Celery tasks: periodic upkeep and webhook delivery."""

from __future__ import annotations

import httpx
from celery import shared_task
from django.conf import settings

from sandbox.idempotency import purge_idempotency_records


@shared_task
def sandbox_purge_idempotency() -> int:
    """Forget idempotent responses past Codat's 90-minute replay window; return how many."""
    return purge_idempotency_records()


@shared_task(
    autoretry_for=(httpx.HTTPError,),
    retry_backoff=5,
    retry_backoff_max=3600,
    max_retries=8,
)
def sandbox_webhook_deliver(url: str, message_id: str, body: str) -> int:
    """POST one signed webhook over HTTP; a failure or a non-2xx answer is retried with backoff,
    as Codat retries for about a day."""
    # Imported here, not at the top: sandbox.webhooks imports this module to enqueue the task.
    from sandbox.webhooks import webhook_headers

    headers = webhook_headers(
        secret=settings.CODAT_WEBHOOK_SECRET, message_id=message_id, body=body.encode()
    )
    # The consumer must answer within 15 seconds (codat-api.md §6).
    response = httpx.post(url, content=body.encode(), headers=headers, timeout=15.0)
    response.raise_for_status()
    return response.status_code
