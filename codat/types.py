"""Typed records of Codat's Bill Pay API: results parsed strictly from JSON, prototypes sent to it.

JSON names are exactly the spec's (`specs/Codat-Sync-Payables.yaml`); Python names are
snake_case. Money is always `Decimal`, date-times are always timezone-aware `datetime`s.

A field is required when the spec lists it as required, plus `id` on every record, because billpay
addresses records by id, and the few amounts and dates billpay cannot work without (a bill's
`totalAmount`, a payment's `amount`, `date` and `accountRef`, a supplier's `supplierName` and
`status`). Every other field may be absent or null and then reads as None (or an empty tuple).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, Self, TypeVar

# The strict reader and the date-time forms live in codat/_parse.py; parse_datetime and
# format_datetime are public here, as they always were.
from codat._parse import (
    EMPTY_TAGS,
    Fields,
    Parser,
    check_decimal,
    drop_none,
    format_datetime,
    parse_datetime,
    shape_error,
    type_name,
)

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# Enums: closed in the spec, so an unknown value is a wrong-shaped response.


class BillStatus(StrEnum):
    UNKNOWN = "Unknown"
    OPEN = "Open"
    PARTIALLY_PAID = "PartiallyPaid"
    PAID = "Paid"
    VOID = "Void"
    DRAFT = "Draft"


class SupplierStatus(StrEnum):
    UNKNOWN = "Unknown"
    ACTIVE = "Active"
    ARCHIVED = "Archived"


class ConnectionStatus(StrEnum):
    PENDING_AUTH = "PendingAuth"
    LINKED = "Linked"
    UNLINKED = "Unlinked"
    DEAUTHORIZED = "Deauthorized"


class SourceType(StrEnum):
    ACCOUNTING = "Accounting"
    BANKING = "Banking"
    BANK_FEED = "BankFeed"
    COMMERCE = "Commerce"
    EXPENSE = "Expense"
    OTHER = "Other"
    UNKNOWN = "Unknown"


class DataConnectionErrorStatus(StrEnum):
    ACTIVE = "Active"
    RESOLVED = "Resolved"


class AccountStatus(StrEnum):
    """Status of an account, tax rate or bank account (three identical enums in the spec)."""

    ACTIVE = "Active"
    ARCHIVED = "Archived"


class BankAccountType(StrEnum):
    UNKNOWN = "Unknown"
    CREDIT = "Credit"
    DEBIT = "Debit"


class AddressType(StrEnum):
    UNKNOWN = "Unknown"
    BILLING = "Billing"
    DELIVERY = "Delivery"


class TrackingRefDataType(StrEnum):
    TRACKING_CATEGORIES = "trackingCategories"
    CUSTOMERS = "customers"


# ---------------------------------------------------------------------------------------------
# Companies and connections


@dataclass(frozen=True, slots=True)
class DataConnectionError:
    """An entry of Connection.dataConnectionErrors."""

    status_code: str | None = None
    status_text: str | None = None
    error_message: str | None = None
    errored_on_utc: datetime | None = None
    status: DataConnectionErrorStatus | None = None
    resolved_on_utc: datetime | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "dataConnectionError") -> Self:
        f = Fields(data, path)
        return cls(
            status_code=f.opt_text("statusCode"),
            status_text=f.opt_text("statusText"),
            error_message=f.opt_text("errorMessage"),
            errored_on_utc=f.opt_when("erroredOnUtc"),
            status=f.opt_choice("status", DataConnectionErrorStatus),
            resolved_on_utc=f.opt_when("resolvedOnUtc"),
        )


@dataclass(frozen=True, slots=True)
class Connection:
    """A company's data connection to one accounting platform."""

    id: str
    integration_id: str
    source_id: str
    source_type: SourceType
    platform_name: str
    link_url: str
    status: ConnectionStatus
    created: datetime
    integration_key: str | None = None
    last_sync: datetime | None = None
    data_connection_errors: tuple[DataConnectionError, ...] = ()

    @classmethod
    def from_json(cls, data: object, *, path: str = "Connection") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            integration_id=f.text("integrationId"),
            source_id=f.text("sourceId"),
            source_type=f.choice("sourceType", SourceType),
            platform_name=f.text("platformName"),
            link_url=f.text("linkUrl"),
            status=f.choice("status", ConnectionStatus),
            created=f.when("created"),
            integration_key=f.opt_text("integrationKey"),
            last_sync=f.opt_when("lastSync"),
            data_connection_errors=f.items("dataConnectionErrors", DataConnectionError.from_json),
        )


