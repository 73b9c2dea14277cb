from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime as http_date
from typing import Any

import httpx
import pytest
import time_machine

from codat import exact_json
from codat.client import DEFAULT_TIMEOUT, CodatClient, parse_retry_after
from codat.errors import (
    CodatAuthError,
    CodatConflict,
    CodatError,
    CodatNotFound,
    CodatRejected,
    CodatUnavailable,
    ValidationItem,
)
from codat.types import (
    Attachment,
    BankAccount,
    BankAccountPrototype,
    BankAccountType,
    Bill,
    BillLineItemPrototype,
    BillMappingOptions,
    BillPayment,
    BillPaymentPrototype,
    BillPrototype,
    Company,
    CompanyInformation,
    CompanyRequest,
    Connection,
    NumberedPage,
    Page,
    PaymentMappingOptions,
    RecordRef,
    Supplier,
    SupplierPrototype,
    SupplierRef,
)
from tests.codat import examples

COMPANY = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
CONNECTION = "51baa045-4836-4317-a42e-3542e991e581"
ATTACHMENT = "422f093f-e556-4bf3-91c0-93af70c3e850"
KEY = "6f1f1d39-2b7e-4c55-9d38-6e0b8a1f7c01"
P = f"/companies/{COMPANY}/connections/{CONNECTION}/payables"
API_KEY = "billpay-test-key"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeCodat:
    """A MockTransport handler: records each request and answers with the next queued reply."""

    replies: list[Reply]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return fresh(reply)
        return reply(request)

    @property
    def request(self) -> httpx.Request:
        assert len(self.requests) == 1, [str(r.url) for r in self.requests]
        return self.requests[0]


