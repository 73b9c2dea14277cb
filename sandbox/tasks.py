"""Periodic upkeep of the sandbox ledger."""

from __future__ import annotations

from celery import shared_task

from sandbox.ledger import purge_idempotency_records


@shared_task
def sandbox_purge_idempotency() -> int:
    """Forget idempotent responses past Codat's 90-minute replay window; return how many."""
    return purge_idempotency_records()
