from __future__ import annotations

import pytest

from accounts.models import AuditLogEntry, WebhookEvent
from payables.models import Attachment, Bill, BillSubmission, ImportRun, Payment
from tests.accounts.factories import AuditLogEntryFactory, CompanyFactory, WebhookEventFactory
from tests.payables.factories import (
    AccountFactory,
    AttachmentFactory,
    BankAccountFactory,
    BillDocumentFactory,
    BillFactory,
    BillLineItemFactory,
    BillSubmissionFactory,
    ImportRunFactory,
    PaymentEventFactory,
    PaymentFactory,
    TaxRateFactory,
)

pytestmark = pytest.mark.django_db


def test_bill_factory_keeps_supplier_in_the_bills_company(company) -> None:
    bill = BillFactory(company=company)
    BillLineItemFactory(bill=bill)

    assert bill.supplier.company == company
    assert Bill.objects.for_company(company).unpaid().get() == bill
    assert bill.line_items.count() == 1


def test_payment_factory_pays_the_bill_from_a_bank_in_its_currency(company) -> None:
    payment = PaymentFactory(company=company, bill__currency="EUR")
    PaymentEventFactory(payment=payment)

    assert payment.bill.company == company
    assert payment.bank_account.company == company
    assert (payment.currency, payment.bank_account.currency) == ("EUR", "EUR")
    assert payment.amount == payment.amount_due_before == payment.bill.amount_due
    assert Payment.objects.for_company(company).pending().get() == payment
    assert payment.events.get().amount == payment.amount


def test_attachment_and_document_factories_keep_a_file(company, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path
    attachment = AttachmentFactory(company=company)
    document = BillDocumentFactory(company=company)

    assert attachment.bill.company == company
    assert attachment.sync_status == Attachment.SyncStatus.PENDING
    assert attachment.file.read().startswith(b"%PDF")
    assert attachment.file.size == attachment.size
    assert document.file.size == document.size
    listed_only = AttachmentFactory(company=company, content=None)
    assert (listed_only.file.name, listed_only.size) == ("", None)
    assert AttachmentFactory(company=company, content=b"%PDF-1.4 test").size == 13


def test_import_run_factory_uses_the_companys_connection(company) -> None:
    run = ImportRunFactory(company=company)

    assert run.connection == company.connections.get()
    assert ImportRun.objects.filter(company=company, status=ImportRun.Status.PENDING).get() == run


def test_import_run_factory_links_a_company_without_a_connection() -> None:
    company = CompanyFactory()
    run = ImportRunFactory(company=company, kind=ImportRun.Kind.REFRESH)

    assert run.connection == company.connections.get()
    assert ImportRun.objects.for_company(company).get().kind == ImportRun.Kind.REFRESH


def test_bill_submission_factory_keys_the_bill_it_made(company) -> None:
    submission = BillSubmissionFactory(company=company)

    assert submission.bill.company == company
    assert BillSubmission.objects.get(company=company, key=submission.key) == submission


def test_mapping_option_factories_belong_to_the_company(company) -> None:
    for made in (AccountFactory(company=company), TaxRateFactory(company=company)):
        assert made.company == company
    assert BankAccountFactory(company=company).currency == "GBP"


def test_audit_and_webhook_factories_belong_to_the_company(company) -> None:
    entry = AuditLogEntryFactory(company=company)
    event = WebhookEventFactory(company=company)

    assert AuditLogEntry.objects.filter(company=company).get() == entry
    assert WebhookEvent.objects.filter(company=company).get() == event
