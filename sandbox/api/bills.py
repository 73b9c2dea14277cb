"""Bills and bill payments: list-bills, create-bill, update-bill, create-bill-payment.

Rules come from codat-api.md §3 (default filter), §4.3 (schemas, currencyRate semantics), §7 (the
validation messages, quoted exactly) and §9 "Bills". Where neither the spec nor the docs say, the
choice is marked **Inference** in the code; these are the choices:

- Line amounts. `unitAmount` and `quantity` are required on a line (a line without them cannot be
  posted); an absent `taxAmount` is 0 (the sandbox does not compute tax from the rate). A line's
  `totalAmount` is `unitAmount * quantity + taxAmount` rounded half-up to the currency's minor unit,
  so that `amountDue` can always be paid off exactly; a given `totalAmount` must equal that value, as
  Xero refuses a line amount that is not quantity * unit amount.
- Dates. Xero keeps dates, not times, so `issueDate`, `dueDate` and a payment's `date` are served as
  `YYYY-MM-DDT00:00:00` (the form of the spec's examples), whatever time or offset was sent.
- `currencyRate` of a bill: as sent; when absent, 1 for a bill in the base currency and null for a
  foreign one (the sandbox has no rate table to fill it from).
- Payments (codat-api.md "currencyRate semantics"): the account's currency must be the bill's or the
  base currency. `amount` is in the bill's currency (spec BillPayment.amount). When the account's
  currency differs from the bill's, `currencyRate` is required and > 0: it is the only way to know
  what left the account. Otherwise it is optional; when absent, the served rate is 1 in the base
  currency and the bill's rate for a foreign-currency account. At most 9 decimal places (spec).
- Supplier balance: held in the supplier's `defaultCurrency` (the base currency when it has none) and
  moved only by bills in that currency: + the amount due on create, the change on update, - the
  amount on payment. Bills in another currency leave it alone (no rate table to convert with).
- Update: only `Open` bills (docs `update-bill.md`); `amountDue` = new total - what was already
  settled (`totalAmount - amountDue` before the update), and a total below that is refused.
- Archived suppliers, accounts, tax rates and bank accounts are refused like unknown ones, with
  "is archived" instead of "was not found" (Xero refuses archived contacts and accounts).
- Unknown body properties (e.g. `totalAmount`, sent by an outdated docs snippet) are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Final

from django.db import IntegrityError, transaction

from codat.money import RATE_PLACES, currency_decimals, quantize
from codat.platforms import MissingRate, Tax
from sandbox.api.base import (
    ApiError,
    Call,
    LedgerResponse,
    dumps,
    json_response,
    loads,
    route,
    validation_error,
)
from sandbox.api.records import (
    Document,
    compile_query,
    get_document,
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
from sandbox.routers import SANDBOX_ALIAS

PREFIX = "/companies/{companyId}/connections/{connectionId}/payables/bills"

OPEN: Final = "Open"
PARTIALLY_PAID: Final = "PartiallyPaid"
PAID: Final = "Paid"
OUTSTANDING: Final = frozenset({OPEN, PARTIALLY_PAID})
ARCHIVED: Final = "Archived"

# Every property of the spec's Bill schema, with the dotted sub-properties of supplierRef (the
# docs' `supplierRef.supplierName=acme` example included, codat-api.md §3).
BILL_PROPERTIES: Final = frozenset(
    {
        "id",
        "reference",
        "supplierRef",
        "supplierRef.id",
        "supplierRef.supplierName",
        "issueDate",
        "dueDate",
        "currency",
        "currencyRate",
        "lineItems",
        "status",
        "totalAmount",
        "amountDue",
        "sourceModifiedDate",
    }
)

# Amounts beyond these bounds are refused rather than risk Decimal's 28-digit context.
_MAX_MAGNITUDE: Final = Decimal("1e13")
_MAX_PLACES: Final = 10
_DATE_RE: Final = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_TRACKING_TYPES: Final = frozenset({"trackingCategories", "customers"})


# --- Money and dates ----------------------------------------------------------------------------


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (codat/money.py, shared with billpay)."""
    return quantize(amount, currency)


