"""Celery tasks of the payables app: thin interfaces over payables.services."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from codat.errors import CodatError, CodatUnavailable
from payables.services import payables_import_fail, payables_import_note, payables_import_run

logger = logging.getLogger(__name__)

UNEXPECTED = "The import stopped unexpectedly. Try again; if it keeps failing, contact support."


@shared_task(
    bind=True,
    autoretry_for=(CodatUnavailable,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=8,
    acks_late=True,
)
def payables_import(self: Task, run_id: int) -> None:
    """Run or resume an import; retried with backoff while the ledger is unavailable."""
    try:
        payables_import_run(run_id=run_id)
    except CodatUnavailable as exc:
        if self.request.retries >= (self.max_retries or 0):
            payables_import_fail(run_id=run_id, message=exc.message)
        else:
            payables_import_note(run_id=run_id, message=f"{exc.message} Retrying…")
        raise
    except CodatError as exc:
        # Not worth retrying (the connection is gone, access was revoked, the answer was wrong).
        logger.warning("Import %s failed: %s", run_id, exc)
        payables_import_fail(run_id=run_id, message=exc.message)
    except Exception:
        payables_import_fail(run_id=run_id, message=UNEXPECTED)
        raise
