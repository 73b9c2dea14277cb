"""Celery tasks of the payables app: thin interfaces over the modules of payables.services."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from celery import Task, shared_task

from codat.errors import CodatError, CodatUnavailable
from payables.errors import PayablesError

if TYPE_CHECKING:
    from payables.services.runs import RunAttempt

logger = logging.getLogger(__name__)

# Services import this module at their top to enqueue; tasks import the services they run inside
# their bodies, so that the one import cycle of the app (services <-> tasks) never bites at load.


# Both run tasks: retried with backoff while the ledger is unavailable, acknowledged only once
# done (a run is resumable, so a redelivery after a lost worker is safe).
RUN_TASK = {
    "bind": True,
    "autoretry_for": (CodatUnavailable,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "acks_late": True,
}


@shared_task(**RUN_TASK, max_retries=8)
def payables_import(self: Task, run_id: int) -> None:
    """Run or resume a first-link import; retried with backoff while the ledger is unavailable."""
    from payables.services.runs import Importer

    _run_and_record(self, run_id, Importer)


@shared_task(**RUN_TASK, max_retries=5)
def payables_refresh(self: Task, run_id: int) -> None:
    """Run or resume a refresh; retried with backoff while the ledger is unavailable."""
    from payables.services.runs import Refresher

    _run_and_record(self, run_id, Refresher)


def _run_and_record(task: Task, run_id: int, engine: type[RunAttempt]) -> None:
    """Drive an import or refresh, and record on the run how it ended: a note while the ledger
    is unavailable and the task will retry (the error propagates to autoretry), a failure after
    the last retry, on any other ledger error or refusal, or on a crash."""
    from payables.services.runs import run_fail, run_note

    # The attempt's lease is the task's id, which its own retries keep: a retry picks the run up
    # again, while a task that lost the run to a resume after a stall writes nothing.
    lease = (task.request.id or uuid.uuid4().hex).replace("-", "")[:32]
    try:
        engine.drive(run_id=run_id, lease=lease)
    except CodatUnavailable as exc:
        if task.request.retries >= (task.max_retries or 0):
            run_fail(run_id=run_id, message=exc.message, lease=lease)
        else:
            run_note(run_id=run_id, message=f"{exc.message} Retrying…", lease=lease)
        raise
    except (CodatError, PayablesError) as exc:
        # Not worth retrying (the connection is gone, access was revoked, the answer was wrong).
        logger.warning("%s run %s failed: %s", engine.__name__, run_id, exc)
        run_fail(run_id=run_id, message=exc.message, lease=lease)
    except Exception:
        run_fail(run_id=run_id, message=engine.unexpected, lease=lease)
        raise


@shared_task
def import_runs_resume_stalled() -> dict[str, int]:
    """Beat, every minute: resume imports and refreshes whose worker died (or fail them past the
    bound of automatic retries)."""
    from payables.services.imports import import_runs_resume_stalled as sweep

    resumed, failed = sweep()
    return {"resumed": resumed, "failed": failed}


@shared_task
def payables_refresh_all() -> int:
    """Beat: give up stuck runs, then queue one refresh per linked connection; return how many."""
    from payables.services.sync import (
        Trigger,
        import_runs_expire_stuck,
        payables_refresh_start,
        refreshable_connections,
    )

    import_runs_expire_stuck()
    started = 0
    for connection in refreshable_connections():
        payables_refresh_start(
            company=connection.company, connection=connection, trigger=Trigger.SCHEDULE
        )
        started += 1
    return started


@shared_task(
    autoretry_for=(CodatUnavailable,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
    acks_late=True,
)
def payment_retry(payment_id: int) -> str:
    """Resend a pending payment with its own idempotency key, backing off while the ledger is
    unavailable; what is still pending after the last retry is left to payments_reconcile."""
    from payables.services import payments

    return str(payments.payment_retry(payment_id=payment_id).status)


@shared_task(acks_late=True)
def payments_reconcile() -> dict[str, int]:
    """Settle payments left pending past the retry window (the beat schedule runs it)."""
    from payables.services import payments

    result = payments.payments_reconcile()
    return {
        "checked": result.checked,
        "resent": result.resent,
        "succeeded": result.succeeded,
        "failed": result.failed,
        "still_pending": result.still_pending,
        "needs_review": result.needs_review,
    }


@shared_task(
    bind=True,
    autoretry_for=(CodatUnavailable,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=10,
    acks_late=True,
)
def attachment_sync(self: Task, attachment_id: int) -> None:
    """Send a pending attachment to the ledger; retried with backoff while the ledger is down."""
    from payables.services.attachments import attachment_give_up
    from payables.services.attachments import attachment_sync as sync

    try:
        sync(attachment_id=attachment_id)
    except CodatUnavailable as exc:
        if self.request.retries >= (self.max_retries or 0):
            attachment_give_up(
                attachment_id=attachment_id,
                message=f"The ledger stayed unavailable: {exc.message} Retry when it is back.",
            )
        raise


@shared_task(acks_late=True)
def attachments_resend() -> int:
    """Send again the attachments stuck in pending (the beat schedule runs it)."""
    from payables.services.attachments import attachments_resend as resend

    return resend()


@shared_task(
    autoretry_for=(CodatUnavailable,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def mapping_options_refresh(company_id: int) -> None:
    """Re-read one company's bill mapping options (accounts and tax rates)."""
    from accounts.models import Company
    from payables.services.bills import mapping_options_refresh as refresh

    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return
    try:
        refresh(company=company)
    except PayablesError as exc:
        cause = exc.__cause__
        if isinstance(cause, CodatUnavailable):
            raise cause from exc
        logger.warning("Mapping options of company %s not refreshed: %s", company_id, exc.message)


@shared_task
def mapping_options_refresh_all() -> int:
    """The scheduled refresh: queue a mapping-options refresh for every linked company."""
    from accounts.models import Connection

    company_ids = set(
        Connection.objects.filter(status=Connection.Status.LINKED).values_list(
            "company_id", flat=True
        )
    )
    for company_id in sorted(company_ids):
        mapping_options_refresh.delay(company_id)
    return len(company_ids)


@shared_task
def bill_documents_purge() -> int:
    """Daily: forget documents dropped to start a bill that was never saved."""
    from payables.services.bills import bill_documents_purge as purge

    return purge()
