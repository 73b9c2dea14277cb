"""billpay's copy of the ledger: every record the ledger answers is stored here, and only here.

Whatever brought a record (the first-link import, a refresh, a bill created or edited in billpay,
a payment's follow-up read), it is written by `upsert` (keyed by company and ledger id, one bulk
insert and one bulk update) through the row builders below, and a bill always with its lines by
`store_bills`. The rows come from the client's strictly parsed types and are checked by the
database constraints, not row by row with full_clean (which would cost a query per row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

import codat.types as codat
from accounts.models import Company, User
from accounts.services import audit_log_record
from payables.models import (
    Account,
    BankAccount,
    Bill,
    BillLineItem,
    MappingStatus,
    Supplier,
    TaxRate,
)
from payables.services import approvals

LedgerModel = TypeVar("LedgerModel", Supplier, Bill, Account, TaxRate, BankAccount)

# The supplier fields the audit log follows (balance moves with every bill, so it is left out).
SUPPLIER_AUDITED = (
    "name",
    "contact_name",
    "email_address",
    "phone",
    "addresses",
    "status",
    "default_currency",
)


def upsert(
    model: type[LedgerModel], company: Company, rows: list[LedgerModel]
) -> list[LedgerModel]:
    """Insert the rows new to the company and update the others, keyed by ledger id; the rows
    come back with their primary keys.

    One query finds the existing ids, one bulk_create and one bulk_update write.
    """
    if not rows:
        return rows
    existing = dict(
        model.objects.filter(company=company, codat_id__in=[r.codat_id for r in rows]).values_list(
            "codat_id", "pk"
        )
    )
    new = [r for r in rows if r.codat_id not in existing]
    old = [r for r in rows if r.codat_id in existing]
    for row in old:
        row.pk = existing[row.codat_id]
    if new:
        model.objects.bulk_create(new)
    if old:
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in ("company", "codat_id")
        ]
        # Scoped to the company like the read above: each batch's UPDATE is pinned to it, and
        # the version bump needs no query to learn whose rows changed.
        model.objects.filter(company=company).bulk_update(old, fields)
    return rows


def store_bills(
    company: Company,
    items: Sequence[codat.Bill],
    *,
    new_only_if_unpaid: bool = False,
    validate: bool = False,
    now: dt.datetime | None = None,
    submitted: approvals.Submitted | None = None,
) -> list[Bill]:
    """Store the ledger's bills with their lines (replacing the lines billpay held), linked to
    the suppliers billpay knows. With `new_only_if_unpaid` (a refresh), a bill billpay does not
    hold yet is stored only while unpaid, as the first-link import takes only unpaid bills; one
    it holds is always updated (paid or voided in the ledger, it leaves the inbox). `validate`
    checks each row with full_clean first (one bill the ledger just created; pages of an import
    are left to the database's constraints). Every stored bill is then routed through the
    company's approval policy (payables.services.approvals.bills_route); `submitted` says who
    entered or edited it in billpay, when someone did."""
    if new_only_if_unpaid:
        known = set(
            Bill.objects.filter(company=company, codat_id__in=[b.id for b in items]).values_list(
                "codat_id", flat=True
            )
        )
        items = [b for b in items if b.id in known or str(b.status) in Bill.UNPAID]
    if not items:
        return []
    now = now or timezone.now()
    supplier_ids = dict(
        Supplier.objects.filter(
            company=company, codat_id__in={b.supplier_ref.id for b in items}
        ).values_list("codat_id", "pk")
    )
    bills = [bill_row(company, b, supplier_ids.get(b.supplier_ref.id), now) for b in items]
    for row in bills if validate else []:
        row.full_clean(validate_unique=False, validate_constraints=False)
    upsert(Bill, company, bills)
    BillLineItem.objects.filter(bill__in=[b.pk for b in bills]).delete()
    BillLineItem.objects.bulk_create(
        [
            line_row(bill, position, line)
            for bill, item in zip(bills, items, strict=True)
            for position, line in enumerate(item.line_items, start=1)
        ]
    )
    approvals.bills_route(
        company, bills, [approvals.item_accounts(i) for i in items], submitted=submitted
    )
    return bills


def store_bill(company: Company, item: codat.Bill) -> Bill:
    """Store one ledger bill with its lines, in its own transaction; the stored row, read back."""
    with transaction.atomic():
        store_bills(company, [item])
    return Bill.objects.get(company=company, codat_id=item.id)


def store_options(
    company: Company,
    *,
    accounts: Sequence[codat.Account] = (),
    tax_rates: Sequence[codat.TaxRate] = (),
    bank_accounts: Sequence[codat.BankAccount] = (),
) -> None:
    """Store the ledger's mapping options: accounts and tax rates (bills), bank accounts
    (payments)."""
    now = timezone.now()
    upsert(Account, company, [account_row(company, a, now) for a in accounts])
    upsert(TaxRate, company, [tax_rate_row(company, t, now) for t in tax_rates])
    upsert(BankAccount, company, [bank_account_row(company, b, now) for b in bank_accounts])


def store_suppliers(
    company: Company,
    items: Sequence[codat.Supplier],
    *,
    audit: bool = False,
    actor: User | None = None,
) -> list[Supplier]:
    """Store suppliers as the ledger has them. With `audit`, write an audit entry for each new
    one and each whose details changed (the first-link import does not: it brings them all at
    once; a write the caller audits itself does not either). Call inside a transaction."""
    now = timezone.now()
    rows = [supplier_row(company, s, now) for s in items]
    if not audit:
        return upsert(Supplier, company, rows)
    before = {
        s.codat_id: supplier_snapshot(s)
        for s in Supplier.objects.filter(company=company, codat_id__in=[r.codat_id for r in rows])
    }
    upsert(Supplier, company, rows)
    for row in rows:
        after = supplier_snapshot(row)
        old = before.get(row.codat_id)
        if old == after:
            continue
        changed = None if old is None else {k: v for k, v in old.items() if after[k] != v}
        audit_log_record(
            company=company,
            actor=actor,
            action="supplier.seen_new" if old is None else "supplier.seen_changed",
            object_type="supplier",
            object_id=str(row.pk),
            object_repr=row.name,
            before=changed,
            after=after if old is None else {k: after[k] for k in (changed or {})},
        )
    return rows


def supplier_snapshot(supplier: Supplier) -> dict[str, Any]:
    """The audited fields of a supplier, as JSON."""
    return {name: getattr(supplier, name) for name in SUPPLIER_AUDITED}


# --- Row builders: one ledger record, as billpay's row -------------------------------------


def clipped(value: str | None, limit: int = 255) -> str:
    """The text as the column holds it: None as empty, cut to the column's length."""
    return (value or "")[:limit]


def choice(value: object, choices: type[models.TextChoices], default: str) -> str:
    """The ledger's value when it is one of the choices, else `default` (a value a newer API
    version added is kept as unknown, never refused)."""
    text = str(value) if value is not None else ""
    return text if text in choices.values else default


def supplier_row(company: Company, s: codat.Supplier, now: dt.datetime) -> Supplier:
    return Supplier(
        company=company,
        codat_id=s.id,
        source_modified_at=s.source_modified_date,
        last_read_at=now,
        name=clipped(s.supplier_name),
        contact_name=clipped(s.contact_name),
        email_address=clipped(s.email_address),
        phone=clipped(s.phone, 100),
        addresses=[a.to_json() for a in s.addresses],
        status=choice(s.status, Supplier.Status, Supplier.Status.UNKNOWN),
        default_currency=clipped(s.default_currency, 3).upper(),
        balance=s.balance,
    )


def bill_row(company: Company, b: codat.Bill, supplier_id: int | None, now: dt.datetime) -> Bill:
    supplier_name = b.supplier_ref.supplier_name or ""
    search = [supplier_name, b.reference or ""] + [line.description or "" for line in b.line_items]
    return Bill(
        company=company,
        codat_id=b.id,
        source_modified_at=b.source_modified_date,
        last_read_at=now,
        supplier_id=supplier_id,
        supplier_codat_id=b.supplier_ref.id,
        supplier_name=clipped(supplier_name),
        reference=clipped(b.reference),
        issue_date=b.issue_date.date(),
        due_date=b.due_date.date(),
        currency=b.currency.upper()[:3],
        currency_rate=b.currency_rate,
        status=choice(b.status, Bill.Status, Bill.Status.UNKNOWN),
        total_amount=b.total_amount,
        amount_due=b.amount_due if b.amount_due is not None else b.total_amount,
        search_text=" ".join(part for part in search if part).lower(),
    )


def line_row(bill: Bill, position: int, line: codat.BillLineItem) -> BillLineItem:
    quantity = line.quantity if line.quantity is not None else Decimal(1)
    unit = line.unit_amount if line.unit_amount is not None else Decimal(0)
    tax = line.tax_amount if line.tax_amount is not None else Decimal(0)
    total = line.total_amount if line.total_amount is not None else quantity * unit + tax
    return BillLineItem(
        bill=bill,
        position=position,
        description=line.description or "",
        quantity=quantity,
        unit_amount=unit,
        tax_amount=tax,
        total_amount=total,
        account_codat_id=line.account_ref.id if line.account_ref else "",
        tax_rate_codat_id=line.tax_rate_ref.id if line.tax_rate_ref else "",
    )


def account_row(company: Company, a: codat.Account, now: dt.datetime) -> Account:
    return Account(
        company=company,
        codat_id=a.id,
        source_modified_at=a.source_modified_date,
        last_read_at=now,
        nominal_code=clipped(a.nominal_code, 64),
        name=clipped(a.name),
        type=clipped(a.type, 64),
        currency=clipped(a.currency, 3).upper(),
        status=choice(a.status, MappingStatus, MappingStatus.ACTIVE),
    )


def tax_rate_row(company: Company, t: codat.TaxRate, now: dt.datetime) -> TaxRate:
    return TaxRate(
        company=company,
        codat_id=t.id,
        source_modified_at=t.source_modified_date,
        last_read_at=now,
        name=clipped(t.name),
        code=clipped(t.code, 64),
        effective_tax_rate=t.effective_tax_rate,
        total_tax_rate=t.total_tax_rate,
        status=choice(t.status, MappingStatus, MappingStatus.ACTIVE),
    )


def bank_account_row(company: Company, b: codat.BankAccount, now: dt.datetime) -> BankAccount:
    return BankAccount(
        company=company,
        codat_id=b.id,
        source_modified_at=b.source_modified_date,
        last_read_at=now,
        name=clipped(b.name),
        account_number=clipped(b.account_number, 64),
        sort_code=clipped(b.sort_code, 32),
        nominal_code=clipped(b.nominal_code, 64),
        currency=clipped(b.currency, 3).upper(),
        account_type=choice(b.account_type, BankAccount.Type, BankAccount.Type.UNKNOWN),
        status=choice(b.status, MappingStatus, MappingStatus.ACTIVE),
    )