def has_places(value: Decimal, places: int) -> bool:
    """Whether `value` is exact with at most `places` decimals (10.50 has 1)."""
    return value == value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def line_total(
    unit_amount: Decimal, quantity: Decimal, tax_amount: Decimal, currency: str
) -> Decimal:
    """A line's total including tax, in the currency's minor unit (Inference, see module doc)."""
    # Exact: inputs are bounded (_MAX_MAGNITUDE, _MAX_PLACES), so 60 digits always suffice.
    with localcontext() as context:
        context.prec = 60
        return round_money(unit_amount * quantity + tax_amount, currency)


def codat_date(day: dt.date) -> str:
    """A date in the form of the spec's examples: midnight, no zone."""
    return f"{day.isoformat()}T00:00:00"


def _parse_day(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    match = _DATE_RE.fullmatch(value.strip())
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _number(value: Any) -> Decimal | None:
    """A JSON number as Decimal; None for anything else (strings, booleans, objects)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    number = Decimal(value)
    if not number.is_finite():
        return None
    return number


# --- Validation ---------------------------------------------------------------------------------


class Errors:
    """Validation messages collected in order, each once (Codat reports them all together)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def raise_if_any(self, *, validator: str) -> None:
        if self.messages:
            raise validation_error(self.messages, validator=validator)


def _amount(errors: Errors, body: dict[str, Any], key: str, label: str) -> Decimal | None:
    """Read a money-like field that must be present."""
    raw = body.get(key)
    if raw is None:
        errors.add(f"`{label}` must not be empty.")
        return None
    return _optional_amount(errors, raw, label)


def _optional_amount(errors: Errors, raw: Any, label: str) -> Decimal | None:
    number = _number(raw)
    if number is None:
        errors.add(f"`{label}` must be a number.")
        return None
    if abs(number) >= _MAX_MAGNITUDE or not has_places(number, _MAX_PLACES):
        errors.add(f"`{label}` is out of range.")
        return None
    return number


def _ref_id(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    ref = value.get("id")
    return ref if isinstance(ref, str) and ref.strip() else None


def _lookup(
    errors: Errors,
    connection: LedgerConnection,
    platform: Platform,
    dataset: str,
    record_id: str,
    label: str,
) -> Document | None:
    """A referenced record that must exist and be active in the platform; a missing one is
    reported in the platform's words (docs update-bill.md, software-specific errors)."""
    found = get_document(connection, dataset, record_id)
    if found is None:
        messages = platform.rules.messages
        if dataset == Dataset.SUPPLIERS:
            errors.add(messages.supplier_not_found.format(id=record_id))
        elif dataset == Dataset.TAX_RATES:
            errors.add(messages.tax_rate_not_found)
        else:
            errors.add(messages.account_not_found.format(label=label))
        return None
    if found.get("status") == ARCHIVED:
        errors.add(f"`{label}` is archived in {platform.ledger_name}.")  # Inference
        return None
    return found


def known_currencies(connection: LedgerConnection) -> set[str]:
    """Currencies the organisation has: the base currency and those of its accounts and bank
    accounts (the synchronous API has no currencies list, codat-api.md §4.3)."""
    currencies = {connection.base_currency}
    for dataset in (Dataset.ACCOUNTS, Dataset.BANK_ACCOUNTS):
        rows = LedgerRecord.objects.filter(connection=connection, dataset=dataset)
        for raw in rows.values_list("document", flat=True).iterator(chunk_size=500):
            # Cheap: a chart of accounts is a few hundred records at most.
            currency = loads(raw).get("currency")
            if isinstance(currency, str):
                currencies.add(currency)
    return currencies


def _validated_lines(
    errors: Errors,
    connection: LedgerConnection,
    platform: Platform,
    raw_lines: Any,
    currency: str,
) -> list[Document]:
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add("`Line Items` must not be empty.")
        return []
    rules = platform.rules
    if rules.max_line_items is not None and len(raw_lines) > rules.max_line_items:
        errors.add(rules.messages.too_many_lines.format(limit=rules.max_line_items))
    lines: list[Document] = []
    for raw in raw_lines:
        if not isinstance(raw, dict):
            errors.add("`Line Items` must each be an object.")
            continue
        description = raw.get("description")
        if description is not None and not isinstance(description, str):
            errors.add("`Description` must be a string.")
        unit_amount = _amount(errors, raw, "unitAmount", "Unit Amount")
        quantity = _amount(errors, raw, "quantity", "Quantity")
        tax_amount = Decimal(0)
        if raw.get("taxAmount") is not None:
            tax_amount = _optional_amount(errors, raw["taxAmount"], "Tax Amount") or Decimal(0)
        elif rules.tax is Tax.RATE_AND_AMOUNT:
            errors.add(rules.messages.tax_amount_missing)
        account_id = _ref_id(raw.get("accountRef"))
        if account_id is None:
            errors.add("`Account Ref` must not be empty.")
        else:
            _lookup(errors, connection, platform, Dataset.ACCOUNTS, account_id, "Account Ref")
        tax_rate_id = _ref_id(raw.get("taxRateRef"))
        # docs update-bill.md, Software requirements: what each platform wants for tax.
        if rules.tax is Tax.AMOUNT_ONLY:
            if raw.get("taxRateRef") is not None:
                errors.add(rules.messages.tax_rate_not_allowed)
        elif tax_rate_id is None:
            if rules.tax.rate_required or tax_amount != 0:
                errors.add(rules.messages.tax_rate_missing)
        else:
            _lookup(errors, connection, platform, Dataset.TAX_RATES, tax_rate_id, "Tax Rate Ref")
        tracking = raw.get("trackingRefs")
        if tracking is not None and not _valid_tracking(tracking):
            errors.add(
                "`Tracking Refs` must each have an `Id` and a `Data Type` of "
                "`trackingCategories` or `customers`."
            )
        if unit_amount is None or quantity is None:
            continue
        total = line_total(unit_amount, quantity, tax_amount, currency)
        if abs(total) >= _MAX_MAGNITUDE:
            errors.add("`Total Amount` is out of range.")
            continue
        if raw.get("totalAmount") is not None:
            given = _optional_amount(errors, raw["totalAmount"], "Total Amount")
            if given is not None and given != total:
                errors.add(
                    "`Total Amount` of a line must equal `Unit Amount` times `Quantity` plus "
                    f"`Tax Amount` (`{total}`)."
                )
        line: Document = {
            "description": description if isinstance(description, str) else None,
            "unitAmount": unit_amount,
            "quantity": quantity,
            "taxAmount": tax_amount,
            "totalAmount": total,
            "accountRef": {"id": account_id},
        }
        if tax_rate_id is not None:
            # A line without a rate (FreeAgent's, Zoho's untaxed ones) has no taxRateRef: the
            # spec's billTaxRateRef is an object, never null.
            line["taxRateRef"] = {"id": tax_rate_id}
        if tracking:
            line["trackingRefs"] = tracking
        lines.append(line)
    return lines


def _valid_tracking(tracking: Any) -> bool:
    if not isinstance(tracking, list):
        return False
    return all(
        isinstance(ref, dict)
        and _ref_id(ref) is not None
        and ref.get("dataType") in _TRACKING_TYPES
        and isinstance(ref.get("isBillable", False), bool)
        for ref in tracking
    )


def _reference_taken(
    connection: LedgerConnection, supplier_id: str, reference: str, bill_id: str | None
) -> bool:
    """Whether another bill of the supplier has this reference (Zoho Books refuses it)."""
    bills = LedgerRecord.objects.filter(
        connection=connection, dataset=Dataset.BILLS, parent_id=supplier_id
    )
    if bill_id is not None:
        bills = bills.exclude(record_id=bill_id)
    return any(
        loads(raw).get("reference") == reference
        for raw in bills.values_list("document", flat=True).iterator(chunk_size=500)
    )


def _validated_bill(
    connection: LedgerConnection, body: Any, *, bill_id: str | None = None
) -> tuple[Document, Document | None]:
    """A billPrototype checked with every §7 message at once, as the bill document to store (no
    id, amountDue or sourceModifiedDate yet), and its supplier."""
    if not isinstance(body, dict):
        raise validation_error(["`Bill` must not be empty."])
    platform = platform_of(connection)
    errors = Errors()

    reference = body.get("reference")
    if reference is not None and not isinstance(reference, str):
        errors.add("`Reference` must be a string.")
    elif reference is not None and len(reference) > platform.rules.max_reference_length:
        errors.add(
            f"`Reference Length` must be less than or equal to `{platform.rules.max_reference_length}`."
        )

    supplier: Document | None = None
    supplier_ref = body.get("supplierRef")
    supplier_id = _ref_id(supplier_ref)
    if not isinstance(supplier_ref, dict):
        errors.add("`Supplier Ref` must not be empty.")
    elif supplier_id is None:
        errors.add("`Supplier Ref Id` must not be empty.")
    else:
        supplier = _lookup(
            errors, connection, platform, Dataset.SUPPLIERS, supplier_id, "SupplierRef Id"
        )

    days: dict[str, dt.date | None] = {}
    for key, label in (("issueDate", "Issue Date"), ("dueDate", "Due Date")):
        raw = body.get(key)
        days[key] = _parse_day(raw)
        if raw is None or raw == "":
            errors.add(f"`{label}` must not be empty.")
        elif days[key] is None:
            errors.add(f"`{label}` must be a valid date.")  # Inference

    currency = body.get("currency")
    if currency is None or currency == "":
        errors.add("`Currency` must not be empty.")
    elif not isinstance(currency, str) or len(currency) != 3:
        errors.add("`Currency Length` must be equal to `3`.")
    elif currency not in known_currencies(connection):
        errors.add(f"No currency exists for code `{currency}`.")
    elif (
        platform.rules.bill_currency_matches_supplier
        and supplier is not None
        and supplier.get("defaultCurrency")
        and supplier["defaultCurrency"] != currency
    ):
        # docs update-bill.md, QBO: a bill's currency must match its supplier's.
        errors.add(
            platform.rules.messages.currency_not_suppliers.format(
                currency=currency, supplier_currency=supplier["defaultCurrency"]
            )
        )
    bill_currency = currency if isinstance(currency, str) and len(currency) == 3 else "XXX"

    currency_rate = None
    if body.get("currencyRate") is not None:
        currency_rate = _optional_amount(errors, body["currencyRate"], "Currency Rate")
        if currency_rate is not None and currency_rate <= 0:
            errors.add("`Currency Rate` must be greater than `0`.")
    if currency_rate is None and bill_currency == connection.base_currency:
        currency_rate = Decimal(1)

    status = body.get("status")
    if status is None or status == "":
        errors.add("`Status` must not be empty.")
    elif status != OPEN:
        errors.add("`Status` must be equal to `Open`.")

    issue, due = days["issueDate"], days["dueDate"]
    messages = platform.rules.messages
    if platform.rules.due_date_not_before_issue and issue and due and due < issue:
        errors.add(str(messages.due_before_issue))
    if (
        platform.rules.unique_reference_per_supplier
        and reference
        and supplier is not None
        and _reference_taken(connection, str(supplier["id"]), reference, bill_id)
    ):
        errors.add(str(messages.duplicate_reference))

    lines = _validated_lines(errors, connection, platform, body.get("lineItems"), bill_currency)
    total = sum((line["totalAmount"] for line in lines), Decimal(0))
    if total < 0:
        errors.add(messages.negative_total)
    errors.raise_if_any(validator="Bill")

    # No errors, so every field was read.
    assert supplier is not None
    assert supplier_id is not None
    assert issue is not None
    assert due is not None
    bill: Document = {
        "reference": reference,
        "supplierRef": {"id": supplier_id, "supplierName": supplier.get("supplierName")},
        "issueDate": codat_date(issue),
        "dueDate": codat_date(due),
        "currency": bill_currency,
        "currencyRate": currency_rate,
        "lineItems": lines,
        "status": OPEN,
        "totalAmount": total,
    }
    return bill, supplier


# --- Records ------------------------------------------------------------------------------------


def _create_record(
    connection: LedgerConnection, dataset: str, fields: Document, *, parent_id: str = ""
) -> Document:
    """Insert a new record under a fresh id and return its document (id first)."""
    fmt = id_format(platform_of(connection), dataset)
    for _attempt in range(5):
        document = {"id": new_record_id(connection, fmt, [dataset]), **fields}
        try:
            # A savepoint: when two creates race for the same QBO number on PostgreSQL, the
            # loser's insert fails on the unique constraint and takes the next number.
            with transaction.atomic(using=SANDBOX_ALIAS):
                LedgerRecord.objects.create(
                    connection=connection,
                    dataset=dataset,
                    record_id=document["id"],
                    document=dumps(document).decode(),
                    parent_id=parent_id,
                )
        except IntegrityError:
            continue
        return document
    raise ApiError(503, "The service is busy; please retry later.")


def _bill_or_404(connection: LedgerConnection, bill_id: str) -> Document:
    # SELECT ... FOR UPDATE: payments and updates of one bill queue up, so none can overpay.
    bill = lock_document(connection, Dataset.BILLS, bill_id)
    if bill is None:
        raise ApiError(404, f"No data available for bills for ID {bill_id}")
    return bill


def _balance_moves(connection: LedgerConnection, moves: Iterable[tuple[str, str, Decimal]]) -> None:
    """Apply (supplier id, currency, delta) to supplier balances, locking suppliers in id order."""
    by_supplier: dict[str, list[tuple[str, Decimal]]] = {}
    for supplier_id, currency, delta in moves:
        if delta:
            by_supplier.setdefault(supplier_id, []).append((currency, delta))
    for supplier_id in sorted(by_supplier):
        supplier = lock_document(connection, Dataset.SUPPLIERS, supplier_id)
        if supplier is None:
            continue
        balance_currency = supplier.get("defaultCurrency") or connection.base_currency
        deltas = [d for currency, d in by_supplier[supplier_id] if currency == balance_currency]
        if not deltas:
            continue  # Inference: no rate table to convert other currencies with
        balance = _number(supplier.get("balance")) or Decimal(0)
        supplier["balance"] = balance + sum(deltas, Decimal(0))
        save_document(connection, Dataset.SUPPLIERS, supplier)


# --- Operations ---------------------------------------------------------------------------------


def _outstanding(bill: Document) -> bool:
    return bill.get("status") in OUTSTANDING


@route("GET", PREFIX, "list-bills")
def list_bills(call: Call) -> LedgerResponse:
    """GET /companies/{companyId}/connections/{connectionId}/payables/bills"""
    connection = payables_connection(call, dataset=True)
    text = call.request.query.get("query") or ""
    query = compile_query(text, dataset="Bill", properties=BILL_PROPERTIES)
    # With no query, only the outstanding bills (spec list-bills description).
    items, token = list_page(
        call,
        connection,
        Dataset.BILLS,
        query=query,
        query_text=text,
        keep=None if query is not None else _outstanding,
    )
    pagination = {"continuationToken": token} if token else {}
    return json_response(200, {"results": items, "pagination": pagination})


@route("POST", PREFIX, "create-bill", idempotent=True)
def create_bill(call: Call) -> LedgerResponse:
    """POST /companies/{companyId}/connections/{connectionId}/payables/bills"""
    connection = payables_connection(call, write=True)
    bill, _supplier = _validated_bill(connection, call.json())
    bill["amountDue"] = bill["totalAmount"]
    bill["sourceModifiedDate"] = now_iso()
    supplier_id = bill["supplierRef"]["id"]
    document = _create_record(connection, Dataset.BILLS, bill, parent_id=supplier_id)
    _balance_moves(connection, [(supplier_id, bill["currency"], bill["amountDue"])])
    return json_response(201, document)


@route("PUT", f"{PREFIX}/{{billId}}", "update-bill", idempotent=True)
def update_bill(call: Call) -> LedgerResponse:
    """PUT /companies/{companyId}/connections/{connectionId}/payables/bills/{billId}"""
    connection = payables_connection(call, write=True)
    bill_id = call.params["billId"]
    old = _bill_or_404(connection, bill_id)
    if old.get("status") != OPEN:
        # docs update-bill.md: "Only Open bills can be updated" (Sage Intacct's text is its own).
        message = platform_of(connection).rules.messages.bill_not_open
        raise validation_error([message.format(id=bill_id, status=old.get("status"))])
    new, _supplier = _validated_bill(connection, call.json(), bill_id=bill_id)
    old_total = _number(old.get("totalAmount")) or Decimal(0)
    old_due = _number(old.get("amountDue"))
    settled = old_total - (old_total if old_due is None else old_due)
    if new["totalAmount"] < settled:
        raise validation_error(
            [
                f"`Total Amount` must be greater than or equal to `{settled}`, the amount already paid."
            ]
        )
    new["amountDue"] = new["totalAmount"] - settled
    if settled:
        new["status"] = PAID if new["amountDue"] == 0 else PARTIALLY_PAID
    new["sourceModifiedDate"] = now_iso()
    document = {"id": old["id"], **new}
    save_document(connection, Dataset.BILLS, document, parent_id=new["supplierRef"]["id"])
    _balance_moves(
        connection,
        [
            (old["supplierRef"]["id"], old["currency"], -(old_due or Decimal(0))),
            (new["supplierRef"]["id"], new["currency"], new["amountDue"]),
        ],
    )
    return json_response(200, document)


_UNPAYABLE: Final = {
    PAID: "it is already paid in full",
    "Void": "a voided bill cannot be paid",
    "Draft": "a draft bill must be approved (Open) before it can be paid",
    "Unknown": "its status is unknown",
}


@route("POST", f"{PREFIX}/{{billId}}/payment", "create-bill-payment", idempotent=True)
def create_bill_payment(call: Call) -> LedgerResponse:
    """POST /companies/{companyId}/connections/{connectionId}/payables/bills/{billId}/payment"""
    connection = payables_connection(call, write=True)
    platform = platform_of(connection)
    body = call.json()
    if not isinstance(body, dict):
        raise validation_error(["`Bill Payment` must not be empty."], validator="BillPayment")

    # 1. The prototype's own rules (required amount, date, accountRef.id).
    errors = Errors()
    amount = _amount(errors, body, "amount", "Amount")
    raw_date = body.get("date")
    day = _parse_day(raw_date)
    if raw_date is None or raw_date == "":
        errors.add("`Date` must not be empty.")
    elif day is None:
        errors.add("`Date` must be a valid date.")
    account_ref = body.get("accountRef")
    account_id = _ref_id(account_ref)
    if not isinstance(account_ref, dict):
        errors.add("`Account Ref` must not be empty.")
    elif account_id is None:
        errors.add("`Account Ref Id` must not be empty.")
    reference = body.get("reference")
    if reference is not None and not isinstance(reference, str):
        errors.add("`Reference` must be a string.")
    rate = None
    if body.get("currencyRate") is not None:
        rate = _optional_amount(errors, body["currencyRate"], "Currency Rate")
        if rate is not None and rate <= 0:
            errors.add("`Currency Rate` must be greater than `0`.")
        elif rate is not None and not has_places(rate, RATE_PLACES):
            errors.add(f"`Currency Rate` must have at most {RATE_PLACES} decimal places.")
    errors.raise_if_any(validator="BillPayment")
    assert amount is not None
    assert day is not None
    assert account_id is not None

    # 2. The bill, locked until this transaction ends.
    bill_id = call.params["billId"]
    bill = _bill_or_404(connection, bill_id)
    currency = bill["currency"]
    status = bill.get("status")
    due = _number(bill.get("amountDue")) or Decimal(0)

    # 3. Rules against the ledger's state, reported together.
    if status not in OUTSTANDING:
        errors.add(
            f"Bill {bill_id} is {status}: {_UNPAYABLE.get(str(status), 'it cannot be paid')}."
        )
    account = _lookup(
        errors, connection, platform, Dataset.BANK_ACCOUNTS, account_id, "Account Ref"
    )
    if account is not None:
        account_currency = account.get("currency")
        if account_currency not in (currency, connection.base_currency):
            # codat-api.md "currencyRate semantics": no payment between two non-base currencies.
            errors.add(
                f"The payment account's currency `{account_currency}` must be the bill's currency "
                f"`{currency}` or the base currency `{connection.base_currency}`."
            )
        elif (
            account_currency != currency
            and rate is None
            and platform.rules.missing_currency_rate is MissingRate.RATE_ONE
        ):
            # spec BillPayment.currencyRate: QuickBooks Online books it at 1 when none is sent.
            rate = Decimal(1)
        elif account_currency != currency and rate is None:
            errors.add(
                "`Currency Rate` must not be empty when the payment account's currency "
                f"`{account_currency}` differs from the bill's currency `{currency}`."
            )
        elif rate is None:
            rate = Decimal(1) if currency == connection.base_currency else bill.get("currencyRate")
    if amount <= 0:
        errors.add("`Amount` must be greater than `0`.")
    elif not has_places(amount, currency_decimals(currency)):
        errors.add(
            f"`Amount` must have at most {currency_decimals(currency)} decimal places for {currency}."
        )
    elif status in OUTSTANDING and amount > due:
        errors.add(f"`Amount` must be less than or equal to the amount due `{due}`.")
    errors.raise_if_any(validator="BillPayment")

    # 4. Record it: the payment, the bill's amount due and status, the supplier's balance.
    payment = _create_record(
        connection,
        Dataset.BILL_PAYMENTS,
        {
            "amount": amount,
            "date": codat_date(day),
            "reference": reference,
            "accountRef": {"id": account_id},
            "currencyRate": rate,
        },
        parent_id=bill_id,
    )
    remaining = due - amount
    bill["amountDue"] = remaining
    bill["status"] = PAID if remaining == 0 else PARTIALLY_PAID
    bill["sourceModifiedDate"] = now_iso()
    supplier_id = bill["supplierRef"]["id"]
    save_document(connection, Dataset.BILLS, bill, parent_id=supplier_id)
    _balance_moves(connection, [(supplier_id, currency, -amount)])
    return json_response(201, payment)


def bill_payments(connection: LedgerConnection, bill_id: str) -> list[Document]:
    """The payments recorded against a bill, oldest first (no API lists them: spec §4.2)."""
    rows = LedgerRecord.objects.filter(
        connection=connection, dataset=Dataset.BILL_PAYMENTS, parent_id=bill_id
    ).order_by("id")
    return [loads(raw) for raw in rows.values_list("document", flat=True)]