@dataclass(frozen=True, slots=True)
class CompanyReference:
    """A parent or subsidiary company of a multi-entity company."""

    id: str
    name: str | None = None
    description: str | None = None
    portal_url: str | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "companyReference") -> Self:
        f = Fields(data, path)
        links = f.opt_fields("links")
        return cls(
            id=f.text("id"),
            name=f.opt_text("name"),
            description=f.opt_text("description"),
            portal_url=links.opt_text("portal") if links else None,
        )


@dataclass(frozen=True, slots=True)
class Company:
    """A Codat company: one billpay business sharing its accounting data."""

    id: str
    name: str
    redirect: str
    description: str | None = None
    created: datetime | None = None
    last_sync: datetime | None = None
    created_by_user_name: str | None = None
    products: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=lambda: EMPTY_TAGS)
    reference_parent_company: CompanyReference | None = None
    reference_subsidiary_companies: tuple[CompanyReference, ...] = ()
    data_connections: tuple[Connection, ...] = ()

    @classmethod
    def from_json(cls, data: object, *, path: str = "Company") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            name=f.text("name"),
            redirect=f.text("redirect"),
            description=f.opt_text("description"),
            created=f.opt_when("created"),
            last_sync=f.opt_when("lastSync"),
            created_by_user_name=f.opt_text("createdByUserName"),
            products=f.texts("products"),
            tags=f.text_map("tags"),
            reference_parent_company=f.opt_nested(
                "referenceParentCompany", CompanyReference.from_json
            ),
            reference_subsidiary_companies=f.items(
                "referenceSubsidiaryCompanies", CompanyReference.from_json
            ),
            data_connections=f.items("dataConnections", Connection.from_json),
        )


@dataclass(frozen=True, slots=True)
class CompanyInformation:
    """GET .../payables/info: the company's name and base currency in its accounting platform."""

    company_name: str | None = None
    base_currency: str | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "CompanyInformation") -> Self:
        f = Fields(data, path)
        return cls(company_name=f.opt_text("companyName"), base_currency=f.opt_text("baseCurrency"))


# ---------------------------------------------------------------------------------------------
# Mapping options


