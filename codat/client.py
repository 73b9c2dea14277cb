"""CodatClient: one method per operation of Codat's synchronous Bill Pay API (Sync for Payables v2).

Every method is named after its spec `operationId` (`specs/Codat-Sync-Payables.yaml`) and
returns the typed records of `codat.types`; raw JSON never leaves this package. In docstrings `P`
stands for `/companies/{companyId}/connections/{connectionId}/payables`.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import math
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self, TypeVar
from urllib.parse import quote

import httpx

from codat import exact_json
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
    Account,
    Attachment,
    BankAccount,
    BankAccountPrototype,
    Bill,
    BillMappingOptions,
    BillPayment,
    BillPaymentPrototype,
    BillPrototype,
    Company,
    CompanyInformation,
    CompanyRequest,
    Connection,
    ConnectionStatus,
    NumberedPage,
    Page,
    PaymentMappingOptions,
    Supplier,
    SupplierPrototype,
    TaxRate,
    parse_list,
)

T = TypeVar("T")

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEFAULT_PAGE_SIZE = 100


class _Retry(Enum):
    """Which failures a request may be retried after, chosen per operation."""

    # GETs change nothing: retry connection errors, timeouts, 408, 429 and 5xx.
    READ = "read"
    # Writes carrying an Idempotency-Key. Codat caches the first response to a key for 90 minutes
    # and replays it, 4xx and 5xx included, but never caches a 429, which releases the key; a key
    # still in flight answers 409 (codat-docs `write-data/idempotency.md`; the spec's
    # `Idempotency-Conflict`). So a write is retried only after a 429, or when the request
    # provably never left this process (connect errors and timeouts, pool timeouts). After a read
    # timeout or a 5xx the write may have happened, and a replay would only return the cached 5xx:
    # the caller gets CodatUnavailable and retries later with the same key, or reconciles.
    KEYED_WRITE = "keyed-write"
    # Writes without an idempotency key are never retried: a replay could act twice.
    NEVER = "never"


_READ_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_UNAVAILABLE_ERRORS = (*_READ_RETRY_ERRORS, httpx.ProxyError)


class SupportsWrite(Protocol):
    """A binary file-like object to stream a download into."""

    def write(self, data: bytes, /) -> object: ...


def _segment(value: str) -> str:
    # Bill and supplier ids are free strings from the platform ("a/b", "7110701885", ...).
    if not value:
        raise ValueError("path ids must not be empty")
    if value in (".", ".."):
        # Dot segments would be resolved away by URL normalisation, addressing another resource.
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _company(company_id: str) -> str:
    return f"/companies/{_segment(company_id)}"


def _connection(company_id: str, connection_id: str) -> str:
    return f"{_company(company_id)}/connections/{_segment(connection_id)}"


def _payables(company_id: str, connection_id: str) -> str:
    return f"{_connection(company_id, connection_id)}/payables"


def _idempotency_key(key: str | None) -> str:
    if key is None:
        # Only safe within this one call; callers that may retry later pass their stored key.
        return str(uuid.uuid4())
    try:
        uuid.UUID(key)
    except ValueError:
        raise ValueError("idempotency_key must be a GUID (Codat's idempotency docs)") from None
    return key


def _params(**values: str | int | None) -> dict[str, str | int]:
    return {name: value for name, value in values.items() if value is not None}


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


@dataclass(frozen=True, slots=True)
class _ErrorBody:
    """Codat's ErrorMessage, read leniently: an error status decides the error class by itself."""

    message: str | None = None
    correlation_id: str | None = None
    error_code: int | None = None
    errors: tuple[ValidationItem, ...] = ()
    warnings: tuple[ValidationItem, ...] = ()

    @classmethod
    def read(cls, response: httpx.Response) -> _ErrorBody:
        # A 502 page from a load balancer is still "unavailable", so a body that is not an
        # ErrorMessage loses its details rather than turning the error into a shape error.
        try:
            data = exact_json.loads(response.content)
        except CodatError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        validation = data.get("validation")
        if not isinstance(validation, dict):
            validation = {}
        code = data.get("detailedErrorCode")
        return cls(
            message=_str_or_none(data.get("error")),
            correlation_id=_str_or_none(data.get("correlationId")),
            error_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            errors=_validation_items(validation.get("errors")),
            warnings=_validation_items(validation.get("warnings")),
        )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _validation_items(value: object) -> tuple[ValidationItem, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        ValidationItem(
            item_id=_str_or_none(item.get("itemId")),
            message=_str_or_none(item.get("message")),
            validator_name=_str_or_none(item.get("validatorName")),
        )
        for item in value
        if isinstance(item, dict)
    )


