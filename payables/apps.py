from __future__ import annotations

from django.apps import AppConfig


class PayablesConfig(AppConfig):
    name = "payables"
    default_auto_field = "django.db.models.BigAutoField"
