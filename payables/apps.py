from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PayablesConfig(AppConfig):
    name = "payables"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billpay.beat import install_on_migrate

        post_migrate.connect(install_on_migrate, dispatch_uid="billpay-beat-schedule")
