"""Suppliers and bank accounts: list, create and update suppliers; create bank accounts.

Validation messages follow Codat's style ("`Name` must not be empty.", codat-api.md §7); where a
rule belongs to some platforms it is read from their row of codat.platforms, and the message is
that platform's own. Rules that neither the spec nor the docs state are marked "Inference".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from codat.platforms import ArchivedSupplierUpdate, SupplierCurrency, SupplierNameOnUpdate
from sandbox.api.base import (
    ApiError,
    Call,
    LedgerResponse,
    json_response,
    loads,
    route,
    validation_error,
)
from sandbox.api.records import (
    Document,
    compile_query,
    id_format,
    list_page,
    lock_document,
    new_record_id,
    now_iso,
    payables_connection,
    platform_of,
    save_document,
)
from sandbox.models import Dataset, LedgerConnection, LedgerRecord
from sandbox.platforms import Platform

P = "/companies/{companyId}/connections/{connectionId}/payables"

# Every scalar property of the Supplier schema. The spec documents `status` and
# `sourceModifiedDate` as the filters; the others are accepted leniently (codat-api.md §3), and
# `addresses` is left out because the docs say arrays cannot be queried.
SUPPLIER_PROPERTIES = frozenset(
    {
        "id",
        "supplierName",
        "contactName",
        "emailAddress",
        "phone",
        "status",
        "balance",
        "defaultCurrency",
        "sourceModifiedDate",
    }
)
SUPPLIER_STATUSES = ("Active", "Archived")
ADDRESS_TYPES = ("Unknown", "Billing", "Delivery")
ADDRESS_FIELDS = ("line1", "line2", "city", "region", "country", "postalCode")
# Creatable account types: "Unknown" is what Codat reports for an account it cannot classify, not
# something a client can ask a platform to create (Inference).
BANK_ACCOUNT_TYPES = ("Debit", "Credit")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Xero's own check is looser than RFC 5322; this catches what it rejects in practice (Inference).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- Shared validation --------------------------------------------------------------------------


def _object_body(call: Call, validator: str) -> dict[str, Any]:
    body = call.json()
    if not isinstance(body, dict):
        raise validation_error(["The request body must be a JSON object."], validator=validator)
    return body


def _optional_text(body: dict[str, Any], key: str, label: str, errors: list[str]) -> str | None:
    """A nullable string field: absent and null both mean "none"."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(f"`{label}` must be a string.")
        return None
    return value


def _required_text(body: dict[str, Any], key: str, label: str, errors: list[str]) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        errors.append(f"`{label}` must be a string.")
        return None
    if not value or not value.strip():
        errors.append(f"`{label}` must not be empty.")
        return None
    return value.strip()


def _required_choice(
    body: dict[str, Any], key: str, label: str, choices: tuple[str, ...], errors: list[str]
) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        errors.append(f"`{label}` must not be empty.")
        return None
    if value not in choices:
        errors.append(f"`{label}` must be one of `{'`, `'.join(choices)}`.")
        return None
    return str(value)


def _currency(value: Any, label: str, errors: list[str]) -> str | None:
    """An ISO 4217 code, in the messages the docs list for bills (codat-api.md §7)."""
    if not isinstance(value, str):
        errors.append(f"`{label}` must be a string.")
        return None
    if len(value) != 3:
        errors.append(f"`{label} Length` must be equal to `3`.")
        return None
    if not _CURRENCY.match(value.upper()):
        errors.append(f"No currency exists for code `{value}`.")
        return None
    return value.upper()


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _new_id(connection: LedgerConnection, platform: Platform, datasets: Collection[str]) -> str:
    """The platform's id for a new record of the first of `datasets` (codat.platforms ids)."""
    return new_record_id(connection, id_format(platform, next(iter(datasets))), datasets)


def _lock_connection(connection: LedgerConnection) -> None:
    # Uniqueness rules (supplier and account names) are check-then-insert: serialise the writes
    # of one connection so that two concurrent creates cannot both pass the check.
    LedgerConnection.objects.select_for_update().filter(pk=connection.pk).first()


def _names_in_use(
    connection: LedgerConnection,
    datasets: Collection[str],
    field: str,
    *,
    exclude_id: str | None = None,
    active_only: bool = False,
) -> set[str]:
    rows = LedgerRecord.objects.filter(connection=connection, dataset__in=list(datasets))
    if exclude_id is not None:
        rows = rows.exclude(record_id=exclude_id)
    names = set()
    for raw in rows.values_list("document", flat=True):
        document = loads(raw)
        if active_only and document.get("status") == "Archived":
            continue
        value = document.get(field)
        if isinstance(value, str) and value.strip():
            names.add(_folded(value))
    return names


