from __future__ import annotations

from typing import Any

from django.db.models import Model

SANDBOX_ALIAS = "sandbox"


class SandboxRouter:
    """Keeps the sandbox ledger's tables in their own database, and nothing else there.

    The ledger stands in for a remote system: billpay's transactions on "default" must never be able
    to roll back what the ledger recorded, so its rows live behind another connection.
    """

    def _is_sandbox(self, model: type[Model]) -> bool:
        return model._meta.app_label == "sandbox"

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return SANDBOX_ALIAS if self._is_sandbox(model) else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return SANDBOX_ALIAS if self._is_sandbox(model) else None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        if self._is_sandbox(type(obj1)) != self._is_sandbox(type(obj2)):
            return False
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return (db == SANDBOX_ALIAS) == (app_label == "sandbox")
