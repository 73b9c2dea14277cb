from __future__ import annotations

from tests.payables.ledger_fixtures import imported, ledger, ledger_client

__all__ = ["imported", "ledger", "ledger_client"]