# --- Suppliers ----------------------------------------------------------------------------------


def _addresses(value: Any, errors: list[str]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        errors.append("`Addresses` must be a list of addresses.")
        return []
    addresses = []
    for address in value:
        kind = address.get("type") or "Unknown"
        if kind not in ADDRESS_TYPES:
            errors.append(f"`Address Type` must be one of `{'`, `'.join(ADDRESS_TYPES)}`.")
            continue
        cleaned: dict[str, Any] = {"type": kind}
        for key in ADDRESS_FIELDS:
            text = address.get(key)
            if text is not None and not isinstance(text, str):
                errors.append(f"`Address {key}` must be a string.")
            cleaned[key] = text if isinstance(text, str) else None
        addresses.append(cleaned)
    return addresses


def _supplier_fields(
    body: dict[str, Any], platform: Platform, *, name_required: bool = True
) -> dict[str, Any]:
    """Validate a supplierPrototype into the Supplier fields it sets (all of them: PUT replaces).
    On an update the name may be missing: the platform's rule decides (update_supplier)."""
    errors: list[str] = []
    if name_required or body.get("supplierName") not in (None, ""):
        name = _required_text(body, "supplierName", "Supplier Name", errors)
    else:
        name = None
    # "Unknown" is in the enum for what a platform reports, not a status a client can set
    # (Inference), so SUPPLIER_STATUSES leaves it out.
    status = _required_choice(body, "status", "Status", SUPPLIER_STATUSES, errors)
    email = _optional_text(body, "emailAddress", "Email Address", errors)
    invalid_email = platform.rules.messages.invalid_email
    if invalid_email and email and not _EMAIL.match(email.strip()):
        errors.append(invalid_email)
    currency = body.get("defaultCurrency")
    if currency is not None:
        currency = _currency(currency, "Default Currency", errors)
    fields = {
        "supplierName": name,
        "contactName": _optional_text(body, "contactName", "Contact Name", errors),
        "emailAddress": email,
        "phone": _optional_text(body, "phone", "Phone", errors),
        "addresses": _addresses(body.get("addresses"), errors),
        "status": status,
        "defaultCurrency": currency,
    }
    if errors:
        raise validation_error(errors, validator="Supplier")
    return fields


def _supplier_document(supplier_id: str, fields: dict[str, Any], balance: Any) -> Document:
    # Field order of the spec's Supplier schema. `balance` is the ledger's own figure: the
    # prototype lists it, but what a supplier is owed comes from its bills, so a client's value is
    # ignored (codat-api.md §4.3 notes the docs even deny exposing it).
    return {
        "id": supplier_id,
        "supplierName": fields["supplierName"],
        "contactName": fields["contactName"],
        "emailAddress": fields["emailAddress"],
        "phone": fields["phone"],
        "addresses": fields["addresses"],
        "status": fields["status"],
        "balance": balance,
        "defaultCurrency": fields["defaultCurrency"],
        "sourceModifiedDate": now_iso(),
    }


def _refuse_duplicate_name(
    connection: LedgerConnection, platform: Platform, name: str, *, exclude_id: str | None = None
) -> None:
    """Where the platform keeps supplier names unique (Xero among active contacts,
    case-insensitively; QuickBooks' display names, its error 6240), a taken name is a 400 in the
    platform's words; archived names are free (QuickBooks renames an inactive vendor "… (deleted)")."""
    if not platform.rules.unique_supplier_names:
        return
    taken = _names_in_use(
        connection, [Dataset.SUPPLIERS], "supplierName", exclude_id=exclude_id, active_only=True
    )
    if _folded(name) not in taken:
        return
    message = platform.rules.messages.duplicate_supplier.format(name=name)
    raise validation_error([message], validator="Supplier")


@route("GET", f"{P}/suppliers", "list-suppliers")
def list_suppliers(call: Call) -> LedgerResponse:
    """GET P/suppliers: one page of suppliers, filtered by `query`."""
    connection = payables_connection(call, dataset=True)
    text = call.request.query.get("query", "")
    query = compile_query(text, dataset="Supplier", properties=SUPPLIER_PROPERTIES)
    # With no query the spec returns Active and Archived suppliers; the docs page
    # (payables/sync/suppliers.md) says Active only. The spec is the contract the client is built
    # against, so its side is taken (codat-api.md §3).
    results, token = list_page(call, connection, Dataset.SUPPLIERS, query=query, query_text=text)
    pagination = {"continuationToken": token} if token else {}
    return json_response(200, {"results": results, "pagination": pagination})


def _platform_supplier_fields(
    connection: LedgerConnection, platform: Platform, fields: dict[str, Any]
) -> None:
    """What the platform keeps of a supplier's fields, on create and update alike: FreeAgent has
    no supplier currency (the base currency is served), Sage Intacct one address."""
    rules = platform.rules
    if rules.supplier_currency is SupplierCurrency.BASE_ONLY:
        fields["defaultCurrency"] = connection.base_currency
    if rules.max_supplier_addresses is not None:
        fields["addresses"] = fields["addresses"][: rules.max_supplier_addresses]


@route("POST", f"{P}/suppliers", "create-supplier", idempotent=True)
def create_supplier(call: Call) -> LedgerResponse:
    """POST P/suppliers: create a supplier (201)."""
    connection = payables_connection(call, write=True)
    platform = platform_of(connection)
    fields = _supplier_fields(_object_body(call, "Supplier"), platform)
    _platform_supplier_fields(connection, platform, fields)
    if (
        platform.rules.supplier_currency is SupplierCurrency.FIXED
        and fields["defaultCurrency"] is None
    ):
        # Where the currency is fixed at creation, a vendor always has one: the home currency
        # unless set (QuickBooks; Inference).
        fields["defaultCurrency"] = connection.base_currency
    _lock_connection(connection)
    _refuse_duplicate_name(connection, platform, fields["supplierName"])
    supplier_id = _new_id(connection, platform, [Dataset.SUPPLIERS])
    document = _supplier_document(supplier_id, fields, Decimal(0))
    save_document(connection, Dataset.SUPPLIERS, document)
    return json_response(201, document)


@route("PUT", f"{P}/suppliers/{{supplierId}}", "update-supplier")
def update_supplier(call: Call) -> LedgerResponse:
    """PUT P/suppliers/{supplierId}: replace a supplier; omitted fields are cleared."""
    # The spec declares no Idempotency-Key here (codat-api.md §1), so the route is not idempotent.
    connection = payables_connection(call, write=True)
    platform = platform_of(connection)
    supplier_id = call.params["supplierId"]
    _lock_connection(connection)
    current = lock_document(connection, Dataset.SUPPLIERS, supplier_id)
    if current is None:
        raise ApiError(404, f"No data available for suppliers for ID {supplier_id}")
    fields = _supplier_fields(_object_body(call, "Supplier"), platform, name_required=False)
    rules = platform.rules
    if current.get("status") == "Archived":
        if rules.archived_supplier_update is ArchivedSupplierUpdate.REFUSED:
            # Xero: an archived contact must be unarchived in Xero first (docs suppliers.md).
            message = rules.messages.archived_supplier.format(id=supplier_id)
            raise validation_error([message], validator="Supplier")
        if (
            rules.archived_supplier_update is ArchivedSupplierUpdate.IGNORED_UNLESS_ACTIVE
            and fields["status"] != "Active"
        ):
            # QBO ignores a change to an inactive vendor unless it is reactivated (docs
            # suppliers.md); "ignored" is read as: 200 with the supplier unchanged (Inference).
            return json_response(200, current)
    _platform_supplier_fields(connection, platform, fields)
    if not rules.contact_name_on_update:
        fields["contactName"] = None  # NetSuite ignores contactName on update (docs suppliers.md)
    if fields["supplierName"] is None:
        # docs suppliers.md: Xero, Sage Intacct and Zoho keep the name; QBO and FreeAgent fall
        # back to contactName and refuse an update with neither; NetSuite would clear it, which
        # the spec's Supplier (a string name) cannot show, so it is refused.
        if rules.supplier_name_on_update is SupplierNameOnUpdate.KEEPS_NAME:
            fields["supplierName"] = current.get("supplierName")
        elif (
            rules.supplier_name_on_update is SupplierNameOnUpdate.CONTACT_NAME
            and (fields["contactName"] or "").strip()
        ):
            fields["supplierName"] = fields["contactName"].strip()
        else:
            raise validation_error([rules.messages.supplier_name_missing], validator="Supplier")
    if rules.supplier_currency is SupplierCurrency.FIXED:
        currency = fields["defaultCurrency"]
        if currency is not None and currency != current.get("defaultCurrency"):
            raise validation_error([rules.messages.supplier_currency_fixed], validator="Supplier")
        # Null means "leave it": the currency is fixed at creation (spec, update-supplier).
        fields["defaultCurrency"] = current.get("defaultCurrency")
    elif fields["defaultCurrency"] is None and rules.supplier_currency_null_keeps:
        fields["defaultCurrency"] = current.get("defaultCurrency")
    if fields["supplierName"] is not None:
        _refuse_duplicate_name(connection, platform, fields["supplierName"], exclude_id=supplier_id)
    document = _supplier_document(supplier_id, fields, current.get("balance", Decimal(0)))
    save_document(connection, Dataset.SUPPLIERS, document)
    return json_response(200, document)


# --- Bank accounts ------------------------------------------------------------------------------


def _xero_bank_numbers(
    currency: str, account_number: str | None, sort_code: str | None
) -> tuple[str | None, str | None]:
    """What Xero shows of a bank account's numbers (spec, BankAccount.accountNumber/sortCode).

    GBP: both only when together they make 14 digits (a UK sort code and account number),
    otherwise neither. Other currencies: the full account number and no sort code. The spec's
    create example (GBP "0120 0440" + "50-50-50") keeps the client's formatting, so does this.
    """
    if currency != "GBP":
        return account_number, None
    digits = sum(c.isdigit() for c in (account_number or "") + (sort_code or ""))
    if digits == 14:
        return account_number, sort_code
    return None, None


def _refuse_duplicate_account(
    connection: LedgerConnection, platform: Platform, name: str, nominal_code: str | None
) -> None:
    """A bank account is an account of the chart: its name (and code) must be unused there.

    Xero: "Please enter a unique Name." / "Please enter a unique Code."; QuickBooks Online: error
    6000 "Another account is already using this name." Both platforms' own rules (Inference: the
    docs do not mention them).
    """
    datasets = [Dataset.BANK_ACCOUNTS, Dataset.ACCOUNTS]
    messages = platform.rules.messages
    errors = []
    if _folded(name) in _names_in_use(connection, datasets, "name"):
        errors.append(messages.duplicate_bank_account)
    if (
        messages.duplicate_account_code
        and nominal_code
        and _folded(nominal_code) in _names_in_use(connection, datasets, "nominalCode")
    ):
        errors.append(messages.duplicate_account_code)
    if errors:
        raise validation_error(errors, validator="BankAccount")


@route("POST", f"{P}/bankAccounts", "create-bank-account", idempotent=True)
def create_bank_account(call: Call) -> LedgerResponse:
    """POST P/bankAccounts: create a bank account (201); it then appears in the payment
    mapping options, which read the same dataset."""
    connection = payables_connection(call, write=True)
    platform = platform_of(connection)
    body = _object_body(call, "BankAccount")
    errors: list[str] = []
    name = _required_text(body, "name", "Name", errors)
    account_type = _required_choice(body, "accountType", "Account Type", BANK_ACCOUNT_TYPES, errors)
    if account_type and account_type not in platform.rules.creatable_bank_account_types:
        # codat-api.md §7 step 4 (older docs): Xero cannot create credit accounts.
        errors.append(
            platform.rules.messages.bank_account_type.format(account_type=account_type.lower())
        )
    account_number = _required_text(body, "accountNumber", "Account Number", errors)
    currency = None
    if body.get("currency") in (None, ""):
        errors.append("`Currency` must not be empty.")
    else:
        currency = _currency(body["currency"], "Currency", errors)
    nominal_code = _optional_text(body, "nominalCode", "Nominal Code", errors)
    if platform.rules.bank_account_code_required and not (nominal_code or "").strip():
        # NetSuite with "Use Account Numbers" on (its integration reference, Bank accounts).
        errors.append(platform.rules.messages.bank_account_code_missing)
    sort_code = _optional_text(body, "sortCode", "Sort Code", errors)
    if errors:
        raise validation_error(errors, validator="BankAccount")
    assert name is not None
    assert currency is not None
    _lock_connection(connection)
    _refuse_duplicate_account(connection, platform, name, nominal_code)
    document = {
        "id": _new_id(connection, platform, [Dataset.BANK_ACCOUNTS, Dataset.ACCOUNTS]),
        "nominalCode": nominal_code,
        "name": name,
        "accountType": account_type,
        "accountNumber": account_number,
        "sortCode": sort_code,
        "currency": currency,
        "status": "Active",
        "sourceModifiedDate": now_iso(),
    }
    # The platform keeps the numbers it was given; what Xero shows of them is masked on every
    # read, here and in the payment mapping options (mapping.bank_account_option).
    save_document(connection, Dataset.BANK_ACCOUNTS, document)
    if platform.rules.masks_bank_numbers:
        shown = _xero_bank_numbers(currency, account_number, sort_code)
        document["accountNumber"], document["sortCode"] = shown
    return json_response(201, document)