def error_for_response(response: httpx.Response) -> CodatError:
    """Map an error response to the CodatError subclass its HTTP status calls for."""
    status = response.status_code
    body = _ErrorBody.read(response)
    if status in (401, 402, 403):
        return CodatAuthError(
            body.message or "Codat refused the request's credentials.",
            status_code=status,
            correlation_id=body.correlation_id,
            error_code=body.error_code,
        )
    if status == 409:
        return CodatConflict(
            body.message or "Codat is still busy with this data; please try again shortly.",
            status_code=status,
            correlation_id=body.correlation_id,
            error_code=body.error_code,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status in (408, 429) or 500 <= status <= 599:
        return CodatUnavailable(
            body.message or "Codat is unavailable right now; please try again later.",
            status_code=status,
            correlation_id=body.correlation_id,
            error_code=body.error_code,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if 400 <= status <= 499:
        rejected = CodatNotFound if status == 404 else CodatRejected
        return rejected(
            body.message
            or (
                "Codat could not find that record."
                if status == 404
                else "Codat rejected the request."
            ),
            status_code=status,
            correlation_id=body.correlation_id,
            error_code=body.error_code,
            validation_errors=body.errors,
            validation_warnings=body.warnings,
        )
    return CodatError(
        f"Codat answered with an unexpected status {status}.",
        status_code=status,
        correlation_id=body.correlation_id,
        error_code=body.error_code,
    )


def _error_for_exception(exc: httpx.RequestError) -> CodatError:
    if isinstance(exc, httpx.TimeoutException):
        return CodatUnavailable("Codat did not answer in time; please try again later.")
    if isinstance(exc, _UNAVAILABLE_ERRORS):
        return CodatUnavailable("Codat could not be reached; please try again later.")
    return CodatError(f"The request to Codat failed ({type(exc).__name__}).")


class CodatClient:
    """A client for Codat's Bill Pay API owning one httpx.Client: one method per spec operation."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_retry_wait: float = 30,
        sleep: Callable[[float], None] = time.sleep,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        token = base64.b64encode(api_key.encode()).decode("ascii")
        self._http = httpx.Client(
            base_url=base_url,
            timeout=timeout or DEFAULT_TIMEOUT,
            headers={"Authorization": f"Basic {token}"},
            transport=transport,
            event_hooks=event_hooks,
        )
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_retry_wait = max_retry_wait
        self._sleep = sleep

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -----------------------------------------------------------------------------------------
    # Sending, retrying and parsing

    def _wait_before_retry(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to sleep before retry number `attempt + 1`, or None when it is not worth it."""
        if attempt >= self._max_retries:
            return None
        if retry_after is not None:
            # Retrying before Codat's Retry-After only earns another 429; a wait beyond our cap is
            # left to the caller (a Celery retry), which reads it from the error.
            return retry_after if retry_after <= self._max_retry_wait else None
        return float(min(self._backoff * 2**attempt, self._max_retry_wait))

    def _send(
        self,
        method: str,
        path: str,
        *,
        expect: int,
        retry: _Retry,
        params: Mapping[str, str | int] | None = None,
        body: object = None,
        files: Mapping[str, tuple[str, bytes | BinaryIO, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        request_headers = dict(headers or {})
        content: bytes | None = None
        if body is not None:
            content = exact_json.dumps(body).encode()
            request_headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            request = self._http.build_request(
                method, path, params=params, content=content, files=files, headers=request_headers
            )
            try:
                response = self._http.send(request, stream=stream)
            except httpx.RequestError as exc:
                error = _error_for_exception(exc)
                retryable = (retry is _Retry.READ and isinstance(exc, _READ_RETRY_ERRORS)) or (
                    retry is _Retry.KEYED_WRITE and isinstance(exc, _NOT_SENT_ERRORS)
                )
                wait = self._wait_before_retry(attempt, None) if retryable else None
                if wait is None:
                    raise error from exc
                logger.warning("Codat %s %s failed (%r); retrying in %ss", method, path, exc, wait)
            else:
                if response.status_code == expect:
                    return response
                if stream:
                    response.read()
                    response.close()
                error = self._unexpected(response, expect)
                status = response.status_code
                retryable = (
                    retry is _Retry.READ and (status in (408, 429) or 500 <= status <= 599)
                ) or (retry is _Retry.KEYED_WRITE and status == 429)
                retry_after = error.retry_after if isinstance(error, CodatUnavailable) else None
                wait = self._wait_before_retry(attempt, retry_after) if retryable else None
                if wait is None:
                    raise error
                logger.warning(
                    "Codat %s %s answered %s; retrying in %ss", method, path, status, wait
                )
            self._sleep(wait)
            attempt += 1

    @staticmethod
    def _unexpected(response: httpx.Response, expect: int) -> CodatError:
        if 200 <= response.status_code <= 299:
            # The spec fixes each operation's success code (create-company 200, create-bill 201,
            # delete-company 204); any other 2xx means we are not talking to the API we think.
            return CodatError(
                f"Codat answered {response.status_code} where the spec promises {expect}.",
                status_code=response.status_code,
            )
        return error_for_response(response)

    def _get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> object:
        response = self._send("GET", path, expect=200, retry=_Retry.READ, params=params)
        return exact_json.loads(response.content)

    @staticmethod
    def _repeated_token(token: str | None, previous: str | None) -> None:
        if token is not None and token == previous:
            # A server that hands back the token it was given would page forever.
            raise CodatError("Codat returned the same continuation token again; paging stopped.")

    def _continued(self, fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
        token: str | None = None
        while True:
            page = fetch(token)
            self._repeated_token(page.continuation_token, token)
            yield from page.items
            if page.continuation_token is None:
                return
            token = page.continuation_token

    @staticmethod
    def _numbered(fetch: Callable[[int], NumberedPage[T]]) -> Iterator[T]:
        page_number = 1
        while True:
            page = fetch(page_number)
            yield from page.items
            if not page.has_next or not page.items:
                return
            page_number += 1

    # -----------------------------------------------------------------------------------------
    # Companies

    def list_companies_page(
        self,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        query: str | None = None,
        order_by: str | None = None,
        tags: str | None = None,
    ) -> NumberedPage[Company]:
        """GET /companies (list-companies): one page."""
        params = _params(page=page, pageSize=page_size, query=query, orderBy=order_by, tags=tags)
        data = self._get_json("/companies", params)
        return NumberedPage.from_json(data, Company.from_json, path="Companies")

    def list_companies(
        self,
        *,
        query: str | None = None,
        order_by: str | None = None,
        tags: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[Company]:
        """GET /companies (list-companies): every company, fetched a page at a time."""
        return self._numbered(
            lambda page: self.list_companies_page(
                page=page, page_size=page_size, query=query, order_by=order_by, tags=tags
            )
        )

    def create_company(self, request: CompanyRequest) -> Company:
        """POST /companies (create-company), answered 200."""
        response = self._send(
            "POST", "/companies", expect=200, retry=_Retry.NEVER, body=request.to_json()
        )
        return Company.from_json(exact_json.loads(response.content))

    def get_company(self, company_id: str) -> Company:
        """GET /companies/{companyId} (get-company)."""
        return Company.from_json(self._get_json(_company(company_id)))

    def delete_company(self, company_id: str) -> None:
        """DELETE /companies/{companyId} (delete-company), answered 204."""
        self._send("DELETE", _company(company_id), expect=204, retry=_Retry.NEVER)

    # -----------------------------------------------------------------------------------------
    # Connections

    def list_connections_page(
        self,
        company_id: str,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        query: str | None = None,
        order_by: str | None = None,
    ) -> NumberedPage[Connection]:
        """GET /companies/{companyId}/connections (list-connections): one page."""
        params = _params(page=page, pageSize=page_size, query=query, orderBy=order_by)
        data = self._get_json(f"{_company(company_id)}/connections", params)
        return NumberedPage.from_json(data, Connection.from_json, path="Connections")

    def list_connections(
        self,
        company_id: str,
        *,
        query: str | None = None,
        order_by: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[Connection]:
        """GET /companies/{companyId}/connections (list-connections): every connection."""
        return self._numbered(
            lambda page: self.list_connections_page(
                company_id, page=page, page_size=page_size, query=query, order_by=order_by
            )
        )

    def create_connection(self, company_id: str, platform_key: str) -> Connection:
        """POST /companies/{companyId}/connections (create-connection), answered 200."""
        response = self._send(
            "POST",
            f"{_company(company_id)}/connections",
            expect=200,
            retry=_Retry.NEVER,
            body={"platformKey": platform_key},
        )
        return Connection.from_json(exact_json.loads(response.content))

    def get_connection(self, company_id: str, connection_id: str) -> Connection:
        """GET /companies/{companyId}/connections/{connectionId} (get-connection)."""
        return Connection.from_json(self._get_json(_connection(company_id, connection_id)))

    def unlink_connection(self, company_id: str, connection_id: str) -> Connection:
        """PATCH /companies/{companyId}/connections/{connectionId} (unlink-connection)."""
        response = self._send(
            "PATCH",
            _connection(company_id, connection_id),
            expect=200,
            retry=_Retry.NEVER,
            body={"status": str(ConnectionStatus.UNLINKED)},
        )
        return Connection.from_json(exact_json.loads(response.content))

    def delete_connection(self, company_id: str, connection_id: str) -> None:
        """DELETE /companies/{companyId}/connections/{connectionId} (delete-connection)."""
        self._send("DELETE", _connection(company_id, connection_id), expect=200, retry=_Retry.NEVER)

    # -----------------------------------------------------------------------------------------
    # Company information and mapping options

    def get_company_information(self, company_id: str, connection_id: str) -> CompanyInformation:
        """GET P/info (get-company-information)."""
        data = self._get_json(f"{_payables(company_id, connection_id)}/info")
        return CompanyInformation.from_json(data)

    def get_mapping_options_bills_page(
        self,
        company_id: str,
        connection_id: str,
        *,
        status_query: str | None = None,
        continuation_token: str | None = None,
    ) -> BillMappingOptions:
        """GET P/mappingOptions/bills (get-mapping-options-bills): one page."""
        params = _params(continuationToken=continuation_token, statusQuery=status_query)
        data = self._get_json(
            f"{_payables(company_id, connection_id)}/mappingOptions/bills", params
        )
        return BillMappingOptions.from_json(data)

    def get_mapping_options_bills(
        self, company_id: str, connection_id: str, *, status_query: str | None = None
    ) -> BillMappingOptions:
        """GET P/mappingOptions/bills (get-mapping-options-bills): every page."""
        accounts: list[Account] = []
        tax_rates: list[TaxRate] = []
        token: str | None = None
        while True:
            page = self.get_mapping_options_bills_page(
                company_id, connection_id, status_query=status_query, continuation_token=token
            )
            self._repeated_token(page.continuation_token, token)
            accounts.extend(page.accounts)
            tax_rates.extend(page.tax_rates)
            if page.continuation_token is None:
                return BillMappingOptions(accounts=tuple(accounts), tax_rates=tuple(tax_rates))
            token = page.continuation_token

    def get_mapping_options_payments_page(
        self,
        company_id: str,
        connection_id: str,
        *,
        status_query: str | None = None,
        continuation_token: str | None = None,
    ) -> PaymentMappingOptions:
        """GET P/mappingOptions/payments (get-mapping-options-payments): one page."""
        params = _params(continuationToken=continuation_token, statusQuery=status_query)
        path = f"{_payables(company_id, connection_id)}/mappingOptions/payments"
        return PaymentMappingOptions.from_json(self._get_json(path, params))

    def get_mapping_options_payments(
        self, company_id: str, connection_id: str, *, status_query: str | None = None
    ) -> PaymentMappingOptions:
        """GET P/mappingOptions/payments (get-mapping-options-payments): every page."""
        bank_accounts: list[BankAccount] = []
        token: str | None = None
        while True:
            page = self.get_mapping_options_payments_page(
                company_id, connection_id, status_query=status_query, continuation_token=token
            )
            self._repeated_token(page.continuation_token, token)
            bank_accounts.extend(page.bank_accounts)
            if page.continuation_token is None:
                return PaymentMappingOptions(bank_accounts=tuple(bank_accounts))
            token = page.continuation_token

    # -----------------------------------------------------------------------------------------
    # Bills

    def list_bills_page(
        self,
        company_id: str,
        connection_id: str,
        *,
        query: str | None = None,
        continuation_token: str | None = None,
    ) -> Page[Bill]:
        """GET P/bills (list-bills): one page; with no query only Open and PartiallyPaid bills."""
        params = _params(continuationToken=continuation_token, query=query)
        data = self._get_json(f"{_payables(company_id, connection_id)}/bills", params)
        return Page.from_json(data, Bill.from_json, path="Bills")

    def list_bills(
        self, company_id: str, connection_id: str, *, query: str | None = None
    ) -> Iterator[Bill]:
        """GET P/bills (list-bills): every bill, fetched a page at a time."""
        return self._continued(
            lambda token: self.list_bills_page(
                company_id, connection_id, query=query, continuation_token=token
            )
        )

    def create_bill(
        self,
        company_id: str,
        connection_id: str,
        bill: BillPrototype,
        *,
        idempotency_key: str | None = None,
    ) -> Bill:
        """POST P/bills (create-bill), answered 201."""
        response = self._send(
            "POST",
            f"{_payables(company_id, connection_id)}/bills",
            expect=201,
            retry=_Retry.KEYED_WRITE,
            body=bill.to_json(),
            headers={"Idempotency-Key": _idempotency_key(idempotency_key)},
        )
        return Bill.from_json(exact_json.loads(response.content))

    def update_bill(
        self,
        company_id: str,
        connection_id: str,
        bill_id: str,
        bill: BillPrototype,
        *,
        idempotency_key: str | None = None,
    ) -> Bill:
        """PUT P/bills/{billId} (update-bill): replaces every line item."""
        response = self._send(
            "PUT",
            f"{_payables(company_id, connection_id)}/bills/{_segment(bill_id)}",
            expect=200,
            retry=_Retry.KEYED_WRITE,
            body=bill.to_json(),
            headers={"Idempotency-Key": _idempotency_key(idempotency_key)},
        )
        return Bill.from_json(exact_json.loads(response.content))

    def upload_bill_attachment(
        self,
        company_id: str,
        connection_id: str,
        bill_id: str,
        *,
        filename: str,
        content: bytes | BinaryIO,
        content_type: str,
    ) -> Attachment:
        """POST P/bills/{billId}/attachments (upload-bill-attachment), answered 201."""
        # A file object is streamed, not read into memory; the part must be named `file`.
        response = self._send(
            "POST",
            f"{_payables(company_id, connection_id)}/bills/{_segment(bill_id)}/attachments",
            expect=201,
            retry=_Retry.NEVER,
            files={"file": (filename, content, content_type)},
        )
        return Attachment.from_json(exact_json.loads(response.content))

    def list_bill_attachments(
        self, company_id: str, connection_id: str, bill_id: str
    ) -> tuple[Attachment, ...]:
        """GET P/bills/{billId}/attachments (list-bill-attachments): a bare array."""
        path = f"{_payables(company_id, connection_id)}/bills/{_segment(bill_id)}/attachments"
        return parse_list(self._get_json(path), Attachment.from_json, path="Attachments")

    def download_bill_attachment_to(
        self,
        company_id: str,
        connection_id: str,
        bill_id: str,
        attachment_id: str,
        fileobj: SupportsWrite,
        *,
        chunk_size: int = 64 * 1024,
    ) -> int:
        """GET P/bills/{billId}/attachments/{attachmentId}/download (download-bill-attachment)."""
        path = (
            f"{_payables(company_id, connection_id)}/bills/{_segment(bill_id)}"
            f"/attachments/{_segment(attachment_id)}/download"
        )
        response = self._send("GET", path, expect=200, retry=_Retry.READ, stream=True)
        written = 0
        try:
            for chunk in response.iter_bytes(chunk_size):
                fileobj.write(chunk)
                written += len(chunk)
        except httpx.RequestError as exc:
            # Part of the file may already be written, so this is not retried here.
            raise CodatUnavailable("The download from Codat was interrupted; try again.") from exc
        finally:
            response.close()
        return written

    def download_bill_attachment(
        self, company_id: str, connection_id: str, bill_id: str, attachment_id: str
    ) -> bytes:
        """GET P/bills/{billId}/attachments/{attachmentId}/download (download-bill-attachment)."""
        response = self._send(
            "GET",
            f"{_payables(company_id, connection_id)}/bills/{_segment(bill_id)}"
            f"/attachments/{_segment(attachment_id)}/download",
            expect=200,
            retry=_Retry.READ,
        )
        return response.content

    def create_bill_payment(
        self,
        company_id: str,
        connection_id: str,
        bill_id: str,
        payment: BillPaymentPrototype,
        *,
        idempotency_key: str | None = None,
    ) -> BillPayment:
        """POST P/bills/{billId}/payment (create-bill-payment), answered 201."""
        response = self._send(
            "POST",
            f"{_payables(company_id, connection_id)}/bills/{_segment(bill_id)}/payment",
            expect=201,
            retry=_Retry.KEYED_WRITE,
            body=payment.to_json(),
            headers={"Idempotency-Key": _idempotency_key(idempotency_key)},
        )
        return BillPayment.from_json(exact_json.loads(response.content))

    # -----------------------------------------------------------------------------------------
    # Suppliers and bank accounts

    def list_suppliers_page(
        self,
        company_id: str,
        connection_id: str,
        *,
        query: str | None = None,
        continuation_token: str | None = None,
    ) -> Page[Supplier]:
        """GET P/suppliers (list-suppliers): one page."""
        params = _params(continuationToken=continuation_token, query=query)
        data = self._get_json(f"{_payables(company_id, connection_id)}/suppliers", params)
        return Page.from_json(data, Supplier.from_json, path="Suppliers")

    def list_suppliers(
        self, company_id: str, connection_id: str, *, query: str | None = None
    ) -> Iterator[Supplier]:
        """GET P/suppliers (list-suppliers): every supplier, fetched a page at a time."""
        return self._continued(
            lambda token: self.list_suppliers_page(
                company_id, connection_id, query=query, continuation_token=token
            )
        )

    def create_supplier(
        self,
        company_id: str,
        connection_id: str,
        supplier: SupplierPrototype,
        *,
        idempotency_key: str | None = None,
    ) -> Supplier:
        """POST P/suppliers (create-supplier), answered 201."""
        response = self._send(
            "POST",
            f"{_payables(company_id, connection_id)}/suppliers",
            expect=201,
            retry=_Retry.KEYED_WRITE,
            body=supplier.to_json(),
            headers={"Idempotency-Key": _idempotency_key(idempotency_key)},
        )
        return Supplier.from_json(exact_json.loads(response.content))

    def update_supplier(
        self,
        company_id: str,
        connection_id: str,
        supplier_id: str,
        supplier: SupplierPrototype,
    ) -> Supplier:
        """PUT P/suppliers/{supplierId} (update-supplier): a full replace."""
        # The spec declares no Idempotency-Key here, so this write is never retried.
        response = self._send(
            "PUT",
            f"{_payables(company_id, connection_id)}/suppliers/{_segment(supplier_id)}",
            expect=200,
            retry=_Retry.NEVER,
            body=supplier.to_json(),
        )
        return Supplier.from_json(exact_json.loads(response.content))

    def create_bank_account(
        self,
        company_id: str,
        connection_id: str,
        account: BankAccountPrototype,
        *,
        idempotency_key: str | None = None,
    ) -> BankAccount:
        """POST P/bankAccounts (create-bank-account), answered 201."""
        response = self._send(
            "POST",
            f"{_payables(company_id, connection_id)}/bankAccounts",
            expect=201,
            retry=_Retry.KEYED_WRITE,
            body=account.to_json(),
            headers={"Idempotency-Key": _idempotency_key(idempotency_key)},
        )
        return BankAccount.from_json(exact_json.loads(response.content))
