"""What billpay checks against the company's platform before sending anything (codat.platforms is
the one table of rules), and where a platform's refusal lands on a form.

The forms and the services both call these checks, so a person and any other caller are refused
the same way, with the same words, before the ledger is asked. The ledger still has the last
word: what billpay cannot know in advance (a supplier whose currency changed in the ledger since
the last refresh) comes back in the platform's words, and `refusal_fields` puts each of those
on the field it concerns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from decimal import Decimal
from functools import cache
from typing import Final

from accounts.models import Company
from accounts.services import company_connection
from codat.money import currency_decimals, has_minor_units
from codat.platforms import (
    ArchivedSupplierUpdate,
    Messages,
    PlatformRules,
    SupplierCurrency,
    Tax,
    rules_for,
)
from payables.models import Bill, Supplier

# The most lines billpay puts on one bill where the platform sets no limit of its own.
MAX_LINES: Final = 100

# The form fields of billpay's bill form; "lines" is the line-items section as a whole.
LINES: Final = "lines"


def company_rules(company: Company) -> PlatformRules:
    """The rules of the platform the company is connected to (its linked connection, else its
    latest one; Xero's rules when it has none yet)."""
    connection = company_connection(company)
    return rules_for(connection.platform_key if connection is not None else "")


# --- Bills -----------------------------------------------------------------------------------------


def line_limit(rules: PlatformRules) -> int:
    """The most lines a bill may have on this platform."""
    return min(rules.max_line_items or MAX_LINES, MAX_LINES)


def too_many_lines(rules: PlatformRules, count: int) -> str | None:
    limit = line_limit(rules)
    if count <= limit:
        return None
    return too_many_lines_message(rules)


def too_many_lines_message(rules: PlatformRules) -> str:
    limit = line_limit(rules)
    if rules.max_line_items is not None and rules.max_line_items <= MAX_LINES:
        return (
            f"{rules.name} takes at most {limit} lines on a bill: remove some, or split it into "
            "two bills."
        )
    return f"A bill can have at most {limit} lines."


def reference_too_long(rules: PlatformRules, reference: str) -> str | None:
    if len(reference) <= rules.max_reference_length:
        return None
    return (
        f"{rules.name} takes references of up to {rules.max_reference_length} characters "
        f"(this one has {len(reference)})."
    )


def currency_not_suppliers(
    rules: PlatformRules, supplier: Supplier | None, currency: str
) -> str | None:
    """Where the platform takes a bill's currency from its supplier, a bill in another one."""
    if not rules.bill_currency_matches_supplier or supplier is None:
        return None
    wanted = supplier.default_currency
    if not wanted or wanted == currency:
        return None
    return f"{supplier.name} bills in {wanted} in {rules.name}: choose {wanted}."


def supplier_bill_currency(rules: PlatformRules, supplier: Supplier | None) -> str:
    """The currency the supplier's bills must be in on this platform, or "" when any may do."""
    if not rules.bill_currency_matches_supplier or supplier is None:
        return ""
    return supplier.default_currency


def reference_taken(
    rules: PlatformRules,
    supplier: Supplier | None,
    reference: str,
    *,
    bill: Bill | None = None,
) -> str | None:
    """Where a reference is unique per supplier (Zoho Books), one another bill of the supplier
    already has, as far as billpay's copy of the ledger knows."""
    if not rules.unique_reference_per_supplier or supplier is None or not reference:
        return None
    others = Bill.objects.for_company(supplier.company).filter(
        supplier=supplier, reference=reference
    )
    if bill is not None:
        others = others.exclude(pk=bill.pk)
    if not others.exists():
        return None
    return (
        f"{supplier.name} already has a bill with reference {reference}, and {rules.name} takes "
        "each reference once per supplier: use another."
    )


def tax_rate_missing(rules: PlatformRules) -> str:
    return f"Choose a tax rate: {rules.name} needs one on every line."


def tax_rate_not_taken(rules: PlatformRules) -> str:
    return f"{rules.name} takes no tax rate on a bill line: enter the line's tax amount instead."


def tax_amount_not_taken(rules: PlatformRules) -> str:
    return (
        f"{rules.name} works a line's tax out from its tax rate: billpay sends no tax amount "
        "of its own."
    )


def tax_amount_problem(amount: Decimal, currency: str) -> str | None:
    """A typed tax amount that cannot go to the ledger (AMOUNT_ONLY platforms)."""
    if not amount.is_finite():
        return "Enter the tax amount as a number, e.g. 4.20."
    if amount < 0:
        return "The tax amount cannot be negative."
    if currency and not has_minor_units(amount, currency):
        return f"{currency} amounts have at most {currency_decimals(currency)} decimal places."
    return None


def line_tax_problem(
    rules: PlatformRules, *, has_rate: bool, tax_amount: Decimal | None, currency: str
) -> str | None:
    """What is wrong with a line's tax for this platform (codat.platforms.Tax), or None."""
    if rules.tax is Tax.AMOUNT_ONLY:
        if has_rate:
            return tax_rate_not_taken(rules)
        return tax_amount_problem(tax_amount, currency) if tax_amount is not None else None
    if tax_amount is not None:
        return tax_amount_not_taken(rules)
    if rules.tax.rate_required and not has_rate:
        return tax_rate_missing(rules)
    return None


# --- Suppliers -------------------------------------------------------------------------------------


def supplier_currency_note(rules: PlatformRules, base_currency: str) -> str:
    """Why the supplier form has no currency field (BASE_ONLY platforms), else ""."""
    if rules.supplier_currency is not SupplierCurrency.BASE_ONLY:
        return ""
    base = base_currency or "the company's base currency"
    return (
        f"{rules.name} suppliers are always in {base}: a supplier there has no currency of its own."
    )


def supplier_currency_fixed_hint(rules: PlatformRules) -> str:
    return (
        f"{rules.name} fixes a supplier's currency when the supplier is created: it cannot be "
        "changed afterwards."
    )


def supplier_currency_problem(
    rules: PlatformRules,
    *,
    currency: str,
    base_currency: str,
    current: Supplier | None = None,
) -> str | None:
    """A supplier currency this platform does not take, on create (`current` None) or edit."""
    if rules.supplier_currency is SupplierCurrency.BASE_ONLY:
        if currency and base_currency and currency != base_currency:
            return (
                f"{rules.name} suppliers are always in {base_currency}: leave the currency empty."
            )
        return None
    if (
        rules.supplier_currency is SupplierCurrency.FIXED
        and current is not None
        and currency
        and currency != current.default_currency
    ):
        kept = current.default_currency or "the currency it was created with"
        return (
            f"A supplier's currency cannot be changed in {rules.name} once it is created: "
            f"{current.name} stays in {kept}."
        )
    return None


def supplier_name_missing(rules: PlatformRules) -> str:
    return f"Enter the supplier's name: {rules.name} needs one."


def contact_name_fixed_hint(rules: PlatformRules) -> str:
    """Where the platform ignores a contact name sent with a change (NetSuite), else ""."""
    if rules.contact_name_on_update:
        return ""
    return (
        f"{rules.name} ignores a contact name sent with a change, so billpay cannot change it: "
        f"change it in {rules.name} itself."
    )


def contact_name_problem(rules: PlatformRules, contact_name: str, current: Supplier) -> str | None:
    if rules.contact_name_on_update or contact_name in ("", current.contact_name):
        return None
    return contact_name_fixed_hint(rules)


def archived_supplier_refusal(rules: PlatformRules, supplier: Supplier | None) -> str | None:
    """Why an archived supplier cannot be changed through billpay on this platform: Xero refuses
    the change, QuickBooks Online ignores it unless the supplier is made active."""
    if supplier is None or supplier.status != Supplier.Status.ARCHIVED:
        return None
    if rules.archived_supplier_update is ArchivedSupplierUpdate.REFUSED:
        return (
            f"{supplier.name} is archived in {rules.name}, which changes no archived supplier: "
            f"unarchive it in {rules.name} first, then refresh it here."
        )
    if rules.archived_supplier_update is ArchivedSupplierUpdate.IGNORED_UNLESS_ACTIVE:
        return (
            f"{supplier.name} is inactive in {rules.name}, which ignores changes to an inactive "
            f"supplier: make it active in {rules.name} first, then refresh it here."
        )
    return None


# --- Bank accounts ---------------------------------------------------------------------------------

ACCOUNT_TYPE_LABELS: Final = {"Debit": "Bank account (debit)", "Credit": "Credit card"}


def bank_account_types(rules: PlatformRules) -> list[tuple[str, str]]:
    """The account types this platform can create, as form choices (Debit first)."""
    return [
        (t, label)
        for t, label in ACCOUNT_TYPE_LABELS.items()
        if t in rules.creatable_bank_account_types
    ]


def bank_account_type_note(rules: PlatformRules) -> str:
    """Why the form offers no choice of type, when the platform creates one kind only."""
    if len(bank_account_types(rules)) != 1:
        return ""
    return (
        f"{rules.name} creates bank (debit) accounts only through Codat: add a credit card in "
        f"{rules.name} itself."
    )


def bank_account_type_problem(rules: PlatformRules, account_type: str) -> str | None:
    if account_type in rules.creatable_bank_account_types:
        return None
    label = ACCOUNT_TYPE_LABELS.get(account_type, account_type).lower()
    return f"{rules.name} cannot create a {label} account through Codat: choose a bank account."


def bank_account_code_missing(rules: PlatformRules) -> str:
    return (
        f"Enter the ledger account code: {rules.name} numbers every account, so a new bank "
        "account needs its code."
    )


# --- The platform's refusals, field by field -------------------------------------------------------

# Which form field each of the platform's own texts (codat.platforms.Messages) concerns.
BILL_FIELDS: Final = {
    "account_not_found": LINES,
    "supplier_not_found": "supplier",
    "tax_rate_not_found": LINES,
    "currency_not_enabled": "currency",
    "currency_not_suppliers": "currency",
    "negative_total": LINES,
    "due_before_issue": "due_date",
    "duplicate_reference": "reference",
    "tax_rate_not_allowed": LINES,
    "tax_rate_missing": LINES,
    "tax_amount_missing": LINES,
    "too_many_lines": LINES,
}
SUPPLIER_FIELDS: Final = {
    "duplicate_supplier": "name",
    "supplier_currency_fixed": "default_currency",
    "supplier_name_missing": "name",
    "invalid_email": "email_address",
}
BANK_ACCOUNT_FIELDS: Final = {
    "bank_account_type": "account_type",
    "bank_account_code_missing": "nominal_code",
    "duplicate_bank_account": "name",
    "duplicate_account_code": "nominal_code",
}

# Codat's general texts name their field in backticks ("`Reference Length` must be ..."): the
# form field each concerns, by a fragment of the lower-cased text, first match wins.
BILL_HINTS: Final = (
    ("`reference", "reference"),
    ("`supplier", "supplier"),
    ("supplierref", "supplier"),
    ("`issue date", "issue_date"),
    ("`due date", "due_date"),
    ("`account ref", LINES),
    ("`tax rate ref", LINES),
    ("`tax amount", LINES),
    ("`line items", LINES),
    ("`unit amount", LINES),
    ("`quantity", LINES),
    ("`total amount", LINES),
    ("currency", "currency"),
)
SUPPLIER_HINTS: Final = (
    ("`supplier name", "name"),
    ("`contact name", "contact_name"),
    ("`email", "email_address"),
    ("`phone", "phone"),
    ("`default currency", "default_currency"),
    ("currency", "default_currency"),
)
BANK_ACCOUNT_HINTS: Final = (
    ("`name", "name"),
    ("`account type", "account_type"),
    ("`account number", "account_number"),
    ("`sort code", "sort_code"),
    ("`nominal code", "nominal_code"),
    ("currency", "currency"),
)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """A platform text with its `{…}` fields as wildcards."""
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(template)), re.IGNORECASE)