@dataclass(frozen=True, slots=True)
class Account:
    """An account a bill line can be booked to (bill mapping options)."""

    id: str
    status: AccountStatus | None = None
    nominal_code: str | None = None
    name: str | None = None
    # Free text in the spec ("Liability", ...), so any value is accepted.
    type: str | None = None
    currency: str | None = None
    source_modified_date: datetime | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "accountMappingOption") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            status=f.opt_choice("status", AccountStatus),
            nominal_code=f.opt_text("nominalCode"),
            name=f.opt_text("name"),
            type=f.opt_text("type"),
            currency=f.opt_text("currency"),
            source_modified_date=f.opt_when("sourceModifiedDate"),
        )


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A tax rate a bill line can use (bill mapping options)."""

    id: str
    status: AccountStatus | None = None
    name: str | None = None
    code: str | None = None
    effective_tax_rate: Decimal | None = None
    total_tax_rate: Decimal | None = None
    source_modified_date: datetime | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "taxRateMappingOption") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            status=f.opt_choice("status", AccountStatus),
            name=f.opt_text("name"),
            code=f.opt_text("code"),
            effective_tax_rate=f.opt_money("effectiveTaxRate"),
            total_tax_rate=f.opt_money("totalTaxRate"),
            source_modified_date=f.opt_when("sourceModifiedDate"),
        )


@dataclass(frozen=True, slots=True)
class BankAccount:
    """A bank account or card bills are paid from (payment mapping options, create-bank-account)."""

    id: str
    account_type: BankAccountType | None = None
    status: AccountStatus | None = None
    name: str | None = None
    nominal_code: str | None = None
    account_number: str | None = None
    sort_code: str | None = None
    currency: str | None = None
    source_modified_date: datetime | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "BankAccount") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            account_type=f.opt_choice("accountType", BankAccountType),
            status=f.opt_choice("status", AccountStatus),
            name=f.opt_text("name"),
            nominal_code=f.opt_text("nominalCode"),
            account_number=f.opt_text("accountNumber"),
            sort_code=f.opt_text("sortCode"),
            currency=f.opt_text("currency"),
            source_modified_date=f.opt_when("sourceModifiedDate"),
        )


@dataclass(frozen=True, slots=True)
class BillMappingOptions:
    """Accounts and tax rates for bill lines; `continuation_token` is set on a non-final page."""

    accounts: tuple[Account, ...]
    tax_rates: tuple[TaxRate, ...]
    continuation_token: str | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "BillMappingOptions") -> Self:
        f = Fields(data, path)
        return cls(
            accounts=f.items("accounts", Account.from_json, required=True),
            tax_rates=f.items("taxRates", TaxRate.from_json, required=True),
            continuation_token=_continuation_token(f),
        )


@dataclass(frozen=True, slots=True)
class PaymentMappingOptions:
    """Bank accounts bills can be paid from; `continuation_token` is set on a non-final page."""

    bank_accounts: tuple[BankAccount, ...]
    continuation_token: str | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "PaymentMappingOptions") -> Self:
        f = Fields(data, path)
        return cls(
            bank_accounts=f.items("bankAccounts", BankAccount.from_json, required=True),
            continuation_token=_continuation_token(f),
        )


# ---------------------------------------------------------------------------------------------
# Bills


@dataclass(frozen=True, slots=True)
class SupplierRef:
    """Bill.supplierRef: the supplier's id, and its name in responses."""

    id: str
    supplier_name: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("SupplierRef.id must not be empty")

    @classmethod
    def from_json(cls, data: object, *, path: str = "supplierRef") -> Self:
        f = Fields(data, path)
        supplier_id = f.text("id")
        if not supplier_id:
            raise shape_error(f.at("id"), "must not be empty")
        return cls(id=supplier_id, supplier_name=f.opt_text("supplierName"))

    def to_json(self) -> dict[str, object]:
        return drop_none({"id": self.id, "supplierName": self.supplier_name})


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A reference by id: a line's accountRef or taxRateRef, a payment's accountRef."""

    id: str

    @classmethod
    def from_json(cls, data: object, *, path: str = "ref") -> Self:
        return cls(id=Fields(data, path).text("id"))

    @classmethod
    def from_json_or_none(cls, f: Fields, key: str) -> Self | None:
        """Read `f[key]`; an absent or null reference, or one without an id, is None."""
        ref = f.opt_fields(key)
        if ref is None:
            return None
        ref_id = ref.opt_text("id")
        return None if ref_id is None else cls(id=ref_id)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id}


@dataclass(frozen=True, slots=True)
class TrackingRef:
    """A line's tracking category or customer."""

    id: str
    data_type: TrackingRefDataType | None = None
    is_billable: bool | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "trackingRef") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            data_type=f.opt_choice("dataType", TrackingRefDataType),
            is_billable=f.opt_flag("isBillable"),
        )

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {"id": self.id, "dataType": self.data_type, "isBillable": self.is_billable}
        )


@dataclass(frozen=True, slots=True)
class BillLineItem:
    """A line of a bill as Codat returns it (the spec makes every field optional)."""

    description: str | None = None
    unit_amount: Decimal | None = None
    quantity: Decimal | None = None
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None
    account_ref: RecordRef | None = None
    tax_rate_ref: RecordRef | None = None
    tracking_refs: tuple[TrackingRef, ...] = ()

    @classmethod
    def from_json(cls, data: object, *, path: str = "billLineItem") -> Self:
        f = Fields(data, path)
        return cls(
            description=f.opt_text("description"),
            unit_amount=f.opt_money("unitAmount"),
            quantity=f.opt_money("quantity"),
            tax_amount=f.opt_money("taxAmount"),
            total_amount=f.opt_money("totalAmount"),
            account_ref=RecordRef.from_json_or_none(f, "accountRef"),
            tax_rate_ref=RecordRef.from_json_or_none(f, "taxRateRef"),
            tracking_refs=f.items("trackingRefs", TrackingRef.from_json),
        )


