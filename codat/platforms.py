"""The accounting platforms behind Codat's Bill Pay API, and every rule of theirs that changes what
a Bill Pay call may carry or what it does: one table, read by billpay (which checks input before
sending it) and by the sandbox ledger (which enforces the same rules, with the platform's words).

Each platform's `sources` cite where each of its rules comes from. A rule the documentation does
not state is cited as "Inference", with the reason; the README's table of disagreements says which
side billpay takes where the documents contradict each other.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any, Final

MB: Final = 1024 * 1024

# Where the rules come from: the spec as stored in codatio/oas, and codatio/codat-docs pages (the
# six-platform versions of update-bill.md and suppliers.md came with codat-docs PR #1875, 2026-08).
SPEC: Final = "spec Codat-Sync-Payables 3.0.0 (codatio/oas dd0df04)"
SPEC_ATTACHMENT: Final = f"{SPEC}, Attachment: file size and extension by integration"
SPEC_LIST_BILLS: Final = f"{SPEC}, list-bills `query`: platform specific statuses"
SPEC_UPDATE: Final = f"{SPEC}, update-bill and update-supplier: Supported Integrations"
SPEC_UPDATE_SUPPLIER: Final = f"{SPEC}, update-supplier: integration notes"
SPEC_BILL_PAYMENT: Final = f"{SPEC}, BillPayment.currencyRate: integration table"
SPEC_BANK_ACCOUNT: Final = f"{SPEC}, BankAccount.accountNumber and sortCode (Xero)"
BILL_RULES: Final = "docs payables/sync/update-bill.md, Software requirements"
BILL_ERRORS: Final = "docs payables/sync/update-bill.md, Software-specific errors"
BILL_COVERAGE: Final = "docs payables/sync/update-bill.md, Software coverage (all six)"
SUPPLIERS: Final = "docs payables/sync/suppliers.md, Update a supplier"
QBO_REFERENCE: Final = (
    "docs integrations/accounting/quickbooksonline integration reference (0672c83)"
)
NETSUITE_REFERENCE: Final = "docs integrations/accounting/netsuite integration reference (29bb412)"
ZOHO_LIMITS: Final = "docs integrations/accounting/zoho-books/zoho-book-limits.md (1551b59)"
EXPENSES_ATTACHMENTS: Final = (
    "Codat Sync for Expenses attachments reference (codatio/client-sdk-csharp, "
    "sync-for-expenses/docs/sdks/attachments): the only Codat page with this platform's limits"
)
OLDER_DOCS: Final = "codat-api.md §7 (older Bill Pay docs; not found in the current pages)"


def inference(why: str) -> str:
    return f"Inference: {why}"


class Tax(StrEnum):
    """What a bill line must carry for tax (docs update-bill.md, `TaxRateRef` and Tax handling)."""

    RATE = "taxRateRef required"  # the platform works the tax out from the rate
    RATE_AND_AMOUNT = "taxRateRef and taxAmount required"
    RATE_WHEN_TAXED = "taxRateRef required with a non-zero taxAmount"
    AMOUNT_ONLY = "taxRateRef must be null; taxAmount only"

    @property
    def rate_required(self) -> bool:
        return self in (Tax.RATE, Tax.RATE_AND_AMOUNT)

    @property
    def takes_rate(self) -> bool:
        return self is not Tax.AMOUNT_ONLY


class SupplierCurrency(StrEnum):
    CHANGEABLE = "changeable"
    FIXED = "fixed at creation"  # an update may only repeat it or send null
    BASE_ONLY = "none: always the base currency"  # a value sent is ignored


class ArchivedSupplierUpdate(StrEnum):
    REFUSED = "refused"  # 400: unarchive it in the platform first
    IGNORED_UNLESS_ACTIVE = "ignored unless status is Active"  # 200, nothing changes
    APPLIED = "applied"


class SupplierNameOnUpdate(StrEnum):
    """What an update without `supplierName` does."""

    KEEPS_NAME = "keeps the name"
    CONTACT_NAME = "falls back to contactName"  # and is refused when contactName is missing too
    REFUSED = "refused"


class MissingRate(StrEnum):
    """What a foreign-currency payment without `currencyRate` does."""

    REFUSED = "refused"
    RATE_ONE = "booked at rate 1"


class IdFormat(StrEnum):
    """How the platform's record ids look (what the sandbox mints)."""

    GUID = "GUID"
    COUNTER = "counter"  # 1, 2, 3 ... per record type
    INTERNAL_ID = "internal id"  # one integer sequence for every record type (NetSuite)
    LONG_NUMBER = "long number"  # 16+ digits, one sequence (Zoho Books)
    CODE = "code"  # the record's own code (Xero tax rates, FreeAgent nominal codes)


