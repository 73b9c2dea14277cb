"""Which ledger billpay talks to: real Codat, the sandbox over HTTP, or the sandbox in-process.

The same `codat.CodatClient` serves all three; only its base URL, key and transport differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
from django.conf import settings

from codat.client import CodatClient

CODAT_PRODUCTION_URL = "https://api.codat.io"
# Never resolved: the in-process transport answers before any socket is opened.
SANDBOX_IN_PROCESS_URL = "http://sandbox.ledger.invalid"


def ledger_mode() -> str:
    """'codat', 'http' (an emulator at CODAT_BASE_URL) or 'in-process'."""
    if settings.CODAT_API_KEY and not settings.CODAT_BASE_URL:
        return "codat"
    if settings.CODAT_BASE_URL:
        return "http"
    return "in-process"


# The one seam through which tests and benchmarks put another client (a recording transport, no
# sleeps between retries) in front of every caller. A plain global, not a ContextVar: the live
# server and the in-process worker of the browser tests call from other threads.
_client_factory: Callable[[], CodatClient] | None = None


@contextmanager
def codat_client_override(factory: Callable[[], CodatClient]) -> Iterator[None]:
    """While the block runs, `codat_client()` returns `factory()` instead."""
    global _client_factory
    previous, _client_factory = _client_factory, factory
    try:
        yield
    finally:
        _client_factory = previous


def codat_client() -> CodatClient:
    """A client for the configured ledger; close it (or use it as a context manager) after use."""
    if _client_factory is not None:
        return _client_factory()
    timeout = httpx.Timeout(settings.CODAT_TIMEOUT_SECONDS, connect=5.0)
    mode = ledger_mode()
    if mode == "codat":
        return CodatClient(
            base_url=CODAT_PRODUCTION_URL, api_key=settings.CODAT_API_KEY, timeout=timeout
        )
    if mode == "http":
        api_key = settings.CODAT_API_KEY or settings.SANDBOX_API_KEY
        return CodatClient(base_url=settings.CODAT_BASE_URL, api_key=api_key, timeout=timeout)
    from sandbox.transport import sandbox_transport

    return CodatClient(
        base_url=SANDBOX_IN_PROCESS_URL,
        api_key=settings.SANDBOX_API_KEY,
        transport=sandbox_transport(),
        timeout=timeout,
    )