@dataclass(frozen=True, slots=True)
class Bill:
    """A supplier's bill in the accounting platform."""

    id: str
    supplier_ref: SupplierRef
    issue_date: datetime
    due_date: datetime
    currency: str
    status: BillStatus
    total_amount: Decimal
    reference: str | None = None
    currency_rate: Decimal | None = None
    amount_due: Decimal | None = None
    line_items: tuple[BillLineItem, ...] = ()
    source_modified_date: datetime | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "Bill") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            supplier_ref=f.nested("supplierRef", SupplierRef.from_json),
            issue_date=f.when("issueDate"),
            due_date=f.when("dueDate"),
            currency=f.text("currency"),
            status=f.choice("status", BillStatus),
            total_amount=f.money("totalAmount"),
            reference=f.opt_text("reference"),
            currency_rate=f.opt_money("currencyRate"),
            amount_due=f.opt_money("amountDue"),
            line_items=f.items("lineItems", BillLineItem.from_json),
            source_modified_date=f.opt_when("sourceModifiedDate"),
        )


@dataclass(frozen=True, slots=True)
class BillPayment:
    """A payment recorded against a bill (the response carries no bill status)."""

    id: str
    amount: Decimal
    date: datetime
    account_ref: RecordRef
    reference: str | None = None
    currency_rate: Decimal | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "BillPayment") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            amount=f.money("amount"),
            date=f.when("date"),
            account_ref=f.nested("accountRef", RecordRef.from_json),
            reference=f.opt_text("reference"),
            currency_rate=f.opt_money("currencyRate"),
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """Metadata of a file attached to a bill."""

    id: str
    name: str | None = None
    content_type: str | None = None
    date_created: datetime | None = None
    file_size: int | None = None
    include_when_sent: bool | None = None
    source_modified_date: datetime | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "Attachment") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            name=f.opt_text("name"),
            content_type=f.opt_text("contentType"),
            date_created=f.opt_when("dateCreated"),
            file_size=f.opt_integer("fileSize"),
            include_when_sent=f.opt_flag("includeWhenSent"),
            source_modified_date=f.opt_when("sourceModifiedDate"),
        )


# ---------------------------------------------------------------------------------------------
# Suppliers


@dataclass(frozen=True, slots=True)
class Address:
    """A supplier's address; the spec recommends 2-letter ISO country codes."""

    type: AddressType | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    postal_code: str | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "Address") -> Self:
        f = Fields(data, path)
        return cls(
            type=f.opt_choice("type", AddressType),
            line1=f.opt_text("line1"),
            line2=f.opt_text("line2"),
            city=f.opt_text("city"),
            region=f.opt_text("region"),
            country=f.opt_text("country"),
            postal_code=f.opt_text("postalCode"),
        )

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {
                "type": self.type,
                "line1": self.line1,
                "line2": self.line2,
                "city": self.city,
                "region": self.region,
                "country": self.country,
                "postalCode": self.postal_code,
            }
        )


@dataclass(frozen=True, slots=True)
class Supplier:
    """A supplier (vendor) in the accounting platform."""

    id: str
    supplier_name: str
    status: SupplierStatus
    contact_name: str | None = None
    email_address: str | None = None
    phone: str | None = None
    addresses: tuple[Address, ...] = ()
    balance: Decimal | None = None
    default_currency: str | None = None
    source_modified_date: datetime | None = None

    @classmethod
    def from_json(cls, data: object, *, path: str = "Supplier") -> Self:
        f = Fields(data, path)
        return cls(
            id=f.text("id"),
            supplier_name=f.text("supplierName"),
            status=f.choice("status", SupplierStatus),
            contact_name=f.opt_text("contactName"),
            email_address=f.opt_text("emailAddress"),
            phone=f.opt_text("phone"),
            addresses=f.items("addresses", Address.from_json),
            balance=f.opt_money("balance"),
            default_currency=f.opt_text("defaultCurrency"),
            source_modified_date=f.opt_when("sourceModifiedDate"),
        )


