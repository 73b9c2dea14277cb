"""A company imported from a seeded sandbox ledger, and a recording transport for the refresh."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from django.conf import settings

from billpay.ledger import SANDBOX_IN_PROCESS_URL, codat_client_override
from codat.client import CodatClient
from sandbox.transport import sandbox_transport
from tests.ledger_company import LedgerCompany, import_ledger


@dataclass
class Ledger:
    """Every request sent to the sandbox, and a hook run before each one."""

    requests: list[httpx.URL] = field(default_factory=list)
    before: Callable[[httpx.Request], None] | None = None

    def paths(self, suffix: str) -> list[httpx.URL]:
        return [url for url in self.requests if url.path.endswith(suffix)]

    def bills_requests(self) -> list[httpx.URL]:
        return self.paths("/payables/bills")

    def clear(self) -> None:
        self.requests.clear()


def sandbox_client(
    handler: Callable[[httpx.Request], httpx.Response] | None = None, *, sleeps: bool = False
) -> Callable[[], CodatClient]:
    """A factory of clients of the in-process sandbox, for `codat_client_override`: requests go
    through `handler` (which answers, usually by passing them on to the sandbox's transport), and
    retries do not sleep unless `sleeps`."""
    transport = httpx.MockTransport(handler) if handler is not None else sandbox_transport()
    nap: dict[str, Any] = {} if sleeps else {"sleep": lambda seconds: None}

    def client() -> CodatClient:
        return CodatClient(
            base_url=SANDBOX_IN_PROCESS_URL,
            api_key=settings.SANDBOX_API_KEY,
            transport=transport,
            **nap,
        )

    return client


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """The in-process sandbox behind a recording transport, for imports and refreshes."""
    recorder = Ledger()
    inner = sandbox_transport()

    def handler(request: httpx.Request) -> httpx.Response:
        recorder.requests.append(request.url)
        if recorder.before is not None:
            recorder.before(request)
        return inner.handle_request(request)

    with codat_client_override(sandbox_client(handler)):
        yield recorder


@pytest.fixture
def imported(db, user, ledger) -> LedgerCompany:
    """The user's company, linked to a sandbox ledger (Xero) of 30 bills and fully imported."""
    result = import_ledger(user)
    ledger.requests.clear()
    return result


@pytest.fixture
def ledger_client(client, user, imported):
    """The user logged in, working in the imported company."""
    from accounts.services import ACTIVE_COMPANY_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[ACTIVE_COMPANY_SESSION_KEY] = imported.company.pk
    session.save()
    return client