def _literal(template: str) -> int:
    return len(re.sub(r"\{\w+\}", "", template))


def _message_field(messages: Messages, by_kind: Mapping[str, str], message: str) -> str | None:
    """The field of the platform text `message` is, trying the most specific texts first (Xero's
    "`SupplierRef Id` was not found in Xero." also fits its "`{label}` was not found in Xero.")."""
    templates = [
        (getattr(messages, kind.name), by_kind[kind.name])
        for kind in fields(messages)
        if kind.name in by_kind and getattr(messages, kind.name)
    ]
    for template, field in sorted(templates, key=lambda pair: -_literal(pair[0])):
        if _pattern(template).fullmatch(message.strip()):
            return field
    return None


def refusal_fields(
    rules: PlatformRules,
    messages: Iterable[str],
    *,
    by_kind: Mapping[str, str],
    hints: Iterable[tuple[str, str]],
) -> tuple[dict[str, list[str]], list[str]]:
    """The ledger's refusal messages by the form field each concerns, and those of no field.

    The platform's own texts are recognised first (so Zoho Books' "Reference has already been
    used for this supplier" lands on the reference), then Codat's general ones by the field they
    name."""
    hints = tuple(hints)
    by_field: dict[str, list[str]] = {}
    top: list[str] = []
    for message in messages:
        field = _message_field(rules.messages, by_kind, message)
        if field is None:
            lowered = message.lower()
            field = next((f for hint, f in hints if hint in lowered), None)
        if field is None:
            top.append(message)
        else:
            by_field.setdefault(field, []).append(message)
    return by_field, top
