from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from accounts.models import Connection
from payables.models import (
    Account,
    Attachment,
    BankAccount,
    Bill,
    BillDocument,
    BillLineItem,
    BillSubmission,
    ImportRun,
    MappingStatus,
    Payment,
    PaymentEvent,
    Supplier,
    TaxRate,
)
from tests.accounts.factories import CompanyFactory, ConnectionFactory


class LedgerRecordFactory(DjangoModelFactory):
    """What every copied ledger record has: its company and its ledger id."""

    class Meta:
        abstract = True

    company = factory.SubFactory(CompanyFactory)
    codat_id = factory.LazyFunction(lambda: str(uuid.uuid4()))


class SupplierFactory(LedgerRecordFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    status = Supplier.Status.ACTIVE
    default_currency = "GBP"


class BillFactory(LedgerRecordFactory):
    class Meta:
        model = Bill

    supplier = factory.SubFactory(SupplierFactory, company=factory.SelfAttribute("..company"))
    supplier_codat_id = factory.LazyAttribute(lambda b: b.supplier.codat_id if b.supplier else "")
    supplier_name = factory.LazyAttribute(lambda b: b.supplier.name if b.supplier else "")
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


class AccountFactory(LedgerRecordFactory):
    class Meta:
        model = Account

    nominal_code = factory.Sequence(lambda n: str(400 + n))
    name = factory.Sequence(lambda n: f"Expenses {n}")
    type = "Expense"
    currency = "GBP"
    status = MappingStatus.ACTIVE


class TaxRateFactory(LedgerRecordFactory):
    class Meta:
        model = TaxRate

    name = "20% (VAT on Expenses)"
    code = factory.Sequence(lambda n: f"INPUT{n}")
    effective_tax_rate = Decimal("20.0000")
    total_tax_rate = Decimal("20.0000")
    status = MappingStatus.ACTIVE


class BankAccountFactory(LedgerRecordFactory):
    class Meta:
        model = BankAccount

    name = factory.Sequence(lambda n: f"Business Account {n}")
    account_number = factory.Sequence(lambda n: f"{10000000 + n}")
    sort_code = "40-11-62"
    nominal_code = factory.Sequence(lambda n: str(90 + n))
    currency = "GBP"
    account_type = BankAccount.Type.CREDIT
    status = MappingStatus.ACTIVE


class PaymentFactory(DjangoModelFactory):
    """A payment of the bill's amount due from a bank account in its currency, pending."""

    class Meta:
        model = Payment

    company = factory.SubFactory(CompanyFactory)
    bill = factory.SubFactory(BillFactory, company=factory.SelfAttribute("..company"))
    bank_account = factory.SubFactory(
        BankAccountFactory,
        company=factory.SelfAttribute("..company"),
        currency=factory.SelfAttribute("..bill.currency"),
    )
    amount = factory.LazyAttribute(lambda p: p.bill.amount_due)
    currency = factory.LazyAttribute(lambda p: p.bill.currency)
    paid_on = factory.LazyFunction(dt.date.today)
    amount_due_before = factory.LazyAttribute(lambda p: p.bill.amount_due)
    status = Payment.Status.PENDING


class PaymentEventFactory(DjangoModelFactory):
    class Meta:
        model = PaymentEvent

    payment = factory.SubFactory(PaymentFactory)
    kind = PaymentEvent.Kind.CREATED
    status = factory.LazyAttribute(lambda e: e.payment.status)
    amount = factory.LazyAttribute(lambda e: e.payment.amount)
    currency = factory.LazyAttribute(lambda e: e.payment.currency)


PDF = b"%PDF-1.4\n%%EOF\n\n"


def _stored(content: bytes | None, name: str) -> ContentFile[bytes] | str:
    return "" if content is None else ContentFile(content, name=name)


class AttachmentFactory(DjangoModelFactory):
    """A small PDF kept in billpay's storage, not yet sent to the ledger.

    `content=b"..."` stores other bytes; `content=None` makes a row without a local file.
    """

    class Meta:
        model = Attachment

    class Params:
        content = PDF

    company = factory.SubFactory(CompanyFactory)
    bill = factory.SubFactory(BillFactory, company=factory.SelfAttribute("..company"))
    name = factory.Sequence(lambda n: f"invoice-{n}.pdf")
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda a: None if a.content is None else len(a.content))
    file = factory.LazyAttribute(lambda a: _stored(a.content, a.name))
    sync_status = Attachment.SyncStatus.PENDING


class BillDocumentFactory(DjangoModelFactory):
    """A PDF dropped to start a bill, kept in billpay's storage."""

    class Meta:
        model = BillDocument

    class Params:
        content = PDF

    company = factory.SubFactory(CompanyFactory)
    name = "invoice.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda d: len(d.content))
    file = factory.LazyAttribute(lambda d: ContentFile(d.content, name=d.name))


class BillSubmissionFactory(DjangoModelFactory):
    """The create form's submit that made the bill."""

    class Meta:
        model = BillSubmission

    company = factory.SubFactory(CompanyFactory)
    bill = factory.SubFactory(BillFactory, company=factory.SelfAttribute("..company"))
    key = factory.LazyFunction(uuid.uuid4)
    kind = BillSubmission.Kind.CREATE


def _company_connection(run: ImportRun) -> Connection:
    # The company's own connection when it has one (the `company` fixture's does): a run is
    # always on the company's connection, and a second one would break `connections.get()`.
    company = run.company
    if company.pk is not None and (found := company.connections.first()) is not None:
        return found
    return ConnectionFactory(company=company)


class ImportRunFactory(DjangoModelFactory):
    """A first-link import waiting to start, on the company's connection."""

    class Meta:
        model = ImportRun

    company = factory.SubFactory(CompanyFactory)
    connection = factory.LazyAttribute(_company_connection)
    kind = ImportRun.Kind.FIRST_LINK
    status = ImportRun.Status.PENDING
