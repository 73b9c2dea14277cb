"""Write paths for suppliers: create and edit them in the ledger, and read one back from it.

The ledger is the source of truth: each write goes to the ledger first (outside any
transaction), then the ledger's answer is stored locally with an audit entry in one transaction.
"""

from __future__ import annotations

import uuid

from django.db import transaction

import codat.types as codat
from accounts.audit import current_actor
from accounts.models import Company, User
from accounts.permissions import can_edit_suppliers
from accounts.services import audit_log_record, member_permission_check
from billpay.ledger import codat_client
from codat.errors import CodatError, CodatRejected
from codat.platforms import PlatformRules, rules_for
from payables import platform_checks
from payables.errors import SupplierError
from payables.models import Supplier
from payables.services import mirror
from payables.services.connection import require_linked_connection


def _ledger_error(exc: CodatError, rules: PlatformRules) -> SupplierError:
    if isinstance(exc, CodatRejected):
        messages = exc.form_messages()
        by_field, _top = platform_checks.refusal_fields(
            rules,
            messages,
            by_kind=platform_checks.SUPPLIER_FIELDS,
            hints=platform_checks.SUPPLIER_HINTS,
        )
        return SupplierError(messages, field_errors=by_field)
    return SupplierError([f"The ledger could not be reached: {exc.message} Try again shortly."])


def _check_supplier_input(
    rules: PlatformRules,
    *,
    company: Company,
    name: str,
    default_currency: str,
    contact_name: str = "",
    current: Supplier | None = None,
) -> None:
    """Refuse what the platform would (codat.platforms), before anything is sent: billpay always
    sends a name, and a currency the platform takes for the supplier."""
    problems: dict[str, list[str]] = {}
    archived = platform_checks.archived_supplier_refusal(rules, current)
    if archived:
        problems["__all__"] = [archived]
    if not name.strip():
        problems["name"] = [platform_checks.supplier_name_missing(rules)]
    contact = (
        platform_checks.contact_name_problem(rules, contact_name.strip(), current)
        if current is not None
        else None
    )
    if contact:
        problems["contact_name"] = [contact]
    currency = platform_checks.supplier_currency_problem(
        rules,
        currency=default_currency.strip().upper(),
        base_currency=company.base_currency,
        current=current,
    )
    if currency:
        problems["default_currency"] = [currency]
    if problems:
        raise SupplierError(
            [m for errors in problems.values() for m in errors], field_errors=problems
        )


def _text(value: str) -> str | None:
    value = value.strip()
    return value or None


def supplier_create(
    *,
    company: Company,
    name: str,
    email_address: str = "",
    contact_name: str = "",
    phone: str = "",
    default_currency: str = "",
    user: User | None = None,
) -> Supplier:
    """Create a supplier in the ledger, then keep it locally; the ledger's refusals (a duplicate
    name in Xero) raise SupplierError with its messages."""
    member_permission_check(can_edit_suppliers, company=company, user=user)
    connection = require_linked_connection(company)
    rules = rules_for(connection.platform_key)
    _check_supplier_input(rules, company=company, name=name, default_currency=default_currency)
    prototype = codat.SupplierPrototype(
        supplier_name=name.strip(),
        status=codat.SupplierStatus.ACTIVE,
        contact_name=_text(contact_name),
        email_address=_text(email_address),
        phone=_text(phone),
        default_currency=_text(default_currency.upper()),
    )
    try:
        with codat_client() as client:
            # One key per attempt: the client may replay this POST safely after a lost answer.
            remote = client.create_supplier(
                company.codat_company_id,
                connection.codat_connection_id,
                prototype,
                idempotency_key=str(uuid.uuid4()),
            )
    except CodatError as exc:
        raise _ledger_error(exc, rules) from exc
    with transaction.atomic():
        (supplier,) = mirror.store_suppliers(company, [remote])
        audit_log_record(
            company=company,
            action="supplier.created",
            object_type="supplier",
            object_id=str(supplier.pk),
            object_repr=supplier.name,
            after=mirror.supplier_snapshot(supplier),
        )
    return Supplier.objects.get(pk=supplier.pk)


def supplier_update(
    *,
    supplier: Supplier,
    name: str,
    email_address: str = "",
    contact_name: str = "",
    phone: str = "",
    default_currency: str = "",
    user: User | None = None,
) -> Supplier:
    """Replace a supplier's details in the ledger (update-supplier is a full replace, so the
    addresses and status billpay holds are sent back as they are), then store the ledger's answer.
    An archived supplier or a duplicate name in Xero raise SupplierError."""
    member_permission_check(can_edit_suppliers, company=supplier.company, user=user)
    company = supplier.company
    connection = require_linked_connection(company)
    rules = rules_for(connection.platform_key)
    _check_supplier_input(
        rules,
        company=company,
        name=name,
        default_currency=default_currency,
        contact_name=contact_name,
        current=supplier,
    )
    addresses = tuple(codat.Address.from_json(a) for a in supplier.addresses)
    status = (
        codat.SupplierStatus(supplier.status)
        if supplier.status in (Supplier.Status.ACTIVE, Supplier.Status.ARCHIVED)
        else codat.SupplierStatus.ACTIVE
    )
    prototype = codat.SupplierPrototype(
        supplier_name=name.strip(),
        status=status,
        contact_name=_text(contact_name),
        email_address=_text(email_address),
        phone=_text(phone),
        addresses=addresses,
        default_currency=_text(default_currency.upper()),
    )
    before = mirror.supplier_snapshot(supplier)
    try:
        with codat_client() as client:
            remote = client.update_supplier(
                company.codat_company_id,
                connection.codat_connection_id,
                supplier.codat_id,
                prototype,
            )
    except CodatError as exc:
        raise _ledger_error(exc, rules) from exc
    with transaction.atomic():
        (row,) = mirror.store_suppliers(company, [remote])
        after = mirror.supplier_snapshot(row)
        changed = {k for k in after if after[k] != before[k]}
        if changed:
            audit_log_record(
                company=company,
                action="supplier.updated",
                object_type="supplier",
                object_id=str(row.pk),
                object_repr=row.name,
                before={k: before[k] for k in sorted(changed)},
                after={k: after[k] for k in sorted(changed)},
            )
    return Supplier.objects.get(pk=supplier.pk)


def supplier_refresh(*, supplier: Supplier) -> Supplier:
    """Read the supplier's current details from the ledger and store them (audited if changed)."""
    company = supplier.company
    connection = require_linked_connection(company)
    rules = rules_for(connection.platform_key)
    try:
        with codat_client() as client:
            # The spec documents status and sourceModifiedDate as filters; Codat's query language
            # takes any property, and id is how one record is read back (there is no get-supplier).
            page = client.list_suppliers_page(
                company.codat_company_id,
                connection.codat_connection_id,
                query=f"id={supplier.codat_id}",
            )
    except CodatError as exc:
        raise _ledger_error(exc, rules) from exc
    found = [s for s in page.items if s.id == supplier.codat_id]
    if not found:
        raise SupplierError(["This supplier is no longer in the ledger."])
    with transaction.atomic():
        mirror.store_suppliers(company, found, audit=True, actor=current_actor())
    return Supplier.objects.get(pk=supplier.pk)
