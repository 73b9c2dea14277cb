from __future__ import annotations

import base64

import pytest

from billpay.ledger import CODAT_PRODUCTION_URL, codat_client, ledger_mode
from codat.types import CompanyRequest


def _auth(client) -> str:
    return client._http.headers["Authorization"]


def test_a_codat_key_alone_means_real_codat(settings) -> None:
    settings.CODAT_API_KEY = "real-key"
    settings.CODAT_BASE_URL = ""

    with codat_client() as client:
        assert ledger_mode() == "codat"
        assert str(client._http.base_url).rstrip("/") == CODAT_PRODUCTION_URL
        assert _auth(client) == "Basic " + base64.b64encode(b"real-key").decode()


def test_a_base_url_uses_that_api_with_the_sandbox_key(settings) -> None:
    settings.CODAT_API_KEY = ""
    settings.CODAT_BASE_URL = "http://127.0.0.1:9/sandbox/codat"

    with codat_client() as client:
        assert ledger_mode() == "http"
        assert str(client._http.base_url).startswith("http://127.0.0.1:9/sandbox/codat")
        assert (
            _auth(client) == "Basic " + base64.b64encode(settings.SANDBOX_API_KEY.encode()).decode()
        )


@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_the_same_client_talks_to_the_sandbox_over_http(live_server, settings) -> None:
    settings.CODAT_API_KEY = ""
    settings.CODAT_BASE_URL = f"{live_server.url}/sandbox/codat"

    with codat_client() as client:
        company = client.create_company(CompanyRequest(name="Over The Wire Ltd"))
        fetched = client.get_company(company.id)
        connection = client.create_connection(company.id, "gbol")

    assert fetched.name == "Over The Wire Ltd"
    assert connection.link_url.startswith(settings.SANDBOX_LINK_BASE_URL)
