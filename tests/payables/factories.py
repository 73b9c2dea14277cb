from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from payables.models import Bill, BillLineItem, Supplier
from tests.accounts.factories import CompanyFactory


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    company = factory.SubFactory(CompanyFactory)
    codat_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    status = Supplier.Status.ACTIVE
    default_currency = "GBP"


class BillFactory(DjangoModelFactory):
    class Meta:
        model = Bill

    company = factory.SubFactory(CompanyFactory)
    supplier = factory.SubFactory(SupplierFactory, company=factory.SelfAttribute("..company"))
    supplier_codat_id = factory.LazyAttribute(lambda b: b.supplier.codat_id if b.supplier else "")
    supplier_name = factory.LazyAttribute(lambda b: b.supplier.name if b.supplier else "")
    codat_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    reference = factory.Sequence(lambda n: f"INV-{n:05d}")
    issue_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=10))
    due_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=20))
    currency = "GBP"
    status = Bill.Status.OPEN
    total_amount = Decimal("120.00")
    amount_due = factory.LazyAttribute(lambda b: b.total_amount)
    search_text = factory.LazyAttribute(lambda b: f"{b.supplier_name} {b.reference}".lower())


class BillLineItemFactory(DjangoModelFactory):
    class Meta:
        model = BillLineItem

    bill = factory.SubFactory(BillFactory)
    position = factory.Sequence(lambda n: n + 1)
    description = "Widgets"
    quantity = Decimal(1)
    unit_amount = Decimal("100.00")
    tax_amount = Decimal("20.00")
    total_amount = Decimal("120.00")
