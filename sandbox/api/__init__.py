"""The Bill Pay API operations the sandbox ledger serves, one module per resource."""

from __future__ import annotations
