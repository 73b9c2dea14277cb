"""The beat schedule is in the database after migrate, and staff's edits survive."""

from __future__ import annotations

from unittest import mock

import pytest
from celery import current_app
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from billpay.beat import Scheduler, beat_schedule_install

pytestmark = pytest.mark.django_db


def test_migrate_installs_the_refresh_schedule() -> None:
    # The test database was built by migrate, which ran the post_migrate handler.
    task = PeriodicTask.objects.get(name="payables-refresh-all")
    assert task.task == "payables.tasks.payables_refresh_all"
    assert task.enabled
    assert task.crontab is not None
    assert task.crontab.minute == "*/15"


def test_migrate_again_reinstalls_a_deleted_entry() -> None:
    PeriodicTask.objects.filter(name="payables-refresh-all").delete()
    call_command("migrate", "django_celery_beat", verbosity=0)
    assert PeriodicTask.objects.filter(name="payables-refresh-all").exists()


def test_staff_pause_and_crontab_are_kept() -> None:
    task = PeriodicTask.objects.get(name="payables-refresh-all")
    hourly = CrontabSchedule.objects.create(minute="5", hour="*")
    task.enabled = False
    task.crontab = hourly
    task.save()
    assert beat_schedule_install() == []
    # Beat closes stale database connections as it reads the schedule; inside a test's
    # transaction that would close the test's own connection (PostgreSQL notices, SQLite hides it).
    with mock.patch("django_celery_beat.schedulers.close_old_connections"):
        scheduler = Scheduler(app=current_app, lazy=True)
        scheduler.update_from_dict(
            {
                "payables-refresh-all": {
                    "task": "payables.tasks.payables_refresh_all",
                    "schedule": 60,
                }
            }
        )
    task.refresh_from_db()
    assert not task.enabled
    assert task.crontab_id == hourly.pk
    assert task.interval_id is None
