"""Starting the first-link import of a company's payables, retrying a failed or stalled run, and
the sweeper that resumes runs whose worker died. Running them is `payables.services.runs`'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Company, Connection
from payables import tasks
from payables.models import ImportRun


def payables_import_start(
    *, company: Company, connection: Connection, kind: str = ImportRun.Kind.FIRST_LINK
) -> ImportRun:
    """Start an import of the company's payables, or return the one already pending or running."""
    if connection.company_id != company.pk:
        raise ValueError("The connection belongs to another company.")
    live = ImportRun.objects.filter(company=company, status__in=ImportRun.ACTIVE).first()
    if live is not None:
        # A live run whose worker died is resumed, never handed back to wait on.
        return payables_import_retry(run=live) if live.is_stalled() else live
    run = ImportRun(company=company, connection=connection, kind=kind, created_at=timezone.now())
    # The one-live-run constraint is left to the database: two callbacks can race past the
    # check above, and only the INSERT decides which of them wins.
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
            _enqueue(run)
    except IntegrityError:
        return ImportRun.objects.get(company=company, status__in=ImportRun.ACTIVE)
    return run


def payables_import_retry(*, run: ImportRun) -> ImportRun:
    """Put a failed or stalled import (or refresh) back in the queue; it resumes where it stopped.

    The same run is reset to pending (not copied): its continuation tokens and counters are
    kept, so the retry picks up at the page that failed, and the progress page's URL stays valid.
    A run that is live and still making progress is left alone. If another import became live
    for the company meanwhile, that one is returned instead.
    """
    now = timezone.now()
    failed = Q(status=ImportRun.Status.FAILED)
    try:
        _resume(run, failed | ImportRun.stalled(now), now=now, error="", resumes=0)
    except IntegrityError:
        return ImportRun.objects.get(company_id=run.company_id, status__in=ImportRun.ACTIVE)
    run.refresh_from_db()
    return run


def import_runs_resume_stalled(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Resume the live runs whose worker died (no progress for IMPORT_STALL_SECONDS), up to
    IMPORT_STALL_MAX_RESUMES times each; past that, fail them with a message for a person.
    Returns (resumed, failed)."""
    now = now or timezone.now()
    resumed = failed = 0
    for run in ImportRun.objects.filter(ImportRun.stalled(now)).order_by("id"):
        # Compare-and-set on what was read: a run that moved on meanwhile (a late worker stored a
        # page, a person pressed Retry) is left to it.
        seen = ImportRun.stalled(now) & Q(
            status=run.status, lease=run.lease, progressed_at=run.progressed_at
        )
        noun = "import" if run.kind == ImportRun.Kind.FIRST_LINK else "refresh"
        if run.resumes < settings.IMPORT_STALL_MAX_RESUMES:
            attempt = run.resumes + 1
            note = (
                f"The {noun} stopped making progress, so billpay resumed it from where it "
                f"stopped (automatic retry {attempt} of {settings.IMPORT_STALL_MAX_RESUMES})."
            )
            resumed += _resume(run, seen, now=now, error=note, resumes=F("resumes") + 1)
            continue
        minutes = max(1, round(settings.IMPORT_STALL_SECONDS / 60))
        message = (
            f"it made no progress for {minutes} minute{'s' if minutes != 1 else ''}, even after "
            f"{run.resumes} automatic retr{'ies' if run.resumes != 1 else 'y'}. Trying again "
            "carries on from where it stopped."
        )
        failed += ImportRun.objects.filter(seen, pk=run.pk).update(
            status=ImportRun.Status.FAILED, error=message, finished_at=now, lease=""
        )
    return resumed, failed


def _resume(run: ImportRun, condition: Q, *, now: dt.datetime, **changes: Any) -> int:
    """Compare-and-set the run back to pending (no lease: the next task to claim it holds it)
    when `condition` still holds, and queue its task; returns 1 if it was reset."""
    with transaction.atomic():
        reset = ImportRun.objects.filter(condition, pk=run.pk).update(
            status=ImportRun.Status.PENDING,
            lease="",
            progressed_at=now,
            finished_at=None,
            **changes,
        )
        if reset:
            _enqueue(run)
    return reset


def _enqueue(run: ImportRun) -> None:
    task = tasks.payables_refresh if run.kind == ImportRun.Kind.REFRESH else tasks.payables_import
    task.delay_on_commit(run.pk)