def fresh(response: httpx.Response) -> httpx.Response:
    """A new copy of a canned response, so one constant can answer many requests."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return response  # a streaming body, used once
    return httpx.Response(response.status_code, headers=response.headers, content=content)


def reply(status: int, text: str | None = None, **headers: str) -> httpx.Response:
    if text is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(
        status,
        content=text.encode(),
        headers={"Content-Type": "application/json", **headers},
    )


@dataclass
class Harness:
    fake: FakeCodat
    client: CodatClient
    sleeps: list[float]


@pytest.fixture
def make() -> Iterator[Callable[..., Harness]]:
    clients: list[CodatClient] = []

    def build(*replies: Reply, **options: Any) -> Harness:
        fake = FakeCodat(list(replies))
        sleeps: list[float] = []
        client = CodatClient(
            base_url="https://api.codat.io",
            api_key=API_KEY,
            transport=httpx.MockTransport(fake),
            sleep=sleeps.append,
            **options,
        )
        clients.append(client)
        return Harness(fake, client, sleeps)

    yield build
    for client in clients:
        client.close()


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content, parse_float=Decimal)


def params_of(request: httpx.Request) -> list[tuple[str, str]]:
    return sorted(request.url.params.multi_items())


def bill_prototype() -> BillPrototype:
    return BillPrototype(
        supplier_ref=SupplierRef("1262c350-fe0f-40ec-aeff-41c95b4a45af"),
        issue_date=date(2023, 4, 23),
        due_date=date(2023, 5, 23),
        currency="GBP",
        currency_rate=Decimal("1.000000001"),
        line_items=(
            BillLineItemPrototype(
                description="Stationery",
                unit_amount=Decimal("32.10"),
                quantity=Decimal(8),
                tax_amount=Decimal("51.36"),
                account_ref=RecordRef("cba6527d-f102-4538-b421-e483233e9d5a"),
                tax_rate_ref=RecordRef("INPUT2"),
            ),
        ),
    )


def payment_prototype() -> BillPaymentPrototype:
    return BillPaymentPrototype(
        amount=Decimal("100.10"),
        date=date(2024, 3, 1),
        account_id="7bda9f44sr56",
        reference="Paid by billpay",
        currency_rate=Decimal("1.234567891"),
    )


def supplier_prototype() -> SupplierPrototype:
    return SupplierPrototype(supplier_name="Northridge Office Supplies", default_currency="GBP")


def bank_account_prototype() -> BankAccountPrototype:
    return BankAccountPrototype(
        name="Payables account",
        account_type=BankAccountType.DEBIT,
        account_number="0120 0440",
        currency="GBP",
        sort_code="50-50-50",
    )


# -- one case per operation: method, exact path and query, status, result type ----------------


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[CodatClient], object]
    method: str
    path: str
    reply: httpx.Response
    result: type | None
    params: list[tuple[str, str]] = field(default_factory=list)
    body: object = None


CASES = [
    Case(
        "list_companies_page",
        lambda c: c.list_companies_page(
            page=2, page_size=50, query="name~Toft", order_by="-created", tags="region=uk"
        ),
        "GET",
        "/companies",
        reply(200, examples.LIST_COMPANIES_MANY),
        NumberedPage,
        [
            ("orderBy", "-created"),
            ("page", "2"),
            ("pageSize", "50"),
            ("query", "name~Toft"),
            ("tags", "region=uk"),
        ],
    ),
    Case(
        "list_companies_page_defaults",
        lambda c: c.list_companies_page(),
        "GET",
        "/companies",
        reply(200, examples.LIST_COMPANIES),
        NumberedPage,
        [("page", "1"), ("pageSize", "100")],
    ),
    Case(
        "create_company",
        lambda c: c.create_company(CompanyRequest("Technicalium", tags={"region": "us"})),
        "POST",
        "/companies",
        reply(200, examples.CREATE_COMPANY),
        Company,
        body={"name": "Technicalium", "tags": {"region": "us"}},
    ),
    Case(
        "get_company",
        lambda c: c.get_company(COMPANY),
        "GET",
        f"/companies/{COMPANY}",
        reply(200, examples.GET_COMPANY),
        Company,
    ),
    Case(
        "delete_company",
        lambda c: c.delete_company(COMPANY),
        "DELETE",
        f"/companies/{COMPANY}",
        reply(204),
        None,
    ),
    Case(
        "list_connections_page",
        lambda c: c.list_connections_page(
            COMPANY, page=3, page_size=10, query="status=Linked", order_by="-created"
        ),
        "GET",
        f"/companies/{COMPANY}/connections",
        reply(200, examples.LIST_CONNECTIONS),
        NumberedPage,
        [("orderBy", "-created"), ("page", "3"), ("pageSize", "10"), ("query", "status=Linked")],
    ),
    Case(
        "create_connection",
        lambda c: c.create_connection(COMPANY, "gbol"),
        "POST",
        f"/companies/{COMPANY}/connections",
        reply(200, examples.CONNECTION),
        Connection,
        body={"platformKey": "gbol"},
    ),
    Case(
        "get_connection",
        lambda c: c.get_connection(COMPANY, CONNECTION),
        "GET",
        f"/companies/{COMPANY}/connections/{CONNECTION}",
        reply(200, examples.CONNECTION),
        Connection,
    ),
    Case(
        "unlink_connection",
        lambda c: c.unlink_connection(COMPANY, CONNECTION),
        "PATCH",
        f"/companies/{COMPANY}/connections/{CONNECTION}",
        reply(200, examples.CONNECTION.replace('"Linked"', '"Unlinked"')),
        Connection,
        body={"status": "Unlinked"},
    ),
    Case(
        "delete_connection",
        lambda c: c.delete_connection(COMPANY, CONNECTION),
        "DELETE",
        f"/companies/{COMPANY}/connections/{CONNECTION}",
        reply(200),
        None,
    ),
    Case(
        "get_company_information",
        lambda c: c.get_company_information(COMPANY, CONNECTION),
        "GET",
        f"{P}/info",
        reply(200, examples.COMPANY_INFORMATION),
        CompanyInformation,
    ),
    Case(
        "get_mapping_options_bills_page",
        lambda c: c.get_mapping_options_bills_page(
            COMPANY, CONNECTION, status_query="status=Archived", continuation_token="tok"
        ),
        "GET",
        f"{P}/mappingOptions/bills",
        reply(200, examples.BILL_MAPPING_OPTIONS),
        BillMappingOptions,
        [("continuationToken", "tok"), ("statusQuery", "status=Archived")],
    ),
    Case(
        "get_mapping_options_payments_page",
        lambda c: c.get_mapping_options_payments_page(
            COMPANY, CONNECTION, status_query="status=Active||status=Archived"
        ),
        "GET",
        f"{P}/mappingOptions/payments",
        reply(200, examples.PAYMENT_MAPPING_OPTIONS),
        PaymentMappingOptions,
        [("statusQuery", "status=Active||status=Archived")],
    ),
    Case(
        "list_bills_page",
        lambda c: c.list_bills_page(
            COMPANY, CONNECTION, query="status=PartiallyPaid", continuation_token="tok"
        ),
        "GET",
        f"{P}/bills",
        reply(200, examples.LIST_BILLS_AS_IN_SPEC.replace('"1,"', "1")),
        Page,
        [("continuationToken", "tok"), ("query", "status=PartiallyPaid")],
    ),
    Case(
        "create_bill",
        lambda c: c.create_bill(COMPANY, CONNECTION, bill_prototype(), idempotency_key=KEY),
        "POST",
        f"{P}/bills",
        reply(201, examples.CREATED_BILL),
        Bill,
        body=bill_prototype().to_json(),
    ),
    Case(
        "update_bill",
        lambda c: c.update_bill(
            COMPANY, CONNECTION, "bill-1029932", bill_prototype(), idempotency_key=KEY
        ),
        "PUT",
        f"{P}/bills/bill-1029932",
        reply(200, examples.UPDATED_BILL),
        Bill,
        body=bill_prototype().to_json(),
    ),
    Case(
        "upload_bill_attachment",
        lambda c: c.upload_bill_attachment(
            COMPANY,
            CONNECTION,
            "18",
            filename="receipt.png",
            content=b"\x89PNG...",
            content_type="image/png",
        ),
        "POST",
        f"{P}/bills/18/attachments",
        reply(201, examples.ATTACHMENT),
        Attachment,
    ),
    Case(
        "list_bill_attachments",
        lambda c: c.list_bill_attachments(COMPANY, CONNECTION, "18"),
        "GET",
        f"{P}/bills/18/attachments",
        reply(200, examples.ATTACHMENTS),
        tuple,
    ),
    Case(
        "download_bill_attachment",
        lambda c: c.download_bill_attachment(COMPANY, CONNECTION, "18", ATTACHMENT),
        "GET",
        f"{P}/bills/18/attachments/{ATTACHMENT}/download",
        httpx.Response(200, content=b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"}),
        bytes,
    ),
    Case(
        "create_bill_payment",
        lambda c: c.create_bill_payment(
            COMPANY, CONNECTION, "18", payment_prototype(), idempotency_key=KEY
        ),
        "POST",
        f"{P}/bills/18/payment",
        reply(201, examples.BILL_PAYMENT),
        BillPayment,
        body=payment_prototype().to_json(),
    ),
    Case(
        "list_suppliers_page",
        lambda c: c.list_suppliers_page(
            COMPANY, CONNECTION, query="status=Active", continuation_token="tok"
        ),
        "GET",
        f"{P}/suppliers",
        reply(200, examples.LIST_SUPPLIERS),
        Page,
        [("continuationToken", "tok"), ("query", "status=Active")],
    ),
    Case(
        "create_supplier",
        lambda c: c.create_supplier(COMPANY, CONNECTION, supplier_prototype(), idempotency_key=KEY),
        "POST",
        f"{P}/suppliers",
        reply(201, examples.SUPPLIER),
        Supplier,
        body={
            "supplierName": "Northridge Office Supplies",
            "status": "Active",
            "defaultCurrency": "GBP",
        },
    ),
    Case(
        "update_supplier",
        lambda c: c.update_supplier(COMPANY, CONNECTION, "sup-10933920", supplier_prototype()),
        "PUT",
        f"{P}/suppliers/sup-10933920",
        reply(200, examples.SUPPLIER),
        Supplier,
        body={
            "supplierName": "Northridge Office Supplies",
            "status": "Active",
            "defaultCurrency": "GBP",
        },
    ),
    Case(
        "create_bank_account",
        lambda c: c.create_bank_account(
            COMPANY, CONNECTION, bank_account_prototype(), idempotency_key=KEY
        ),
        "POST",
        f"{P}/bankAccounts",
        reply(201, examples.BANK_ACCOUNT),
        BankAccount,
        body={
            "name": "Payables account",
            "accountType": "Debit",
            "accountNumber": "0120 0440",
            "sortCode": "50-50-50",
            "currency": "GBP",
        },
    ),
]

KEYED_WRITES = {
    "create_bill",
    "update_bill",
    "create_bill_payment",
    "create_supplier",
    "create_bank_account",
}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_operation_sends_the_spec_method_path_and_query(
    make: Callable[..., Harness], case: Case
) -> None:
    h = make(case.reply)

    result = case.call(h.client)

    request = h.fake.request
    assert request.method == case.method
    assert request.url.scheme == "https"
    assert request.url.host == "api.codat.io"
    assert request.url.path == case.path
    assert params_of(request) == sorted(case.params)
    if case.result is None:
        assert result is None
    else:
        assert isinstance(result, case.result)
    if case.body is not None:
        assert request.headers["Content-Type"] == "application/json"
        assert body_of(request) == case.body


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_only_the_writes_the_spec_keys_send_an_idempotency_key(
    make: Callable[..., Harness], case: Case
) -> None:
    h = make(case.reply)

    case.call(h.client)

    if case.id in KEYED_WRITES:
        assert h.fake.request.headers["Idempotency-Key"] == KEY
    else:
        assert "Idempotency-Key" not in h.fake.request.headers


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_request_carries_basic_auth_of_the_base64_api_key(
    make: Callable[..., Harness], case: Case
) -> None:
    h = make(case.reply)

    case.call(h.client)

    expected = "Basic " + base64.b64encode(API_KEY.encode()).decode()
    assert h.fake.request.headers["Authorization"] == expected == "Basic YmlsbHBheS10ZXN0LWtleQ=="


@pytest.mark.parametrize(
    ("call", "status", "text"),
    [
        (lambda c: c.create_company(CompanyRequest("X")), 201, examples.CREATE_COMPANY),
        (lambda c: c.create_connection(COMPANY, "gbol"), 201, examples.CONNECTION),
        (lambda c: c.delete_company(COMPANY), 200, None),
        (lambda c: c.delete_connection(COMPANY, CONNECTION), 204, None),
        (
            lambda c: c.create_bill(COMPANY, CONNECTION, bill_prototype()),
            200,
            examples.CREATED_BILL,
        ),
        (
            lambda c: c.create_bill_payment(COMPANY, CONNECTION, "18", payment_prototype()),
            200,
            examples.BILL_PAYMENT,
        ),
        (lambda c: c.get_company(COMPANY), 201, examples.GET_COMPANY),
    ],
    ids=[
        "create-company-201",
        "create-connection-201",
        "delete-company-200",
        "delete-connection-204",
        "create-bill-200",
        "create-bill-payment-200",
        "get-company-201",
    ],
)
def test_only_the_spec_success_status_is_accepted(
    make: Callable[..., Harness],
    call: Callable[[CodatClient], object],
    status: int,
    text: str | None,
) -> None:
    h = make(reply(status, text))

    with pytest.raises(CodatError, match="where the spec promises") as caught:
        call(h.client)

    assert type(caught.value) is CodatError
    assert caught.value.status_code == status


def test_redirect_is_not_followed_and_is_an_error(make: Callable[..., Harness]) -> None:
    h = make(reply(302, location="https://elsewhere.example/"))

    with pytest.raises(CodatError, match="unexpected status 302"):
        h.client.get_company(COMPANY)


# -- client set-up -----------------------------------------------------------------------------


def test_default_timeout_is_ten_seconds_and_five_to_connect(make: Callable[..., Harness]) -> None:
    h = make()

    assert h.client._http.timeout == httpx.Timeout(10.0, connect=5.0) == DEFAULT_TIMEOUT


def test_base_url_may_carry_a_path_prefix() -> None:
    fake = FakeCodat([reply(200, examples.GET_COMPANY)])
    with CodatClient(
        base_url="http://sandbox.local/codat/", api_key="k", transport=httpx.MockTransport(fake)
    ) as client:
        client.get_company(COMPANY)

    assert fake.request.url.path == f"/codat/companies/{COMPANY}"


def test_context_manager_closes_the_http_client() -> None:
    with CodatClient(base_url="https://api.codat.io", api_key="k") as client:
        pass

    assert client._http.is_closed


def test_event_hooks_see_every_response(make: Callable[..., Harness]) -> None:
    seen: list[int] = []
    h = make(
        reply(200, examples.GET_COMPANY),
        event_hooks={"response": [lambda response: seen.append(response.status_code)]},
    )

    h.client.get_company(COMPANY)

    assert seen == [200]


def test_empty_api_key_is_refused() -> None:
    with pytest.raises(ValueError, match="api_key"):
        CodatClient(base_url="https://api.codat.io", api_key="")


@pytest.mark.parametrize(
    ("bill_id", "raw_path"),
    [
        ("INV/2024 #1?x", "INV%2F2024%20%231%3Fx"),
        ("7110701885", "7110701885"),
        ("50%", "50%25"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("...", "..."),
    ],
)
def test_path_segments_are_url_quoted(
    make: Callable[..., Harness], bill_id: str, raw_path: str
) -> None:
    h = make(reply(200, examples.ATTACHMENTS))

    h.client.list_bill_attachments(COMPANY, CONNECTION, bill_id)

    assert h.fake.request.url.raw_path.decode() == f"{P}/bills/{raw_path}/attachments"


def test_empty_path_ids_are_refused_before_sending(make: Callable[..., Harness]) -> None:
    h = make()

    with pytest.raises(ValueError, match="must not be empty"):
        h.client.get_connection(COMPANY, "")

    assert h.fake.requests == []


# -- money on the wire -------------------------------------------------------------------------


def test_results_carry_decimal_money_never_float(make: Callable[..., Harness]) -> None:
    h = make(reply(201, examples.CREATED_BILL))

    bill = h.client.create_bill(COMPANY, CONNECTION, bill_prototype())

    assert bill.total_amount == Decimal("7267.2")
    assert type(bill.total_amount) is Decimal
    assert type(bill.amount_due) is Decimal
    for line in bill.line_items:
        for amount in (line.unit_amount, line.quantity, line.tax_amount, line.total_amount):
            assert type(amount) is Decimal


def test_decimals_are_sent_as_exact_json_numbers(make: Callable[..., Harness]) -> None:
    h = make(reply(201, examples.BILL_PAYMENT))

    h.client.create_bill_payment(COMPANY, CONNECTION, "18", payment_prototype())

    raw = h.fake.request.content.decode()
    assert '"amount":100.10' in raw
    assert '"currencyRate":1.234567891' in raw
    assert '"date":"2024-03-01T00:00:00"' in raw
    assert body_of(h.fake.request)["amount"] == Decimal("100.10")


def test_bill_lines_are_sent_as_exact_json_numbers(make: Callable[..., Harness]) -> None:
    h = make(reply(201, examples.CREATED_BILL))

    h.client.create_bill(COMPANY, CONNECTION, bill_prototype())

    raw = h.fake.request.content.decode()
    assert '"unitAmount":32.10' in raw
    assert '"taxAmount":51.36' in raw
    assert '"currencyRate":1.000000001' in raw


# -- idempotency -------------------------------------------------------------------------------


KEYED_CALLS: dict[str, tuple[Callable[[CodatClient, str | None], object], httpx.Response]] = {
    "create_bill": (
        lambda c, k: c.create_bill(COMPANY, CONNECTION, bill_prototype(), idempotency_key=k),
        reply(201, examples.CREATED_BILL),
    ),
    "update_bill": (
        lambda c, k: c.update_bill(COMPANY, CONNECTION, "1", bill_prototype(), idempotency_key=k),
        reply(200, examples.UPDATED_BILL),
    ),
    "create_bill_payment": (
        lambda c, k: c.create_bill_payment(
            COMPANY, CONNECTION, "1", payment_prototype(), idempotency_key=k
        ),
        reply(201, examples.BILL_PAYMENT),
    ),
    "create_supplier": (
        lambda c, k: c.create_supplier(
            COMPANY, CONNECTION, supplier_prototype(), idempotency_key=k
        ),
        reply(201, examples.SUPPLIER),
    ),
    "create_bank_account": (
        lambda c, k: c.create_bank_account(
            COMPANY, CONNECTION, bank_account_prototype(), idempotency_key=k
        ),
        reply(201, examples.BANK_ACCOUNT),
    ),
}


@pytest.mark.parametrize("name", sorted(KEYED_CALLS))
def test_keyed_write_passes_the_given_key_through(make: Callable[..., Harness], name: str) -> None:
    call, response = KEYED_CALLS[name]
    h = make(response)

    call(h.client, KEY)

    assert h.fake.request.headers["Idempotency-Key"] == KEY


@pytest.mark.parametrize("name", sorted(KEYED_CALLS))
def test_keyed_write_generates_a_fresh_uuid4_key_when_none_is_given(
    make: Callable[..., Harness], name: str
) -> None:
    call, response = KEYED_CALLS[name]
    h = make(response, response)

    call(h.client, None)
    call(h.client, None)

    first, second = (uuid.UUID(r.headers["Idempotency-Key"]) for r in h.fake.requests)
    assert first.version == second.version == 4
    assert first != second


def test_idempotency_key_must_be_a_guid(make: Callable[..., Harness]) -> None:
    h = make()

    with pytest.raises(ValueError, match="GUID"):
        h.client.create_bill_payment(
            COMPANY, CONNECTION, "1", payment_prototype(), idempotency_key="pay-bill-1"
        )

    assert h.fake.requests == []


# -- retries -----------------------------------------------------------------------------------


def test_get_retries_5xx_with_exponential_backoff(make: Callable[..., Harness]) -> None:
    h = make(
        reply(500, examples.INTERNAL_SERVER_ERROR),
        reply(503, examples.SERVICE_UNAVAILABLE),
        reply(200, examples.GET_COMPANY),
    )

    company = h.client.get_company(COMPANY)

    assert isinstance(company, Company)
    assert len(h.fake.requests) == 3
    assert h.sleeps == [0.5, 1.0]


def test_get_gives_up_after_max_retries(make: Callable[..., Harness]) -> None:
    h = make(*(reply(500, examples.INTERNAL_SERVER_ERROR) for _ in range(3)))

    with pytest.raises(CodatUnavailable) as caught:
        h.client.get_company(COMPANY)

    assert caught.value.status_code == 500
    assert len(h.fake.requests) == 3
    assert h.sleeps == [0.5, 1.0]


def test_get_retries_429_after_its_retry_after_seconds(make: Callable[..., Harness]) -> None:
    h = make(
        reply(429, examples.TOO_MANY_REQUESTS, **{"Retry-After": "7"}),
        reply(
            200,
            examples.LIST_SUPPLIERS.replace(
                "eyJwYWdlIjoyLCJwYWdlU2l6ZSI6MTAwLCJwYWdlQ291bnQiOjExfQ==", ""
            ),
        ),
    )

    page = h.client.list_suppliers_page(COMPANY, CONNECTION)

    assert len(page.items) == 2
    assert h.sleeps == [7.0]


def test_get_honours_retry_after_as_an_http_date(make: Callable[..., Harness]) -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    h = make(
        reply(
            429,
            examples.TOO_MANY_REQUESTS,
            **{"Retry-After": http_date(now + timedelta(seconds=12), usegmt=True)},
        ),
        reply(200, examples.GET_COMPANY),
    )

    with time_machine.travel(now, tick=False):
        h.client.get_company(COMPANY)

    assert h.sleeps == [12.0]


def test_retry_after_longer_than_max_retry_wait_is_left_to_the_caller(
    make: Callable[..., Harness],
) -> None:
    h = make(reply(429, examples.TOO_MANY_REQUESTS, **{"Retry-After": "3600"}), max_retry_wait=30)

    with pytest.raises(CodatUnavailable) as caught:
        h.client.get_company(COMPANY)

    assert caught.value.retry_after == 3600.0
    assert len(h.fake.requests) == 1
    assert h.sleeps == []


def test_backoff_is_capped_by_max_retry_wait(make: Callable[..., Harness]) -> None:
    h = make(
        *(reply(502) for _ in range(4)),
        reply(200, examples.GET_COMPANY),
        max_retries=4,
        backoff=10,
        max_retry_wait=25,
    )

    h.client.get_company(COMPANY)

    assert h.sleeps == [10.0, 20.0, 25.0, 25.0]


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.ReadTimeout("slow read"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("closed early"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_get_retries_network_errors_and_timeouts(
    make: Callable[..., Harness], error: Exception
) -> None:
    h = make(error, reply(200, examples.COMPANY_INFORMATION))

    info = h.client.get_company_information(COMPANY, CONNECTION)

    assert info.base_currency == "GBP"
    assert h.sleeps == [0.5]


def test_get_network_failure_after_retries_is_unavailable(make: Callable[..., Harness]) -> None:
    h = make(*(httpx.ReadTimeout("slow") for _ in range(3)))

    with pytest.raises(CodatUnavailable, match="did not answer in time") as caught:
        h.client.get_company(COMPANY)

    assert caught.value.status_code is None
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_max_retries_zero_sends_once(make: Callable[..., Harness]) -> None:
    h = make(reply(503), max_retries=0)

    with pytest.raises(CodatUnavailable):
        h.client.get_company(COMPANY)

    assert len(h.fake.requests) == 1


@pytest.mark.parametrize("name", sorted(KEYED_CALLS))
@pytest.mark.parametrize(
    "failure",
    [
        reply(500, examples.INTERNAL_SERVER_ERROR),
        reply(503, examples.SERVICE_UNAVAILABLE),
        httpx.ReadTimeout("no answer"),
        httpx.WriteTimeout("stuck sending"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("closed"),
    ],
    ids=["500", "503", "ReadTimeout", "WriteTimeout", "ReadError", "RemoteProtocolError"],
)
def test_keyed_write_is_not_retried_when_it_may_have_reached_codat(
    make: Callable[..., Harness], name: str, failure: Reply
) -> None:
    call, _ = KEYED_CALLS[name]
    h = make(failure)

    with pytest.raises(CodatUnavailable):
        call(h.client, KEY)

    assert len(h.fake.requests) == 1
    assert h.sleeps == []


@pytest.mark.parametrize("name", sorted(KEYED_CALLS))
def test_keyed_write_is_retried_after_429_with_the_same_key_and_body(
    make: Callable[..., Harness], name: str
) -> None:
    call, response = KEYED_CALLS[name]
    h = make(reply(429, examples.TOO_MANY_REQUESTS, **{"Retry-After": "2"}), response)

    call(h.client, KEY)

    first, second = h.fake.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == KEY
    assert first.content == second.content
    assert h.sleeps == [2.0]


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
    ids=lambda e: type(e).__name__,
)
def test_keyed_write_is_retried_when_it_never_left_this_process(
    make: Callable[..., Harness], error: Exception
) -> None:
    h = make(error, reply(201, examples.BILL_PAYMENT))

    payment = h.client.create_bill_payment(
        COMPANY, CONNECTION, "18", payment_prototype(), idempotency_key=KEY
    )

    assert payment.amount == Decimal(22)
    assert [r.headers["Idempotency-Key"] for r in h.fake.requests] == [KEY, KEY]
    assert h.sleeps == [0.5]


def test_keyed_write_gives_up_on_429_after_max_retries(make: Callable[..., Harness]) -> None:
    h = make(*(reply(429, examples.TOO_MANY_REQUESTS) for _ in range(3)))

    with pytest.raises(CodatUnavailable) as caught:
        h.client.create_bill(COMPANY, CONNECTION, bill_prototype(), idempotency_key=KEY)

    assert caught.value.status_code == 429
    assert {r.headers["Idempotency-Key"] for r in h.fake.requests} == {KEY}
    assert h.sleeps == [0.5, 1.0]


UNKEYED_WRITES: dict[str, Callable[[CodatClient], object]] = {
    "create_company": lambda c: c.create_company(CompanyRequest("X")),
    "delete_company": lambda c: c.delete_company(COMPANY),
    "create_connection": lambda c: c.create_connection(COMPANY, "gbol"),
    "unlink_connection": lambda c: c.unlink_connection(COMPANY, CONNECTION),
    "delete_connection": lambda c: c.delete_connection(COMPANY, CONNECTION),
    "update_supplier": lambda c: c.update_supplier(COMPANY, CONNECTION, "1", supplier_prototype()),
    "upload_bill_attachment": lambda c: c.upload_bill_attachment(
        COMPANY, CONNECTION, "1", filename="a.pdf", content=b"%PDF", content_type="application/pdf"
    ),
}


@pytest.mark.parametrize("name", sorted(UNKEYED_WRITES))
@pytest.mark.parametrize(
    "failure",
    [
        reply(429, examples.TOO_MANY_REQUESTS, **{"Retry-After": "1"}),
        httpx.ConnectError("refused"),
        reply(500),
    ],
    ids=["429", "ConnectError", "500"],
)
def test_write_without_an_idempotency_key_is_never_retried(
    make: Callable[..., Harness], name: str, failure: Reply
) -> None:
    h = make(failure)

    with pytest.raises(CodatUnavailable):
        UNKEYED_WRITES[name](h.client)

    assert len(h.fake.requests) == 1
    assert h.sleeps == []


def test_conflict_is_not_retried_by_the_client(make: Callable[..., Harness]) -> None:
    h = make(reply(409, examples.CONFLICT))

    with pytest.raises(CodatConflict, match="data set has not been requested"):
        h.client.list_bills_page(COMPANY, CONNECTION)

    assert len(h.fake.requests) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("Mon, 05 Jan 2026 12:00:30 GMT", 30.0),
        ("Mon, 05 Jan 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after_reads_seconds_and_http_dates(
    value: str | None, expected: float | None
) -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    assert parse_retry_after(value, now=now) == expected


# -- error mapping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "text", "error_class", "message"),
    [
        (400, examples.BAD_REQUEST, CodatRejected, "Error processing request - not valid."),
        (401, examples.UNAUTHORIZED, CodatAuthError, "Unauthorized"),
        (402, examples.PAYMENT_REQUIRED, CodatAuthError, "You have exceeded the 50-company limit"),
        (403, examples.FORBIDDEN, CodatAuthError, "You are using an outdated API key"),
        (404, examples.NOT_FOUND, CodatNotFound, "No company was found with ID"),
        (409, examples.CONFLICT, CodatConflict, "The data set has not been requested."),
        (422, examples.BAD_REQUEST.replace("400", "422"), CodatRejected, "Error processing"),
        (429, examples.TOO_MANY_REQUESTS, CodatUnavailable, "You have made too many requests"),
        (500, examples.INTERNAL_SERVER_ERROR, CodatUnavailable, "There is a problem"),
        (503, examples.SERVICE_UNAVAILABLE, CodatUnavailable, "The Codat API is temporarily"),
    ],
)
def test_error_statuses_map_to_error_classes(
    make: Callable[..., Harness],
    status: int,
    text: str,
    error_class: type[CodatError],
    message: str,
) -> None:
    h = make(reply(status, text), max_retries=0)

    with pytest.raises(CodatError) as caught:
        h.client.get_company(COMPANY)

    error = caught.value
    assert type(error) is error_class
    assert error.message.startswith(message)
    # The HTTP status decides, not the body's statusCode (the spec's 402 example says 429).
    assert error.status_code == status
    assert error.correlation_id is not None
    assert error.error_code == 0


def test_conflict_is_a_retryable_unavailable() -> None:
    assert issubclass(CodatConflict, CodatUnavailable)
    assert issubclass(CodatNotFound, CodatRejected)


VALIDATION_ERROR = """\
{
  "statusCode": 400,
  "service": "PublicApi",
  "error": "Error processing request - not valid.",
  "correlationId": "bc997528a9d7abb9161ef45f05d38599",
  "validation": {
    "errors": [
      {"itemId": "bill", "message": "`Due Date` must not be empty.", "validatorName": "Bill"},
      {"itemId": null, "message": "`Currency Length` must be equal to `3`.", "validatorName": null}
    ],
    "warnings": [{"itemId": "bill", "message": "Reference truncated.", "validatorName": "Xero"}]
  },
  "canBeRetried": "Unknown",
  "detailedErrorCode": 14
}
"""


def test_validation_errors_become_messages_a_form_can_show(make: Callable[..., Harness]) -> None:
    h = make(reply(400, VALIDATION_ERROR))

    with pytest.raises(CodatRejected) as caught:
        h.client.create_bill(COMPANY, CONNECTION, bill_prototype())

    error = caught.value
    assert error.form_messages() == [
        "`Due Date` must not be empty.",
        "`Currency Length` must be equal to `3`.",
    ]
    assert error.validation_errors[0] == ValidationItem(
        item_id="bill", message="`Due Date` must not be empty.", validator_name="Bill"
    )
    assert error.validation_warnings == (
        ValidationItem(item_id="bill", message="Reference truncated.", validator_name="Xero"),
    )
    assert error.error_code == 14
    assert "correlation id bc997528a9d7abb9161ef45f05d38599" in str(error)


def test_form_messages_fall_back_to_the_error_text(make: Callable[..., Harness]) -> None:
    h = make(reply(400, examples.BAD_REQUEST))

    with pytest.raises(CodatRejected) as caught:
        h.client.update_supplier(COMPANY, CONNECTION, "1", supplier_prototype())

    assert caught.value.form_messages() == ["Error processing request - not valid."]


def test_error_body_that_is_not_an_error_message_still_maps_by_status(
    make: Callable[..., Harness],
) -> None:
    h = make(
        httpx.Response(
            502, content=b"<html>Bad gateway</html>", headers={"Content-Type": "text/html"}
        ),
        max_retries=0,
    )

    with pytest.raises(CodatUnavailable, match="unavailable") as caught:
        h.client.get_company(COMPANY)

    assert caught.value.correlation_id is None


def test_not_found_without_a_body_has_a_default_message(make: Callable[..., Harness]) -> None:
    h = make(reply(404))

    with pytest.raises(CodatNotFound, match="could not find"):
        h.client.get_connection(COMPANY, CONNECTION)


# -- wrong shapes ------------------------------------------------------------------------------


def test_success_that_is_not_json_is_a_codat_error(make: Callable[..., Harness]) -> None:
    h = make(httpx.Response(200, content=b"<html>login</html>"))

    with pytest.raises(CodatError, match="not valid JSON") as caught:
        h.client.get_company(COMPANY)

    assert type(caught.value) is CodatError


def test_success_missing_a_required_field_is_a_codat_error(make: Callable[..., Harness]) -> None:
    h = make(reply(200, examples.GET_COMPANY.replace('"redirect"', '"redirectUrl"')))

    with pytest.raises(CodatError, match=r"Company\.redirect is missing") as caught:
        h.client.get_company(COMPANY)

    assert type(caught.value) is CodatError


def test_spec_list_bills_example_is_a_wrong_shape(make: Callable[..., Harness]) -> None:
    h = make(reply(200, examples.LIST_BILLS_AS_IN_SPEC))

    with pytest.raises(CodatError, match=r"Bills\.results\[0\]\.currencyRate must be a number"):
        h.client.list_bills_page(COMPANY, CONNECTION)


@pytest.mark.parametrize(
    ("call", "text", "match"),
    [
        (lambda c: c.list_bill_attachments(COMPANY, CONNECTION, "1"), examples.ATTACHMENT, "array"),
        (lambda c: c.get_company(COMPANY), "[]", "object"),
        (
            lambda c: c.list_suppliers_page(COMPANY, CONNECTION),
            '{"items": []}',
            "results is missing",
        ),
        (
            lambda c: c.list_companies_page(),
            '{"results": [], "pageNumber": "1", "pageSize": 100, "totalResults": 0, '
            '"_links": {"self": {"href": "/companies"}, "current": {"href": "/companies"}}}',
            "pageNumber must be an integer",
        ),
    ],
)
def test_response_of_the_wrong_shape_is_a_codat_error(
    make: Callable[..., Harness], call: Callable[[CodatClient], object], text: str, match: str
) -> None:
    h = make(reply(200, text))

    with pytest.raises(CodatError, match=match):
        call(h.client)


# -- pagination --------------------------------------------------------------------------------


def numbered_page(names: list[str], page: int, *, last: bool) -> httpx.Response:
    results = [
        {"id": str(uuid.UUID(int=page * 100 + i)), "name": name, "redirect": "https://link"}
        for i, name in enumerate(names)
    ]
    links: dict[str, object] = {
        "self": {"href": "/companies"},
        "current": {"href": f"/companies?page={page}&pageSize=2"},
    }
    if not last:
        links["next"] = {"href": f"/companies?page={page + 1}&pageSize=2"}
    body = {
        "results": results,
        "pageNumber": page,
        "pageSize": 2,
        "totalResults": 5,
        "_links": links,
    }
    return reply(200, exact_json.dumps(body))


def continued(body: dict[str, object], token: str | None) -> httpx.Response:
    """A `/payables` list page; the token is left out on the last page, as Codat does."""
    pagination = {"continuationToken": token} if token else {}
    return reply(200, exact_json.dumps({**body, "pagination": pagination}))


def example(text: str) -> dict[str, Any]:
    data = json.loads(text, parse_float=Decimal)
    assert isinstance(data, dict)
    return data


def bills_page(ids: list[str], token: str | None) -> httpx.Response:
    bill = example(examples.CREATED_BILL)
    return continued({"results": [{**bill, "id": i} for i in ids]}, token)


def suppliers_page(ids: list[str], token: str | None) -> httpx.Response:
    supplier = example(examples.SUPPLIER)
    return continued({"results": [{**supplier, "id": i} for i in ids]}, token)


def test_list_companies_walks_every_page(make: Callable[..., Harness]) -> None:
    h = make(
        numbered_page(["a", "b"], 1, last=False),
        numbered_page(["c", "d"], 2, last=False),
        numbered_page(["e"], 3, last=True),
    )

    names = [company.name for company in h.client.list_companies(page_size=2, query="name~x")]

    assert names == ["a", "b", "c", "d", "e"]
    assert [params_of(r) for r in h.fake.requests] == [
        [("page", str(n)), ("pageSize", "2"), ("query", "name~x")] for n in (1, 2, 3)
    ]


def test_list_connections_walks_every_page(make: Callable[..., Harness]) -> None:
    connection = example(examples.CONNECTION)

    def page(n: int, last: bool) -> httpx.Response:
        links: dict[str, object] = {"self": {"href": "/"}, "current": {"href": "/"}}
        if not last:
            links["next"] = {"href": "/"}
        body = {
            "results": [{**connection, "id": f"conn-{n}"}],
            "pageNumber": n,
            "pageSize": 1,
            "totalResults": 3,
            "_links": links,
        }
        return reply(200, exact_json.dumps(body))

    h = make(page(1, False), page(2, False), page(3, True))

    ids = [c.id for c in h.client.list_connections(COMPANY, page_size=1, order_by="-created")]

    assert ids == ["conn-1", "conn-2", "conn-3"]
    assert all(r.url.path == f"/companies/{COMPANY}/connections" for r in h.fake.requests)
    assert [r.url.params["page"] for r in h.fake.requests] == ["1", "2", "3"]
    assert {r.url.params["orderBy"] for r in h.fake.requests} == {"-created"}


def test_numbered_paging_stops_at_an_empty_page_even_with_a_next_link(
    make: Callable[..., Harness],
) -> None:
    h = make(numbered_page(["a"], 1, last=False), numbered_page([], 2, last=False))

    assert [c.name for c in h.client.list_companies()] == ["a"]
    assert len(h.fake.requests) == 2


def test_numbered_paging_is_lazy(make: Callable[..., Harness]) -> None:
    h = make(numbered_page(["a", "b"], 1, last=False), numbered_page(["c"], 2, last=True))

    companies = h.client.list_companies(page_size=2)
    assert h.fake.requests == []
    assert next(companies).name == "a"
    assert next(companies).name == "b"
    # The first page's items are all consumed and the second page is still not fetched.
    assert len(h.fake.requests) == 1
    assert next(companies).name == "c"
    assert len(h.fake.requests) == 2


@pytest.mark.parametrize("method", ["list_bills", "list_suppliers"])
def test_continuation_lists_follow_the_token_across_pages(
    make: Callable[..., Harness], method: str
) -> None:
    page = bills_page if method == "list_bills" else suppliers_page
    pages = [page(["1", "2"], "t1"), page(["3"], "t2"), page(["4"], None)]
    h = make(*pages)

    ids = [item.id for item in getattr(h.client, method)(COMPANY, CONNECTION, query="status=Open")]

    assert ids == ["1", "2", "3", "4"]
    assert [params_of(r) for r in h.fake.requests] == [
        [("query", "status=Open")],
        [("continuationToken", "t1"), ("query", "status=Open")],
        [("continuationToken", "t2"), ("query", "status=Open")],
    ]


def test_continuation_paging_is_lazy(make: Callable[..., Harness]) -> None:
    h = make(bills_page(["1", "2"], "t1"), bills_page(["3"], None))

    bills = h.client.list_bills(COMPANY, CONNECTION)
    assert h.fake.requests == []
    assert [next(bills).id, next(bills).id] == ["1", "2"]
    assert len(h.fake.requests) == 1
    assert next(bills).id == "3"
    assert len(h.fake.requests) == 2
    assert list(bills) == []


def test_list_bills_page_resumes_from_a_stored_token(make: Callable[..., Harness]) -> None:
    h = make(bills_page(["9"], "next-one"))

    page = h.client.list_bills_page(COMPANY, CONNECTION, continuation_token="stored")

    assert [bill.id for bill in page.items] == ["9"]
    assert page.continuation_token == "next-one"
    assert h.fake.request.url.params["continuationToken"] == "stored"


def test_repeated_continuation_token_stops_paging(make: Callable[..., Harness]) -> None:
    h = make(bills_page(["1"], "same"), bills_page(["2"], "same"))

    with pytest.raises(CodatError, match="same continuation token"):
        list(h.client.list_bills(COMPANY, CONNECTION))

    assert len(h.fake.requests) == 2


def test_bill_mapping_options_gathers_every_page(make: Callable[..., Harness]) -> None:
    def page(accounts: list[str], rates: list[str], token: str | None) -> httpx.Response:
        body: dict[str, object] = {
            "accounts": [{"id": a, "status": "Active"} for a in accounts],
            "taxRates": [{"id": r, "effectiveTaxRate": Decimal("20.5")} for r in rates],
        }
        return continued(body, token)

    h = make(page(["a1"], ["r1"], "t1"), page(["a2"], [], "t2"), page([], ["r2"], None))

    options = h.client.get_mapping_options_bills(COMPANY, CONNECTION, status_query="status=Active")

    assert [a.id for a in options.accounts] == ["a1", "a2"]
    assert [r.id for r in options.tax_rates] == ["r1", "r2"]
    assert options.tax_rates[0].effective_tax_rate == Decimal("20.5")
    assert options.continuation_token is None
    assert [r.url.params.get("continuationToken") for r in h.fake.requests] == [None, "t1", "t2"]
    assert {r.url.params["statusQuery"] for r in h.fake.requests} == {"status=Active"}


def test_payment_mapping_options_gathers_every_page(make: Callable[..., Harness]) -> None:
    h = make(
        continued({"bankAccounts": [{"id": "b1", "accountType": "Debit"}]}, "t1"),
        continued({"bankAccounts": [{"id": "b2", "accountType": "Credit"}]}, "t2"),
        continued({"bankAccounts": [{"id": "b3"}]}, None),
    )

    options = h.client.get_mapping_options_payments(COMPANY, CONNECTION)

    assert [b.id for b in options.bank_accounts] == ["b1", "b2", "b3"]
    assert all(r.url.path == f"{P}/mappingOptions/payments" for r in h.fake.requests)
    assert len(h.fake.requests) == 3


# -- attachments -------------------------------------------------------------------------------


def test_upload_sends_a_multipart_part_named_file_with_the_filename(
    make: Callable[..., Harness],
) -> None:
    h = make(reply(201, examples.ATTACHMENT))

    attachment = h.client.upload_bill_attachment(
        COMPANY,
        CONNECTION,
        "18",
        filename="invoice 42.pdf",
        content=io.BytesIO(b"%PDF-1.7 body"),
        content_type="application/pdf",
    )

    request = h.fake.request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert (
        b'Content-Disposition: form-data; name="file"; filename="invoice 42.pdf"' in request.content
    )
    assert b"Content-Type: application/pdf" in request.content
    assert b"%PDF-1.7 body" in request.content
    assert attachment.file_size == 100
    assert attachment.include_when_sent is True


def test_download_returns_the_bytes(make: Callable[..., Harness]) -> None:
    h = make(httpx.Response(200, content=b"\x00\x01binary"))

    assert (
        h.client.download_bill_attachment(COMPANY, CONNECTION, "18", ATTACHMENT)
        == b"\x00\x01binary"
    )


class ChunkRecorder(io.RawIOBase):
    def __init__(self) -> None:
        self.chunks: list[int] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(len(data))
        return len(data)


def test_download_to_streams_in_bounded_chunks(make: Callable[..., Harness]) -> None:
    produced: list[int] = []

    def body() -> Iterator[bytes]:
        for _ in range(8):
            produced.append(1)
            yield b"x" * 100_000

    h = make(httpx.Response(200, content=body()))
    sink = ChunkRecorder()

    written = h.client.download_bill_attachment_to(
        COMPANY, CONNECTION, "18", ATTACHMENT, sink, chunk_size=64 * 1024
    )

    assert written == 800_000
    assert sum(sink.chunks) == 800_000
    assert max(sink.chunks) <= 64 * 1024
    assert len(produced) == 8


def test_download_to_retries_a_failed_start_like_any_get(make: Callable[..., Harness]) -> None:
    h = make(reply(503), httpx.Response(200, content=b"pdf"))
    sink = io.BytesIO()

    h.client.download_bill_attachment_to(COMPANY, CONNECTION, "18", ATTACHMENT, sink)

    assert sink.getvalue() == b"pdf"
    assert h.sleeps == [0.5]


def test_download_to_reports_an_interrupted_stream_as_unavailable(
    make: Callable[..., Harness],
) -> None:
    def body() -> Iterator[bytes]:
        yield b"first part"
        raise httpx.ReadError("connection reset")

    h = make(httpx.Response(200, content=body()))

    with pytest.raises(CodatUnavailable, match="interrupted"):
        h.client.download_bill_attachment_to(COMPANY, CONNECTION, "18", ATTACHMENT, io.BytesIO())

    assert len(h.fake.requests) == 1


def test_download_to_maps_errors_like_any_get(make: Callable[..., Harness]) -> None:
    h = make(reply(404, examples.NOT_FOUND))

    with pytest.raises(CodatNotFound):
        h.client.download_bill_attachment_to(COMPANY, CONNECTION, "18", ATTACHMENT, io.BytesIO())
