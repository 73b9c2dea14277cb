"""What Codat's gateway does around every operation: Basic auth, the daily quota and its headers,
404 for paths that are no operation, and the ErrorMessage shape (codat-api.md §1, §9)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
import time_machine
from django.utils import timezone

from sandbox.models import LedgerCompany, LedgerConnection, RateWindow
from sandbox.transport import sandbox_transport

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

ERROR_KEYS = {
    "statusCode",
    "service",
    "error",
    "correlationId",
    "validation",
    "canBeRetried",
    "detailedErrorCode",
}


@pytest.fixture
def anonymous() -> Iterator[httpx.Client]:
    with httpx.Client(base_url="http://sandbox.ledger", transport=sandbox_transport()) as client:
        yield client


def today_count() -> int:
    return RateWindow.objects.get(day=timezone.now().astimezone(dt.UTC).date()).count


# --- Auth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic " + base64.b64encode(b"wrong-key").decode(),
        "Bearer billpay-sandbox-key",
        "billpay-sandbox-key",
        "Basic",
    ],
)
def test_wrong_or_missing_credentials_get_401(
    anonymous: httpx.Client, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = anonymous.get("/companies", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["statusCode"] == 401
    assert body["service"] == "PublicApi"
    assert body["error"] == "Unauthorized"
    assert body["canBeRetried"] == "Unknown"
    assert body["detailedErrorCode"] == 0
    assert body["validation"] is None


def test_401_comes_before_looking_at_the_path(anonymous: httpx.Client) -> None:
    assert anonymous.get("/no/such/path").status_code == 401


def test_every_error_has_a_fresh_correlation_id(anonymous: httpx.Client) -> None:
    first = anonymous.get("/companies").json()["correlationId"]
    second = anonymous.get("/companies").json()["correlationId"]

    assert first
    assert first != second


# --- Unknown paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("DELETE", "/companies"),
        ("GET", "/companies/{cid}/connections/{conn}/payables/bogus"),
    ],
)
def test_a_path_that_is_no_operation_is_404(
    ledger: httpx.Client, linked_connection: LedgerConnection, method: str, path: str
) -> None:
    path = path.format(cid=linked_connection.company_id, conn=linked_connection.id)

    response = ledger.request(method, path)

    assert response.status_code == 404
    assert set(response.json()) == ERROR_KEYS
    assert response.json()["error"] == f"No resource found at {method} {path}"


# --- Quota and X-Rate-Limit-* -------------------------------------------------------------------


def test_responses_carry_the_rate_limit_headers(ledger: httpx.Client) -> None:
    first = ledger.get("/companies")
    second = ledger.get("/companies/not-a-company")

    tomorrow = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=1)
    for response in (first, second):
        assert response.headers["x-rate-limit-limit"] == "1000"
        assert response.headers["x-rate-limit-reset"] == f"{tomorrow.isoformat()}T00:00:00Z"
    remaining = int(first.headers["x-rate-limit-remaining"])
    assert int(second.headers["x-rate-limit-remaining"]) == remaining - 1
    assert remaining == 1000 - today_count() + 1


def test_the_quota_grows_with_each_linked_company(
    ledger: httpx.Client, linked_connection: LedgerConnection
) -> None:
    # 1000 x (1 + active connected companies): two connections of one company count once.
    LedgerConnection.objects.create(
        company=linked_connection.company, platform_key="qhyg", status="Linked"
    )
    other = LedgerCompany.objects.create(name="Other")
    LedgerConnection.objects.create(company=other, platform_key="gbol", status="PendingAuth")

    assert ledger.get("/companies").headers["x-rate-limit-limit"] == "2000"

    LedgerConnection.objects.filter(company=other).update(status="Linked")
    assert ledger.get("/companies").headers["x-rate-limit-limit"] == "3000"


def test_exceeding_the_daily_quota_is_429_with_retry_after(ledger: httpx.Client) -> None:
    now = dt.datetime(2026, 3, 4, 23, 59, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        RateWindow.objects.create(day=now.date(), count=1000)

        response = ledger.get("/companies")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert response.json()["statusCode"] == 429
    assert response.json()["error"] == (
        "You have made too many requests in a given amount of time; please retry later."
    )


def test_the_quota_resets_at_midnight_utc(ledger: httpx.Client) -> None:
    day = dt.date(2026, 3, 4)
    RateWindow.objects.create(day=day, count=10**6)
    with time_machine.travel(dt.datetime(2026, 3, 4, 23, 59, tzinfo=dt.UTC), tick=False):
        assert ledger.get("/companies").status_code == 429
    with time_machine.travel(dt.datetime(2026, 3, 5, 0, 0, 1, tzinfo=dt.UTC), tick=False):
        response = ledger.get("/companies")

    assert response.status_code == 200
    assert response.headers["x-rate-limit-remaining"] == "999"


def test_a_repeated_query_parameter_counts_with_its_last_value(
    ledger: httpx.Client, ledger_company: LedgerCompany
) -> None:
    # As over HTTP, where Django's QueryDict answers the last value.
    response = ledger.get("/companies", params=[("pageSize", "1"), ("pageSize", "7")])

    assert response.json()["pageSize"] == 7
