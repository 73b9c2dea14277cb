from __future__ import annotations

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Installed by billpay/settings.py only where this folder is importable: it brings
    `manage.py benchmark` and nothing else (no models, no URLs, no admin)."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
