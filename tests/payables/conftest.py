from __future__ import annotations

from tests.payables.ledger_fixtures import ledger
from tests.payables.linked import linked
from tests.payables.storage import moto_endpoint, storage_backend

__all__ = ["ledger", "linked", "moto_endpoint", "storage_backend"]