@dataclass(frozen=True, slots=True)
class Ids:
    suppliers: IdFormat
    bills: IdFormat
    accounts: IdFormat
    tax_rates: IdFormat
    bank_accounts: IdFormat
    payments: IdFormat
    # Attachment ids are GUIDs on every platform: the spec declares attachmentId `format: uuid`.


@dataclass(frozen=True, slots=True)
class Messages:
    """The platform's own texts for the refusals that differ by platform; `{…}` fields are filled
    by the caller. None: the platform has no such rule."""

    account_not_found: str  # {label}
    supplier_not_found: str  # {id}
    tax_rate_not_found: str
    currency_not_enabled: str  # {currency}
    currency_not_suppliers: str  # {currency} {supplier_currency}
    bill_not_open: str  # {id} {status}
    negative_total: str
    due_before_issue: str | None
    duplicate_reference: str | None  # unique per supplier where set
    tax_rate_not_allowed: str
    tax_rate_missing: str
    tax_amount_missing: str
    too_many_lines: str  # {limit}
    duplicate_supplier: str  # {name}
    archived_supplier: str  # {id}
    supplier_currency_fixed: str
    supplier_name_missing: str
    invalid_email: str | None
    bank_account_type: str  # {account_type}
    bank_account_code_missing: str
    duplicate_bank_account: str
    duplicate_account_code: str | None
    generic_upload: str


@dataclass(frozen=True, slots=True)
class PlatformRules:
    key: str
    name: str
    # Bills
    max_reference_length: int
    max_line_items: int | None
    tax: Tax
    bill_statuses: tuple[str, ...]
    bill_currency_matches_supplier: bool
    due_date_not_before_issue: bool
    unique_reference_per_supplier: bool
    # Attachments
    max_attachment_bytes: int
    attachment_extensions: frozenset[str]
    refuses_generic_upload: bool  # a file part sent as application/octet-stream is refused
    # Suppliers
    supplier_currency: SupplierCurrency
    supplier_currency_null_keeps: bool  # an update with a null currency keeps it (else clears it)
    archived_supplier_update: ArchivedSupplierUpdate
    supplier_name_on_update: SupplierNameOnUpdate
    contact_name_on_update: bool  # False: ignored on update and served as null
    max_supplier_addresses: int | None
    unique_supplier_names: bool
    # Payments and bank accounts
    missing_currency_rate: MissingRate
    creatable_bank_account_types: frozenset[str]
    bank_account_code_required: bool
    masks_bank_numbers: bool
    # The ledger itself
    base_currency: str  # of the sandbox's seeded ledger: the platform's home market
    ids: Ids
    messages: Messages
    sources: dict[str, str]

    def allows_status(self, status: str) -> bool:
        return status in self.bill_statuses

    def cited(self) -> list[tuple[str, object, str]]:
        """(rule, value, source) for each rule of the table."""
        return [
            (f.name, getattr(self, f.name), self.sources[f.name])
            for f in fields(self)
            if f.name not in ("key", "name", "sources")
        ]


ALL_STATUSES: Final = ("Open", "PartiallyPaid", "Paid", "Void", "Draft")
NO_VOID_OR_DRAFT: Final = ("Open", "PartiallyPaid", "Paid")
DEBIT: Final = frozenset({"Debit"})
DEBIT_AND_CREDIT: Final = frozenset({"Debit", "Credit"})


def _extensions(listed: str) -> frozenset[str]:
    return frozenset(listed.lower().replace(",", " ").split())


XERO_EXTENSIONS: Final = _extensions(
    "7Z, BMP, CSV, DOC, DOCX, EML, GIF, JPEG, JPG, KEYNOTE, MSG, NUMBERS, ODF, ODS, ODT, PAGES, "
    "PDF, PNG, PPT, PPTX, RAR, RTF, TIF, TIFF, TXT, XLS, XLSX, ZIP"
)
QBO_EXTENSIONS: Final = _extensions(
    "AI, CSV, DOC, DOCX, EPS, GIF, JPEG, JPG, ODS, PAGES, PDF, PNG, RTF, TIF, TXT, XLS, XLSX, XML"
)
NETSUITE_EXTENSIONS: Final = _extensions(
    "BMP, CSV, XLS, XLSX, JSON, PDF, PJPG, PJPEG, PNG, TXT, SVG, TIF, TIFF, DOC, DOCX, ZIP"
)
# FreeAgent's list is "PNG, X-PNG, JPEG, PJG, GIF, X-PDF": media subtypes, read as file types.
FREEAGENT_EXTENSIONS: Final = _extensions("PNG, JPEG, JPG, GIF, PDF")
ZOHO_EXTENSIONS: Final = _extensions("GIF, PNG, JPEG, JPG, BMP, PDF")
# Sage Intacct's are documented nowhere: the types every documented platform takes.
COMMON_EXTENSIONS: Final = XERO_EXTENSIONS & QBO_EXTENSIONS & NETSUITE_EXTENSIONS


