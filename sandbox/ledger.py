"""The sandbox ledger's entry point: a plain request -> response handler for the Bill Pay API."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True, slots=True)
class LedgerRequest:
    """One API call as the ledger sees it, whichever transport brought it.

    `path` is relative to the API base (e.g. "/companies/{id}/connections"), already URL-decoded
    per segment; `query` holds the last value of each parameter; header names are lower-case.
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    body: bytes = b""


@dataclass(slots=True)
class LedgerResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Set by fault injection: "timeout" (nothing was done, no answer) or "lost_response" (the
    # call took effect but its answer never arrives). Transports turn these into read timeouts.
    fault: str | None = None
