"""No secret reaches a log line or an error page: the Codat key, the sandbox key, the webhook
secret, Django's SECRET_KEY. A ledger call fails with the key set; its logs and Django's DEBUG
error page for that very exception are searched for each secret, raw and as sent (Basic base64)."""

from __future__ import annotations

import base64
import logging
import socket
import sys
from typing import Any

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response

from billpay.ledger import codat_client
from codat.errors import CodatError

CODAT_KEY = "codat-key-3f9a1c7e5b2d4f60a8e1c3b5d7f9a2c4"
SANDBOX_KEY = "sandbox-key-8e2d4f6a1c3b5d7e9f0a2c4e6b8d0f1a"
WEBHOOK_SECRET = "webhook-secret-5b7d9f1a3c5e7a9b1d3f5a7c9e1b3d5f"
DJANGO_SECRET = "django-secret-key-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def secrets_set(settings: Any) -> list[str]:
    settings.CODAT_API_KEY = CODAT_KEY
    # A ledger that refuses connections: every call fails after the client's retries.
    settings.CODAT_BASE_URL = f"http://127.0.0.1:{_closed_port()}"
    settings.SANDBOX_API_KEY = SANDBOX_KEY
    settings.CODAT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SECRET_KEY = DJANGO_SECRET
    token = base64.b64encode(CODAT_KEY.encode()).decode()
    return [CODAT_KEY, token, SANDBOX_KEY, WEBHOOK_SECRET, DJANGO_SECRET]


def _failing_ledger_call() -> CodatError:
    client = codat_client()
    client._sleep = lambda seconds: None  # the retries' backoff, not what is tested here
    with client, pytest.raises(CodatError) as failure:
        client.get_company("8a210b68-6988-11ed-a1eb-0242ac120002")
    return failure.value


def _error_page(request: Any) -> str:
    """Django's DEBUG page for a view that died on the failing call (this frame holds no secret,
    unlike the test's own, whose locals the page would list)."""
    try:
        _failing_ledger_call()
        raise RuntimeError("the ledger call failed")
    except RuntimeError:
        return str(technical_500_response(request, *sys.exc_info()).content.decode())


def test_a_failing_ledger_call_logs_no_secret(
    secrets_set: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    error = _failing_ledger_call()

    logged = caplog.text
    assert "retrying" in logged  # the client did log the failure and its retries
    for secret in secrets_set:
        assert secret not in logged
        assert secret not in str(error)
        assert secret not in repr(error)


def test_the_debug_error_page_of_that_failure_shows_no_secret(
    secrets_set: list[str], settings: Any
) -> None:
    settings.DEBUG = True
    request = RequestFactory().post("/bills/1/pay/", {"amount": "10.00"})
    page = _error_page(request)

    # The page is the full technical one: settings listed, values of the secret ones hidden.
    assert "CODAT_API_KEY" in page
    assert "CODAT_WEBHOOK_SECRET" in page
    assert "********************" in page
    for secret in secrets_set:
        assert secret not in page