# The media type of every extension a platform takes, so that an upload never goes out as the
# generic application/octet-stream QuickBooks Online refuses, whatever the host's mime.types says.
CONTENT_TYPES: Final = {
    "7z": "application/x-7z-compressed",
    "ai": "application/postscript",
    "bmp": "image/bmp",
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
    "eps": "application/postscript",
    "gif": "image/gif",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "json": "application/json",
    "keynote": "application/vnd.apple.keynote",
    "msg": "application/vnd.ms-outlook",
    "numbers": "application/vnd.apple.numbers",
    "odf": "application/vnd.oasis.opendocument.formula",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "pages": "application/vnd.apple.pages",
    "pdf": "application/pdf",
    "pjpeg": "image/pjpeg",
    "pjpg": "image/pjpeg",
    "png": "image/png",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "rar": "application/vnd.rar",
    "rtf": "application/rtf",
    "svg": "image/svg+xml",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "txt": "text/plain",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xml": "application/xml",
    "zip": "application/zip",
}


def content_type_for(extension: str) -> str:
    """The media type a file with this extension (no dot) is sent as."""
    return CONTENT_TYPES.get(extension.lower(), "application/octet-stream")


def _messages(platform: str, **own: Any) -> Messages:
    """Codat's general texts (update-bill.md's general validation errors, with the platform named
    where a platform-specific text has that form), replaced by the platform's `own`."""
    common = Messages(
        account_not_found=f"`{{label}}` was not found in {platform}.",
        supplier_not_found=f"`SupplierRef Id` was not found in {platform}.",
        tax_rate_not_found=f"`Tax Rate Ref` was not found in {platform}.",
        currency_not_enabled="No currency exists for code `{currency}`.",
        currency_not_suppliers=(
            "`Currency` must be the supplier's currency `{supplier_currency}` in " + platform + "."
        ),
        bill_not_open="Bill {id} is {status}: only Open bills can be updated.",
        negative_total="Sum of `LineItems` must be greater than or equal to `0`.",
        due_before_issue=None,
        duplicate_reference=None,
        tax_rate_not_allowed=f"`Tax Rate Ref` must be null in {platform}: send `taxAmount` only.",
        tax_rate_missing="`Tax Rate Ref` must not be empty.",
        tax_amount_missing="`Tax Amount` must not be empty.",
        too_many_lines=f"`Line Items` must contain at most `{{limit}}` lines in {platform}.",
        duplicate_supplier=f"Supplier names must be unique in {platform}: {{name}} is taken.",
        archived_supplier=(
            f"Supplier {{id}} is archived in {platform}: it must be unarchived in {platform} "
            "before it can be updated."
        ),
        supplier_currency_fixed=(
            f"`Default Currency` cannot be changed in {platform} once a supplier is created; "
            "send null or the current currency."
        ),
        supplier_name_missing="`Supplier Name` must not be empty.",
        invalid_email=None,
        bank_account_type=(
            f"{platform} cannot create {{account_type}} accounts: `Account Type` must be `Debit`."
        ),
        bank_account_code_missing="`Nominal Code` must not be empty.",
        duplicate_bank_account=f"An account with this name already exists in {platform}.",
        duplicate_account_code=None,
        generic_upload=(
            f"{platform} does not accept application/octet-stream: send the file with the "
            "Content-Type of its type."
        ),
    )
    return replace(common, **own)


