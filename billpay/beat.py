"""The beat schedule in the database: installed on migrate, and never overwritten afterwards.

django-celery-beat's DatabaseScheduler copies CELERY_BEAT_SCHEDULE into its PeriodicTask table
when beat starts, overwriting each entry's schedule. Here settings only supply the defaults: an
entry missing from the table is created (on migrate and when beat starts), an existing one is left
as staff set it in the admin (paused, another crontab).
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry


def beat_schedule_install(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Create the CELERY_BEAT_SCHEDULE entries missing from the database; return their names."""
    existing = set(PeriodicTask.objects.using(using).values_list("name", flat=True))
    created = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if name in existing:
            continue
        ModelEntry.from_entry(name, app=current_app, **entry)
        created.append(name)
    return created


def install_on_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # post_migrate is sent once per app; the tables of django_celery_beat exist by then.
    if getattr(sender, "name", "") == "django_celery_beat" and using == DEFAULT_DB_ALIAS:
        beat_schedule_install(using=using)


class Scheduler(DatabaseScheduler):
    """DatabaseScheduler that adds missing default entries but keeps staff's edits."""

    def update_from_dict(self, mapping: dict[str, Any]) -> None:
        existing = set(PeriodicTask.objects.values_list("name", flat=True))
        super().update_from_dict({k: v for k, v in mapping.items() if k not in existing})