# ---------------------------------------------------------------------------------------------
# Pages


def _continuation_token(f: Fields) -> str | None:
    pagination = f.opt_fields("pagination")
    # The token is absent on the last page; an empty string would loop, so it ends paging too.
    return (pagination.opt_text("continuationToken") or None) if pagination else None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a `/payables` list; `continuation_token` is None on the last page."""

    items: tuple[T, ...]
    continuation_token: str | None = None

    @classmethod
    def from_json(cls, data: object, item: Parser[T], *, path: str = "page") -> Page[T]:
        """Read `{results: [...], pagination: {continuationToken?}}`."""
        f = Fields(data, path)
        return cls(
            items=f.items("results", item, required=True),
            continuation_token=_continuation_token(f),
        )


@dataclass(frozen=True, slots=True)
class NumberedPage(Generic[T]):
    """One page of companies or connections (page-number paging)."""

    items: tuple[T, ...]
    page_number: int
    page_size: int
    total_results: int
    has_next: bool

    @classmethod
    def from_json(cls, data: object, item: Parser[T], *, path: str = "page") -> NumberedPage[T]:
        """Read `{results, pageNumber, pageSize, totalResults, _links: {self, current, next?}}`."""
        f = Fields(data, path)
        links = f.fields("_links")
        links.fields("self")
        links.fields("current")
        return cls(
            items=f.items("results", item, required=True),
            page_number=f.integer("pageNumber"),
            page_size=f.integer("pageSize"),
            total_results=f.integer("totalResults"),
            has_next=links.opt_fields("next") is not None,
        )


def parse_list(data: object, item: Parser[T], *, path: str) -> tuple[T, ...]:
    """Read a bare JSON array (list-bill-attachments)."""
    if not isinstance(data, list):
        raise shape_error(path, f"must be an array, not {type_name(data)}")
    return tuple(item(value, path=f"{path}[{index}]") for index, value in enumerate(data))


# ---------------------------------------------------------------------------------------------
# Prototypes: what billpay sends


@dataclass(frozen=True, slots=True)
class CompanyRequest:
    """Body of create-company: the name (Codat strips forbidden characters), description, tags."""

    name: str
    description: str | None = None
    tags: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {
                "name": self.name,
                "description": self.description,
                "tags": dict(self.tags) if self.tags is not None else None,
            }
        )


@dataclass(frozen=True, slots=True)
class BillLineItemPrototype:
    """A line of a bill to create or update (update replaces every line)."""

    unit_amount: Decimal
    quantity: Decimal
    account_ref: RecordRef
    tax_amount: Decimal = Decimal(0)
    description: str | None = None
    # FreeAgent wants no tax rate (tax amount only), Xero and QBO require one.
    tax_rate_ref: RecordRef | None = None
    total_amount: Decimal | None = None
    tracking_refs: tuple[TrackingRef, ...] = ()

    def __post_init__(self) -> None:
        for name in ("unit_amount", "quantity", "tax_amount"):
            check_decimal("BillLineItemPrototype", name, getattr(self, name))
        check_decimal("BillLineItemPrototype", "total_amount", self.total_amount, optional=True)
        object.__setattr__(self, "tracking_refs", tuple(self.tracking_refs))

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {
                "description": self.description,
                "unitAmount": self.unit_amount,
                "quantity": self.quantity,
                "taxAmount": self.tax_amount,
                "totalAmount": self.total_amount,
                "accountRef": self.account_ref.to_json(),
                "taxRateRef": self.tax_rate_ref.to_json() if self.tax_rate_ref else None,
                "trackingRefs": [ref.to_json() for ref in self.tracking_refs] or None,
            }
        )


@dataclass(frozen=True, slots=True)
class BillPrototype:
    """Body of create-bill and update-bill (billPrototype); a new bill's status must be Open."""

    supplier_ref: SupplierRef
    issue_date: datetime | date
    due_date: datetime | date
    currency: str
    line_items: tuple[BillLineItemPrototype, ...]
    reference: str | None = None
    currency_rate: Decimal | None = None
    status: BillStatus = BillStatus.OPEN

    def __post_init__(self) -> None:
        check_decimal("BillPrototype", "currency_rate", self.currency_rate, optional=True)
        object.__setattr__(self, "line_items", tuple(self.line_items))
        # Fail here, not later inside to_json, when a naive datetime is passed.
        format_datetime(self.issue_date)
        format_datetime(self.due_date)

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {
                "reference": self.reference,
                "supplierRef": self.supplier_ref.to_json(),
                "issueDate": format_datetime(self.issue_date),
                "dueDate": format_datetime(self.due_date),
                "currency": self.currency,
                "currencyRate": self.currency_rate,
                "lineItems": [line.to_json() for line in self.line_items],
                "status": str(self.status),
            }
        )


