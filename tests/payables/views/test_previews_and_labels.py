"""What the browser journey found: the previews billpay frames in its own pages must be framable
by billpay (and only by it); the line items' inputs need accessible names; the sync runs' trigger
filter names the empty trigger."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from payables.models import Bill, BillDocument, ImportRun
from payables.services.attachments import attachment_upload
from tests.accounts.factories import UserFactory
from tests.ledger_company import LedgerCompany
from tests.payables.factories import ImportRunFactory
from tests.payables.pdfs import make_pdf

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

PDF = make_pdf(["Invoice No: INV-9", "Total due: 12.00"])


def _frame_ancestors(response) -> str:
    found = re.search(r"frame-ancestors ([^;]+)", response["Content-Security-Policy"])
    assert found is not None
    return found.group(1).strip()


def test_a_dropped_documents_preview_may_be_framed_by_billpay_only(
    client_logged_in: Client, linked: LedgerCompany
) -> None:
    client_logged_in.post(
        reverse("payables:bill-from-document"),
        {"document": SimpleUploadedFile("bill.pdf", PDF, "application/pdf")},
    )
    document = BillDocument.objects.get()

    response = client_logged_in.get(reverse("payables:document-preview", args=[document.token]))

    assert response.status_code == 200
    assert _frame_ancestors(response) == "'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # The form page that frames it still may not be framed itself.
    page = client_logged_in.get(f"{reverse('payables:bill-create')}?document={document.token}")
    assert _frame_ancestors(page) == "'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_an_attachments_inline_preview_may_be_framed_by_billpay_only(
    client_logged_in: Client, linked: LedgerCompany
) -> None:
    bill = Bill.objects.for_company(linked.company).first()
    assert bill is not None
    attachment = attachment_upload(
        bill=bill, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf")
    )
    url = reverse("payables:attachment-download", args=[attachment.pk])

    inline = client_logged_in.get(url, {"inline": "1"})
    assert _frame_ancestors(inline) == "'self'"
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    # A download keeps its own sandboxing policy.
    assert client_logged_in.get(url)["Content-Security-Policy"] == "sandbox"


def test_every_line_item_control_has_an_accessible_name(
    client_logged_in: Client, linked: LedgerCompany
) -> None:
    response = client_logged_in.post(
        reverse("payables:bill-create"),
        {
            "supplier": "",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "action": "add_line",
        },
    )
    html = response.content.decode()
    for number, index in ((1, 0), (2, 1)):
        for name, label in (
            ("description", "Description"),
            ("quantity", "Quantity"),
            ("unit_amount", "Unit amount"),
            ("account", "Account"),
            ("tax_rate", "Tax rate"),
        ):
            control = re.search(rf'<[^>]+id="id_lines-{index}-{name}"[^>]*>', html)
            assert control is not None, (name, index)
            assert f'aria-label="{label}, line {number}"' in control.group(0)


def test_the_sync_runs_trigger_filter_names_a_first_link_import(
    client: Client, linked: LedgerCompany
) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    connection = linked.company.connections.get()
    first, _ = ImportRun.objects.get_or_create(
        company=linked.company, kind=ImportRun.Kind.FIRST_LINK, defaults={"connection": connection}
    )
    ImportRunFactory(company=linked.company, kind=ImportRun.Kind.REFRESH, trigger="user")
    url = reverse("admin:payables_importrun_changelist")

    html = client.get(url).content.decode()
    assert 'href="?trigger="' not in html
    assert "None (first-link import)" in html
    listed = client.get(url, {"trigger": "none"}).context["cl"].result_list
    assert list(listed) == [first]
    assert client.get(url, {"trigger": "user"}).context["cl"].result_count == 1
