"""Stall detection and the sweeper that resumes imports and refreshes whose worker died."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from payables.models import ImportRun
from payables.services.imports import import_runs_resume_stalled
from payables.services.runs import run_fail, run_note
from payables.services.sync import import_runs_expire_stuck
from tests.payables.factories import ImportRunFactory

pytestmark = pytest.mark.django_db


def make_run(company, *, idle: float, **fields) -> ImportRun:
    """A running run whose last stored page was `idle` seconds ago."""
    now = timezone.now()
    fields.setdefault("status", ImportRun.Status.RUNNING)
    fields.setdefault("lease", "worker-1")
    return ImportRunFactory(
        company=company,
        created_at=now - dt.timedelta(hours=3),
        started_at=now - dt.timedelta(hours=3),
        progressed_at=now - dt.timedelta(seconds=idle),
        **fields,
    )


class TestStalled:
    def test_a_run_is_stalled_after_the_setting_without_progress(self, company, settings) -> None:
        settings.IMPORT_STALL_SECONDS = 120
        assert not make_run(company, idle=110).is_stalled()
        ImportRun.objects.all().delete()
        assert make_run(company, idle=130).is_stalled()

    def test_it_counts_from_the_last_progress_not_the_start(self, company) -> None:
        # Started three hours ago, but still storing pages: alive.
        run = make_run(company, idle=5)
        assert not run.is_stalled()
        assert not ImportRun.objects.filter(ImportRun.stalled(timezone.now())).exists()

    def test_a_pending_run_no_task_picked_up_is_stalled(self, company) -> None:
        run = ImportRunFactory(company=company, created_at=timezone.now() - dt.timedelta(minutes=5))
        assert run.is_stalled()

    def test_a_finished_run_is_never_stalled(self, company) -> None:
        run = make_run(company, idle=3600, status=ImportRun.Status.FAILED)
        assert not run.is_stalled()


class TestSweeper:
    def test_it_resumes_a_stalled_import_from_where_it_stopped(
        self, company, enqueued_runs
    ) -> None:
        run = make_run(company, idle=600, phase="bills", bills_token="page-3", bills_imported=200)

        assert import_runs_resume_stalled() == (1, 0)

        run.refresh_from_db()
        assert run.status == ImportRun.Status.PENDING
        assert run.lease == ""
        assert run.resumes == 1
        assert "automatic retry 1 of 3" in run.error
        # Its paging state is kept: the next attempt asks for page 3.
        assert (run.bills_token, run.bills_imported) == ("page-3", 200)
        enqueued_runs["import"].assert_called_once_with(run.pk)
        enqueued_runs["refresh"].assert_not_called()
        # Resuming counts as progress: it is not swept again straight away.
        assert import_runs_resume_stalled() == (0, 0)

    def test_it_resumes_a_stalled_refresh_with_the_refresh_task(
        self, company, enqueued_runs
    ) -> None:
        run = make_run(company, idle=600, kind=ImportRun.Kind.REFRESH)

        assert import_runs_resume_stalled() == (1, 0)

        enqueued_runs["refresh"].assert_called_once_with(run.pk)
        enqueued_runs["import"].assert_not_called()

    def test_it_leaves_a_run_that_is_making_progress(self, company, enqueued_runs) -> None:
        make_run(company, idle=30)
        assert import_runs_resume_stalled() == (0, 0)
        enqueued_runs["import"].assert_not_called()

    def test_after_the_last_automatic_retry_it_fails_the_run_for_a_person(
        self, company, enqueued_runs, settings
    ) -> None:
        settings.IMPORT_STALL_MAX_RESUMES = 3
        run = make_run(company, idle=600, resumes=3)

        assert import_runs_resume_stalled() == (0, 1)

        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED
        assert run.error == (
            "it made no progress for 2 minutes, even after 3 automatic retries. "
            "Trying again carries on from where it stopped."
        )
        assert run.finished_at is not None
        enqueued_runs["import"].assert_not_called()


class TestLease:
    def test_an_old_attempt_cannot_fail_or_annotate_the_new_one(self, company) -> None:
        run = make_run(company, idle=1, lease="new-attempt")

        run_note(run_id=run.pk, message="Busy. Retrying…", lease="old-attempt")
        run_fail(run_id=run.pk, message="It broke.", lease="old-attempt")

        run.refresh_from_db()
        assert run.status == ImportRun.Status.RUNNING
        assert run.error == ""

    def test_a_note_while_backing_off_is_a_heartbeat(self, company) -> None:
        run = make_run(company, idle=600)

        run_note(run_id=run.pk, message="Busy. Retrying…", lease="worker-1")

        run.refresh_from_db()
        assert not run.is_stalled()
        assert run.error == "Busy. Retrying…"


class TestExpiry:
    def test_it_counts_from_the_last_progress(self, company, settings) -> None:
        settings.IMPORT_RUN_STUCK_SECONDS = 7200
        # Started three hours ago and still storing pages ten minutes ago: not given up.
        run = make_run(company, idle=600)
        assert import_runs_expire_stuck() == 0
        later = timezone.now() + dt.timedelta(hours=2)
        assert import_runs_expire_stuck(now=later) == 1
        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED


def test_beat_runs_the_sweeper_every_minute(company, enqueued_runs, settings) -> None:
    from payables.tasks import import_runs_resume_stalled as task

    entry = settings.CELERY_BEAT_SCHEDULE["payables-import-runs-resume-stalled"]
    assert entry["task"] == "payables.tasks.import_runs_resume_stalled"
    assert str(entry["schedule"]._orig_minute) == "*"
    make_run(company, idle=600)

    assert task() == {"resumed": 1, "failed": 0}