XERO: Final = PlatformRules(
    key="gbol",
    name="Xero",
    max_reference_length=255,
    max_line_items=None,
    tax=Tax.RATE,
    bill_statuses=ALL_STATUSES,
    bill_currency_matches_supplier=False,
    due_date_not_before_issue=False,
    unique_reference_per_supplier=False,
    max_attachment_bytes=4 * MB,
    attachment_extensions=XERO_EXTENSIONS,
    refuses_generic_upload=False,
    supplier_currency=SupplierCurrency.CHANGEABLE,
    supplier_currency_null_keeps=False,
    archived_supplier_update=ArchivedSupplierUpdate.REFUSED,
    supplier_name_on_update=SupplierNameOnUpdate.KEEPS_NAME,
    contact_name_on_update=True,
    max_supplier_addresses=None,
    unique_supplier_names=True,
    missing_currency_rate=MissingRate.REFUSED,
    creatable_bank_account_types=DEBIT,
    bank_account_code_required=False,
    masks_bank_numbers=True,
    base_currency="GBP",
    ids=Ids(
        suppliers=IdFormat.GUID,
        bills=IdFormat.GUID,
        accounts=IdFormat.GUID,
        tax_rates=IdFormat.CODE,
        bank_accounts=IdFormat.GUID,
        payments=IdFormat.GUID,
    ),
    messages=_messages(
        "Xero",
        duplicate_supplier=(
            "The contact name {name} is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        ),
        duplicate_bank_account="Please enter a unique Name.",
        duplicate_account_code="Please enter a unique Code.",
        invalid_email="Email address must be valid.",
    ),
    sources={
        "max_reference_length": BILL_RULES,
        "max_line_items": BILL_RULES + ": no limit",
        "tax": BILL_RULES + ": Required, use taxRateRef.id",
        "bill_statuses": SPEC_LIST_BILLS + ": Open | PartiallyPaid | Paid | Void | Draft",
        "bill_currency_matches_supplier": BILL_ERRORS + ": Xero's only currency error",
        "due_date_not_before_issue": inference("Xero takes a due date before the issue date"),
        "unique_reference_per_supplier": inference("Xero warns of, but takes, a repeated one"),
        "max_attachment_bytes": SPEC_ATTACHMENT + " (4 MB)",
        "attachment_extensions": SPEC_ATTACHMENT,
        "refuses_generic_upload": inference("only QuickBooks Online's refusal is documented"),
        "supplier_currency": inference("not documented for Xero; a Xero contact's can change"),
        "supplier_currency_null_keeps": SPEC_UPDATE_SUPPLIER
        + ": a full replace, omitted fields are cleared",
        "archived_supplier_update": SUPPLIERS + " (Xero); " + SPEC_UPDATE_SUPPLIER,
        "supplier_name_on_update": SUPPLIERS + " (Xero): null keeps the existing name",
        "contact_name_on_update": SUPPLIERS + " (Xero)",
        "max_supplier_addresses": inference("not limited in the docs"),
        "unique_supplier_names": SUPPLIERS + " (Xero): names must be unique",
        "missing_currency_rate": inference("only QuickBooks Online's default is documented"),
        "creatable_bank_account_types": OLDER_DOCS + ": Xero cannot create credit accounts",
        "bank_account_code_required": inference("Xero numbers the chart itself"),
        "masks_bank_numbers": SPEC_BANK_ACCOUNT,
        "base_currency": inference("the sandbox's Xero ledger is a UK business"),
        "ids": BILL_RULES + ": AccountRef GUID; update-bill.md Xero example: tax-rate code",
        "messages": BILL_ERRORS + " (Xero); Xero's contact and account validation texts",
    },
)

QUICKBOOKS_ONLINE: Final = PlatformRules(
    key="qhyg",
    name="QuickBooks Online",
    max_reference_length=21,
    max_line_items=None,
    tax=Tax.RATE,
    bill_statuses=NO_VOID_OR_DRAFT,
    bill_currency_matches_supplier=True,
    due_date_not_before_issue=False,
    unique_reference_per_supplier=False,
    max_attachment_bytes=100 * MB,
    attachment_extensions=QBO_EXTENSIONS,
    refuses_generic_upload=True,
    supplier_currency=SupplierCurrency.FIXED,
    supplier_currency_null_keeps=True,
    archived_supplier_update=ArchivedSupplierUpdate.IGNORED_UNLESS_ACTIVE,
    supplier_name_on_update=SupplierNameOnUpdate.CONTACT_NAME,
    contact_name_on_update=True,
    max_supplier_addresses=None,
    unique_supplier_names=True,
    missing_currency_rate=MissingRate.RATE_ONE,
    creatable_bank_account_types=DEBIT_AND_CREDIT,
    bank_account_code_required=False,
    masks_bank_numbers=False,
    base_currency="GBP",
    ids=Ids(
        suppliers=IdFormat.COUNTER,
        bills=IdFormat.COUNTER,
        accounts=IdFormat.COUNTER,
        tax_rates=IdFormat.COUNTER,
        bank_accounts=IdFormat.COUNTER,
        payments=IdFormat.COUNTER,
    ),
    messages=_messages(
        "QuickBooks Online",
        currency_not_suppliers=(
            "Ensure that the currency of the bill matches the currency of the supplier."
        ),
        duplicate_supplier=(
            "Duplicate Name Exists Error: The name supplied already exists. "
            "Another customer, vendor or employee is already using this name."
        ),
        supplier_name_missing="`Supplier Name` and `Contact Name` must not both be empty.",
        duplicate_bank_account=(
            "Another account is already using this name. Please use a different name."
        ),
    ),
    sources={
        "max_reference_length": BILL_RULES,
        "max_line_items": BILL_RULES + ": no limit",
        "tax": BILL_RULES + ": Required, use taxRateRef.id",
        "bill_statuses": SPEC_LIST_BILLS + ": Open | PartiallyPaid | Paid",
        "bill_currency_matches_supplier": BILL_ERRORS + " (QuickBooks Online)",
        "due_date_not_before_issue": inference("not among QuickBooks Online's errors"),
        "unique_reference_per_supplier": inference("not among QuickBooks Online's errors"),
        "max_attachment_bytes": SPEC_ATTACHMENT + " (100 MB)",
        "attachment_extensions": SPEC_ATTACHMENT,
        "refuses_generic_upload": QBO_REFERENCE + ", Attachments",
        "supplier_currency": SPEC_UPDATE_SUPPLIER + "; " + SUPPLIERS + " (QuickBooks Online)",
        "supplier_currency_null_keeps": SUPPLIERS
        + " (QuickBooks Online): send null to leave it unchanged",
        "archived_supplier_update": SUPPLIERS + " (QuickBooks Online)",
        "supplier_name_on_update": SUPPLIERS + " (QuickBooks Online)",
        "contact_name_on_update": SUPPLIERS + " (QuickBooks Online)",
        "max_supplier_addresses": inference("not limited in the docs"),
        "unique_supplier_names": inference("QuickBooks display names are unique (its error 6240)"),
        "missing_currency_rate": SPEC_BILL_PAYMENT + ": QBO uses a rate of 1 when it is null",
        "creatable_bank_account_types": "docs payables/mapping.md (async): QuickBooks examples "
        "of both Debit and Credit",
        "bank_account_code_required": inference("not documented"),
        "masks_bank_numbers": SPEC_BANK_ACCOUNT + ": Xero only",
        "base_currency": inference(
            "the sandbox's QuickBooks Online ledger is a UK company: QuickBooks Online UK keeps "
            "VAT codes on bill lines, which the required taxRateRef needs"
        ),
        "ids": BILL_RULES + ": AccountRef numeric string",
        "messages": BILL_ERRORS + " (QuickBooks Online); QuickBooks' own error 6240 and 6000",
    },
)

NETSUITE: Final = PlatformRules(
    key="akxx",
    name="Oracle NetSuite",
    max_reference_length=45,
    max_line_items=None,
    tax=Tax.RATE_AND_AMOUNT,
    bill_statuses=ALL_STATUSES,
    bill_currency_matches_supplier=True,
    due_date_not_before_issue=False,
    unique_reference_per_supplier=False,
    max_attachment_bytes=100 * MB,
    attachment_extensions=NETSUITE_EXTENSIONS,
    refuses_generic_upload=False,
    supplier_currency=SupplierCurrency.CHANGEABLE,
    supplier_currency_null_keeps=True,
    archived_supplier_update=ArchivedSupplierUpdate.APPLIED,
    supplier_name_on_update=SupplierNameOnUpdate.REFUSED,
    contact_name_on_update=False,
    max_supplier_addresses=None,
    unique_supplier_names=True,
    missing_currency_rate=MissingRate.REFUSED,
    creatable_bank_account_types=DEBIT_AND_CREDIT,
    bank_account_code_required=True,
    masks_bank_numbers=False,
    base_currency="USD",
    ids=Ids(
        suppliers=IdFormat.INTERNAL_ID,
        bills=IdFormat.INTERNAL_ID,
        accounts=IdFormat.INTERNAL_ID,
        tax_rates=IdFormat.INTERNAL_ID,
        bank_accounts=IdFormat.INTERNAL_ID,
        payments=IdFormat.INTERNAL_ID,
    ),
    messages=_messages(
        "NetSuite",
        supplier_not_found="`Supplier Ref` was not found in NetSuite.",
        currency_not_suppliers="`Currency` is not supported for supplier.",
        duplicate_supplier="Supplier names must be unique: {name} is already used in NetSuite.",
    ),
    sources={
        "max_reference_length": BILL_RULES,
        "max_line_items": BILL_RULES + ": no limit",
        "tax": BILL_RULES + ": Required with taxAmount, use taxRateRef.id + taxAmount",
        "bill_statuses": inference(
            "not in the spec's list; NetSuite vendor bills can be pending approval (Draft) and "
            "voided"
        ),
        "bill_currency_matches_supplier": BILL_ERRORS
        + " (NetSuite): changed or unsupported currency",
        "due_date_not_before_issue": inference("not among NetSuite's errors"),
        "unique_reference_per_supplier": inference("not among NetSuite's errors"),
        "max_attachment_bytes": SPEC_ATTACHMENT + " (100 MB)",
        "attachment_extensions": SPEC_ATTACHMENT,
        "refuses_generic_upload": inference("only QuickBooks Online's refusal is documented"),
        "supplier_currency": SUPPLIERS + " (NetSuite): any currency enabled in NetSuite",
        "supplier_currency_null_keeps": SUPPLIERS
        + " (NetSuite): null leaves the existing currency unchanged",
        "archived_supplier_update": SUPPLIERS + " (NetSuite): the status sent is applied",
        "supplier_name_on_update": SUPPLIERS
        + " (NetSuite): omitting supplierName clears it; the spec's Supplier.supplierName is a "
        "string, never null, so a nameless supplier cannot be served: refused",
        "contact_name_on_update": SUPPLIERS + " (NetSuite): contactName is ignored on update",
        "max_supplier_addresses": inference("not limited in the docs"),
        "unique_supplier_names": SUPPLIERS + " (NetSuite): names must be unique",
        "missing_currency_rate": inference("only QuickBooks Online's default is documented"),
        "creatable_bank_account_types": inference("not documented; NetSuite has both"),
        "bank_account_code_required": NETSUITE_REFERENCE
        + ", Bank accounts: nominalCode is required when Use Account Numbers is on (it is, "
        "in the sandbox's NetSuite ledger)",
        "masks_bank_numbers": SPEC_BANK_ACCOUNT + ": Xero only",
        "base_currency": inference("the sandbox's NetSuite ledger is a US business"),
        "ids": BILL_RULES + ": AccountRef internal ID; update-bill.md NetSuite example",
        "messages": BILL_ERRORS + " (NetSuite); " + SUPPLIERS + " (NetSuite)",
    },
)

SAGE_INTACCT: Final = PlatformRules(
    key="knfz",
    name="Sage Intacct",
    max_reference_length=100,
    max_line_items=None,
    tax=Tax.RATE_AND_AMOUNT,
    bill_statuses=ALL_STATUSES,
    bill_currency_matches_supplier=False,
    due_date_not_before_issue=False,
    unique_reference_per_supplier=False,
    max_attachment_bytes=4 * MB,
    attachment_extensions=COMMON_EXTENSIONS,
    refuses_generic_upload=False,
    supplier_currency=SupplierCurrency.CHANGEABLE,
    supplier_currency_null_keeps=True,
    archived_supplier_update=ArchivedSupplierUpdate.APPLIED,
    supplier_name_on_update=SupplierNameOnUpdate.KEEPS_NAME,
    contact_name_on_update=True,
    max_supplier_addresses=1,
    unique_supplier_names=True,
    missing_currency_rate=MissingRate.REFUSED,
    creatable_bank_account_types=DEBIT,
    bank_account_code_required=False,
    masks_bank_numbers=False,
    base_currency="USD",
    ids=Ids(
        suppliers=IdFormat.COUNTER,
        bills=IdFormat.COUNTER,
        accounts=IdFormat.COUNTER,
        tax_rates=IdFormat.CODE,
        bank_accounts=IdFormat.COUNTER,
        payments=IdFormat.COUNTER,
    ),
    messages=_messages(
        "Sage Intacct",
        supplier_not_found="The Supplier with Id `{id}` was not found.",
        bill_not_open="This bill has been paid or partially paid and can no longer be updated.",
        bank_account_type="Sage Intacct creates checking accounts only: `Account Type` must be "
        "`Debit`, not {account_type}.",
    ),
    sources={
        "max_reference_length": BILL_RULES,
        "max_line_items": BILL_RULES + ": no limit",
        "tax": BILL_RULES + ": Required with taxAmount, use taxRateRef.id + taxAmount",
        "bill_statuses": inference(
            "not in the spec's list; Intacct AP bills can be drafts and reversed (Void)"
        ),
        "bill_currency_matches_supplier": inference("not among Sage Intacct's errors"),
        "due_date_not_before_issue": inference("not among Sage Intacct's errors"),
        "unique_reference_per_supplier": inference("not among Sage Intacct's errors"),
        "max_attachment_bytes": inference("not documented: the smallest documented limit, Xero's"),
        "attachment_extensions": inference(
            "not documented: the types Xero, QuickBooks Online and NetSuite all take"
        ),
        "refuses_generic_upload": inference("only QuickBooks Online's refusal is documented"),
        "supplier_currency": SUPPLIERS + " (Sage Intacct): null keeps it, a value changes it",
        "supplier_currency_null_keeps": SUPPLIERS
        + " (Sage Intacct): null keeps the existing currency",
        "archived_supplier_update": inference("not documented; Intacct edits inactive vendors"),
        "supplier_name_on_update": SUPPLIERS + " (Sage Intacct): null keeps the existing name",
        "contact_name_on_update": SUPPLIERS + " (Sage Intacct)",
        "max_supplier_addresses": SUPPLIERS + " (Sage Intacct): a single address per supplier",
        "unique_supplier_names": inference("Intacct vendor names are unique"),
        "missing_currency_rate": inference("only QuickBooks Online's default is documented"),
        "creatable_bank_account_types": inference(
            "not documented; Intacct's bank accounts are checking accounts (cards are separate)"
        ),
        "bank_account_code_required": inference("not documented"),
        "masks_bank_numbers": SPEC_BANK_ACCOUNT + ": Xero only",
        "base_currency": inference("the sandbox's Sage Intacct ledger is a US business"),
        "ids": BILL_RULES + ": AccountRef account record number; Intacct example: tax detail id",
        "messages": BILL_ERRORS + " (Sage Intacct)",
    },
)

FREEAGENT: Final = PlatformRules(
    key="fbrh",
    name="FreeAgent",
    max_reference_length=255,
    max_line_items=40,
    tax=Tax.AMOUNT_ONLY,
    bill_statuses=NO_VOID_OR_DRAFT,
    bill_currency_matches_supplier=False,
    due_date_not_before_issue=False,
    unique_reference_per_supplier=False,
    max_attachment_bytes=5 * MB,
    attachment_extensions=FREEAGENT_EXTENSIONS,
    refuses_generic_upload=False,
    supplier_currency=SupplierCurrency.BASE_ONLY,
    supplier_currency_null_keeps=True,
    archived_supplier_update=ArchivedSupplierUpdate.APPLIED,
    supplier_name_on_update=SupplierNameOnUpdate.CONTACT_NAME,
    contact_name_on_update=True,
    max_supplier_addresses=None,
    unique_supplier_names=False,
    missing_currency_rate=MissingRate.REFUSED,
    creatable_bank_account_types=DEBIT_AND_CREDIT,
    bank_account_code_required=False,
    masks_bank_numbers=False,
    base_currency="GBP",
    ids=Ids(
        suppliers=IdFormat.COUNTER,
        bills=IdFormat.COUNTER,
        accounts=IdFormat.CODE,
        tax_rates=IdFormat.CODE,
        bank_accounts=IdFormat.COUNTER,
        payments=IdFormat.COUNTER,
    ),
    messages=_messages(
        "FreeAgent",
        supplier_not_found="`Supplier Ref Id` was not found in FreeAgent.",
        supplier_name_missing=(
            "`Supplier Name` and `Contact Name` must not both be empty: FreeAgent requires a name."
        ),
    ),
    sources={
        "max_reference_length": BILL_RULES,
        "max_line_items": BILL_RULES + ": 40",
        "tax": BILL_RULES + ": Must be null, use taxAmount only",
        "bill_statuses": SPEC_LIST_BILLS + ": Open | PartiallyPaid | Paid",
        "bill_currency_matches_supplier": inference("FreeAgent suppliers have no currency"),
        "due_date_not_before_issue": inference("not among FreeAgent's errors"),
        "unique_reference_per_supplier": inference("not among FreeAgent's errors"),
        "max_attachment_bytes": EXPENSES_ATTACHMENTS + " (5 MB)",
        "attachment_extensions": EXPENSES_ATTACHMENTS,
        "refuses_generic_upload": inference("only QuickBooks Online's refusal is documented"),
        "supplier_currency": SUPPLIERS + " (FreeAgent): no currency at supplier level; a value "
        "sent is ignored and the base currency returned",
        "supplier_currency_null_keeps": SUPPLIERS
        + " (FreeAgent): the base currency is always returned",
        "archived_supplier_update": inference("not documented"),
        "supplier_name_on_update": SUPPLIERS + " (FreeAgent): null uses contactName",
        "contact_name_on_update": SUPPLIERS + " (FreeAgent)",
        "max_supplier_addresses": inference("not limited in the docs"),
        "unique_supplier_names": inference("FreeAgent contacts may share a name"),
        "missing_currency_rate": inference("only QuickBooks Online's default is documented"),
        "creatable_bank_account_types": inference(
            "not documented; FreeAgent has current and credit card accounts"
        ),
        "bank_account_code_required": inference("not documented"),
        "masks_bank_numbers": SPEC_BANK_ACCOUNT + ": Xero only",
        "base_currency": inference("the sandbox's FreeAgent ledger is a UK business"),
        "ids": BILL_RULES + ": AccountRef nominal code",
        "messages": BILL_ERRORS + " (FreeAgent); " + SUPPLIERS + " (FreeAgent)",
    },
)

ZOHO_BOOKS: Final = PlatformRules(
    key="rwuv",
    name="Zoho Books",
    max_reference_length=50,
    max_line_items=None,
    tax=Tax.RATE_WHEN_TAXED,
    bill_statuses=ALL_STATUSES,
    bill_currency_matches_supplier=True,
    due_date_not_before_issue=True,
    unique_reference_per_supplier=True,
    max_attachment_bytes=5 * MB,
    attachment_extensions=ZOHO_EXTENSIONS,
    refuses_generic_upload=False,
    supplier_currency=SupplierCurrency.CHANGEABLE,
    supplier_currency_null_keeps=True,
    archived_supplier_update=ArchivedSupplierUpdate.APPLIED,
    supplier_name_on_update=SupplierNameOnUpdate.KEEPS_NAME,
    contact_name_on_update=True,
    max_supplier_addresses=None,
    unique_supplier_names=True,
    missing_currency_rate=MissingRate.REFUSED,
    creatable_bank_account_types=DEBIT_AND_CREDIT,
    bank_account_code_required=False,
    masks_bank_numbers=False,
    base_currency="INR",
    ids=Ids(
        suppliers=IdFormat.LONG_NUMBER,
        bills=IdFormat.LONG_NUMBER,
        accounts=IdFormat.LONG_NUMBER,
        tax_rates=IdFormat.LONG_NUMBER,
        bank_accounts=IdFormat.LONG_NUMBER,
        payments=IdFormat.LONG_NUMBER,
    ),
    messages=_messages(
        "ZohoBooks",
        currency_not_suppliers=(
            "`Currency` must be the supplier's currency `{supplier_currency}`: Zoho Books takes "
            "a bill's currency from its supplier."
        ),
        negative_total="The total amount due cannot be negative.",
        due_before_issue="`dueDate` must be after `issueDate`.",
        duplicate_reference="Reference has already been used for this supplier",
        duplicate_supplier="Supplier names must be unique in Zoho Books: {name} is taken.",
    ),
    sources={
        "max_reference_length": BILL_RULES,
        "max_line_items": BILL_RULES + ": no limit",
        "tax": BILL_RULES + ": Required with a non-zero taxAmount",
        "bill_statuses": inference(
            "not in the spec's list; Zoho Books bills can be draft and void"
        ),
        "bill_currency_matches_supplier": SUPPLIERS
        + " (Zoho Books): Zoho derives bill currency from the supplier",
        "due_date_not_before_issue": BILL_ERRORS + " (Zoho Books)",
        "unique_reference_per_supplier": BILL_ERRORS + " (Zoho Books)",
        "max_attachment_bytes": EXPENSES_ATTACHMENTS + " (5 MB)",
        "attachment_extensions": EXPENSES_ATTACHMENTS,
        "refuses_generic_upload": inference("only QuickBooks Online's refusal is documented"),
        "supplier_currency": SUPPLIERS + " (Zoho Books): any currency of the organisation",
        "supplier_currency_null_keeps": SUPPLIERS
        + " (Zoho Books): null keeps the existing currency",
        "archived_supplier_update": SUPPLIERS + " (Zoho Books): applied, and it stays archived",
        "supplier_name_on_update": SUPPLIERS + " (Zoho Books): null keeps the existing name",
        "contact_name_on_update": SUPPLIERS + " (Zoho Books)",
        "max_supplier_addresses": inference("billing and delivery, replaced together"),
        "unique_supplier_names": SUPPLIERS + " (Zoho Books): unique unless the organisation "
        "allows duplicates (the sandbox's does not)",
        "missing_currency_rate": inference("only QuickBooks Online's default is documented"),
        "creatable_bank_account_types": inference(
            "not documented; Zoho Books has bank and credit card accounts"
        ),
        "bank_account_code_required": inference("not documented"),
        "masks_bank_numbers": SPEC_BANK_ACCOUNT + ": Xero only",
        "base_currency": inference(
            "the sandbox's Zoho Books ledger is an Indian business, Zoho's home market (GST)"
        ),
        "ids": BILL_RULES + ": AccountRef numeric ID; " + ZOHO_LIMITS,
        "messages": BILL_ERRORS + " (Zoho Books)",
    },
)

# The platforms of the Bill Pay API (spec: Supported Integrations), in the order onboarding
# offers them.
PLATFORMS: Final = (XERO, QUICKBOOKS_ONLINE, NETSUITE, SAGE_INTACCT, FREEAGENT, ZOHO_BOOKS)
BY_KEY: Final = {rules.key: rules for rules in PLATFORMS}
# Codat's other keys for the same platforms: QuickBooks Online's sandbox companies (ndsk), and
# Codat's own Sandbox integration (mqjo), which answers as Xero does.
ALIASES: Final = {"ndsk": QUICKBOOKS_ONLINE, "mqjo": XERO}
# What Codat calls those integrations (its platformName for the key).
ALIAS_NAMES: Final = {"ndsk": "QuickBooks Online Sandbox", "mqjo": "Sandbox"}


def rules_for(platform_key: str) -> PlatformRules:
    """The rules of a platform key; a key Codat may add later is held to Xero's rules."""
    return BY_KEY.get(platform_key) or ALIASES.get(platform_key) or XERO


def name_for(platform_key: str) -> str | None:
    """Codat's name for a platform key of the table or an alias (None: a key it does not know)."""
    known = BY_KEY.get(platform_key)
    return known.name if known is not None else ALIAS_NAMES.get(platform_key)