@dataclass(frozen=True, slots=True)
class BillPaymentPrototype:
    """Body of create-bill-payment: amount in the bill's currency, paid from `account_id`."""

    amount: Decimal
    date: datetime | date
    account_id: str
    reference: str | None = None
    currency_rate: Decimal | None = None

    def __post_init__(self) -> None:
        check_decimal("BillPaymentPrototype", "amount", self.amount)
        check_decimal("BillPaymentPrototype", "currency_rate", self.currency_rate, optional=True)
        format_datetime(self.date)

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {
                "amount": self.amount,
                "date": format_datetime(self.date),
                "accountRef": {"id": self.account_id},
                "reference": self.reference,
                "currencyRate": self.currency_rate,
            }
        )


@dataclass(frozen=True, slots=True)
class SupplierPrototype:
    """Body of create-supplier and update-supplier; an update is a full replace."""

    supplier_name: str
    status: SupplierStatus = SupplierStatus.ACTIVE
    contact_name: str | None = None
    email_address: str | None = None
    phone: str | None = None
    addresses: tuple[Address, ...] = ()
    default_currency: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "addresses", tuple(self.addresses))

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {
                "supplierName": self.supplier_name,
                "contactName": self.contact_name,
                "emailAddress": self.email_address,
                "phone": self.phone,
                "addresses": [address.to_json() for address in self.addresses] or None,
                "status": str(self.status),
                "defaultCurrency": self.default_currency,
            }
        )


@dataclass(frozen=True, slots=True)
class BankAccountPrototype:
    """Body of create-bank-account: Debit for ACH/BACS/cheque/transfer, Credit for cards."""

    name: str
    account_type: BankAccountType
    account_number: str
    currency: str
    nominal_code: str | None = None
    sort_code: str | None = None

    def to_json(self) -> dict[str, object]:
        return drop_none(
            {
                "nominalCode": self.nominal_code,
                "name": self.name,
                "accountType": str(self.account_type),
                "accountNumber": self.account_number,
                "sortCode": self.sort_code,
                "currency": self.currency,
            }
        )


__all__ = [
    "Account",
    "AccountStatus",
    "Address",
    "AddressType",
    "Attachment",
    "BankAccount",
    "BankAccountPrototype",
    "BankAccountType",
    "Bill",
    "BillLineItem",
    "BillLineItemPrototype",
    "BillMappingOptions",
    "BillPayment",
    "BillPaymentPrototype",
    "BillPrototype",
    "BillStatus",
    "Company",
    "CompanyInformation",
    "CompanyReference",
    "CompanyRequest",
    "Connection",
    "ConnectionStatus",
    "DataConnectionError",
    "DataConnectionErrorStatus",
    "NumberedPage",
    "Page",
    "PaymentMappingOptions",
    "RecordRef",
    "SourceType",
    "Supplier",
    "SupplierPrototype",
    "SupplierRef",
    "SupplierStatus",
    "TaxRate",
    "TrackingRef",
    "TrackingRefDataType",
    "format_datetime",
    "parse_datetime",
]
