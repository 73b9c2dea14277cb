"""A plain client for Codat's synchronous Bill Pay API: httpx, dataclasses and the stdlib only."""

from __future__ import annotations

from codat.client import CodatClient
from codat.errors import (
    CodatAuthError,
    CodatConflict,
    CodatError,
    CodatNotFound,
    CodatRejected,
    CodatUnavailable,
    ValidationItem,
)

__all__ = [
    "CodatAuthError",
    "CodatClient",
    "CodatConflict",
    "CodatError",
    "CodatNotFound",
    "CodatRejected",
    "CodatUnavailable",
    "ValidationItem",
]
