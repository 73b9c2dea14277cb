from __future__ import annotations

from tests.payables.ledger_fixtures import imported, ledger, ledger_client
from tests.payables.storage import moto_endpoint, storage_backend

__all__ = ["imported", "ledger", "ledger_client", "moto_endpoint", "storage_backend"]
