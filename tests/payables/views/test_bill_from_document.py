"""A bill from a dropped PDF or image: preview beside the form, suggestions from the text layer,
the document attached on save. The PDFs are written by the tests (tests/payables/pdfs.py)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payables.bill_forms import net_of_tax
from payables.documents import extract_text, propose
from payables.models import Attachment, Bill, BillDocument, BillLineItem, TaxRate
from payables.services.bills import line_tax
from tests.ledger_company import LedgerCompany
from tests.payables.factories import BillDocumentFactory
from tests.payables.pdfs import PNG_1PX, make_pdf
from tests.payables.views.test_bill_create import form_data

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("storage_backend"),
]

URL = reverse("payables:bill-from-document")
HTMX = {"HX-Request": "true"}


def invoice_pdf(supplier: str) -> bytes:
    return make_pdf(
        [
            supplier,
            "1 High Street, London",
            "Invoice No: INV-4471",
            "Invoice date: 2026-03-02",
            "Due date: 01/04/2026",
            "Subtotal: 100.00",
            "VAT 20%: 20.00",
            "Total due: £1,120.00",
        ]
    )


def drop(client, name: str, content: bytes, content_type: str = "application/pdf", **kw):
    return client.post(URL, {"document": SimpleUploadedFile(name, content, content_type)}, **kw)


def test_the_drop_page_renders(client_logged_in, linked) -> None:
    html = client_logged_in.get(URL).content.decode()
    assert 'name="document"' in html
    assert "data-dropzone" in html


def test_a_pdf_opens_the_form_beside_its_preview_with_suggestions(
    client_logged_in, linked: LedgerCompany
) -> None:
    supplier = linked.supplier()

    response = drop(client_logged_in, "bill.pdf", invoice_pdf(supplier.name))

    document = BillDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('payables:bill-create')}?document={document.token}"
    html = client_logged_in.get(response["Location"]).content.decode()
    preview = reverse("payables:document-preview", args=[document.token])
    assert f'<iframe src="{preview}"' in html
    assert "These are suggestions" in html
    assert f'value="{supplier.name}"'.replace("&", "&amp;") in html
    assert 'value="INV-4471"' in html
    assert 'value="2026-03-02"' in html
    assert 'value="2026-04-01"' in html
    assert 'value="1120.00"' in html
    assert 'data-suggest="total"' in html


def test_saving_creates_the_bill_and_attaches_the_document(
    client_logged_in, linked: LedgerCompany
) -> None:
    content = invoice_pdf(linked.supplier().name)
    drop(client_logged_in, "bill.pdf", content)
    document = BillDocument.objects.get()

    response = client_logged_in.post(
        reverse("payables:bill-create"), form_data(linked, document=str(document.token))
    )

    bill = Bill.objects.get(reference="INV-9001")
    assert response["Location"] == reverse("payables:bill-detail", args=[bill.pk])
    [attachment] = bill.attachments.all()
    assert (attachment.name, attachment.size) == ("bill.pdf", len(content))
    assert attachment.sync_status == Attachment.SyncStatus.SYNCED
    assert not BillDocument.objects.exists()
    with attachment.file.open("rb") as f:
        assert f.read() == content


def test_a_pdf_without_text_gives_no_proposal_and_no_error(client_logged_in, linked) -> None:
    response = drop(client_logged_in, "scan.pdf", make_pdf(drawing_only=True), follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "No text could be read from this document" in html
    assert "These are suggestions" not in html
    assert 'value="INV-' not in html


def test_an_image_opens_the_form_beside_it(client_logged_in, linked) -> None:
    response = drop(client_logged_in, "photo.png", PNG_1PX, "image/png", follow=True)

    document = BillDocument.objects.get()
    html = response.content.decode()
    assert f'<img src="{reverse("payables:document-preview", args=[document.token])}"' in html
    preview = client_logged_in.get(reverse("payables:document-preview", args=[document.token]))
    assert preview["Content-Type"] == "image/png"
    assert b"".join(preview.streaming_content) == PNG_1PX


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bill.pdf", b"MZ\x90\x00" + b"\x00" * 64, "not a real .pdf"),
        ("bill.docx", b"PK\x03\x04" + b"\x00" * 64, "does not take .docx files"),
        ("bill.pdf", b"", "is empty"),
    ],
)
def test_a_bad_document_is_refused_with_the_reason(
    client_logged_in, linked, name, content, message
) -> None:
    response = drop(client_logged_in, name, content, headers=HTMX)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<html" not in response.content.decode()
    assert not BillDocument.objects.exists()


def test_another_company_cannot_see_or_use_a_document(
    client_logged_in, linked, other_company
) -> None:
    document = BillDocumentFactory(company=other_company, name="x.pdf")

    preview = client_logged_in.get(reverse("payables:document-preview", args=[document.token]))
    form = client_logged_in.get(reverse("payables:bill-create"), {"document": str(document.token)})

    assert preview.status_code == 404
    assert "data-document" not in form.content.decode()


def test_anonymous_goes_to_login(client, linked) -> None:
    assert reverse("accounts:login") in client.get(URL)["Location"]


def test_wrong_method_is_refused(client_logged_in, linked) -> None:
    assert client_logged_in.put(URL).status_code == 405


class TestProposal:
    def test_it_reads_number_dates_total_and_matches_the_supplier(
        self, linked: LedgerCompany
    ) -> None:
        supplier = linked.supplier()
        text = extract_text(io.BytesIO(invoice_pdf(supplier.name)))

        proposal = propose(linked.company, text)

        assert proposal.supplier == supplier
        assert proposal.reference == "INV-4471"
        assert proposal.issue_date == dt.date(2026, 3, 2)
        assert proposal.due_date == dt.date(2026, 4, 1)
        assert proposal.total == Decimal("1120.00")
        assert proposal.currency == "GBP"

    def test_an_unknown_supplier_is_only_a_name(self, linked: LedgerCompany) -> None:
        text = "Brand New Plumbing Co\nInvoice #A-77\nDate: 5 March 2026\nPayment due: March 20, 2026\nTOTAL EUR 80.50"

        proposal = propose(linked.company, text)

        assert proposal.supplier is None
        assert proposal.supplier_name == "Brand New Plumbing Co"
        assert proposal.reference == "A-77"
        assert proposal.issue_date == dt.date(2026, 3, 5)
        assert proposal.due_date == dt.date(2026, 3, 20)
        assert (proposal.total, proposal.currency) == (Decimal("80.50"), "EUR")

    def test_no_text_no_proposal(self, linked: LedgerCompany) -> None:
        assert not propose(linked.company, "").found
        assert extract_text(io.BytesIO(b"%PDF-1.4 garbage")) == ""


def test_with_the_ledger_down_for_files_the_bill_is_saved_and_its_document_waits(
    client_logged_in, linked: LedgerCompany, enqueued_attachment
) -> None:
    from sandbox.models import Fault
    from sandbox.services import fault_inject

    drop(client_logged_in, "bill.pdf", invoice_pdf("Anyone"))
    document = BillDocument.objects.get()
    fault_inject(kind=Fault.Kind.UNAVAILABLE, path_contains="/attachments")

    response = client_logged_in.post(
        reverse("payables:bill-create"),
        form_data(linked, document=str(document.token)),
        follow=True,
    )

    bill = Bill.objects.get(reference="INV-9001")
    [attachment] = bill.attachments.all()
    assert attachment.sync_status == Attachment.SyncStatus.PENDING
    enqueued_attachment.assert_called_once_with(attachment.pk)
    assert "“bill.pdf” attached (pending)." in response.content.decode()


def test_documents_of_bills_never_saved_are_purged_with_their_files(
    client_logged_in, linked
) -> None:
    import datetime as dt_

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from payables.tasks import bill_documents_purge

    drop(client_logged_in, "old.pdf", invoice_pdf("x"))
    drop(client_logged_in, "new.pdf", invoice_pdf("y"))
    old = BillDocument.objects.get(name="old.pdf")
    BillDocument.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt_.timedelta(days=3))

    assert bill_documents_purge.apply().get() == 1

    assert list(BillDocument.objects.values_list("name", flat=True)) == ["new.pdf"]
    assert not default_storage.exists(old.file.name)


class TestDocumentTotal:
    """A document's total includes tax: the proposed line is the amount before tax, and the
    totals keep checking the lines against the document as the user edits them."""

    @pytest.fixture
    def coded_supplier(self, linked: LedgerCompany):
        # The supplier's last bill was coded to 461 at 20% VAT, so the form proposes both.
        supplier = linked.supplier()
        BillLineItem.objects.filter(bill__supplier=supplier).update(
            account_codat_id=linked.account("461").codat_id,
            tax_rate_codat_id=linked.tax_rate("INPUT2").codat_id,
        )
        return supplier

    def _form(self, client, supplier_name: str) -> tuple[BillDocument, str]:
        response = drop(client, "bill.pdf", invoice_pdf(supplier_name))
        document = BillDocument.objects.get()
        return document, client.get(response["Location"]).content.decode()

    def test_the_line_is_the_total_before_tax_and_adds_up_to_it(
        self, client_logged_in, linked: LedgerCompany, coded_supplier
    ) -> None:
        _, html = self._form(client_logged_in, coded_supplier.name)

        # 1,120.00 at 20%: 933.33 + 186.67 tax.
        assert 'name="lines-0-unit_amount" value="933.33"' in html
        assert re.search(r"data-total>1,120\.00 GBP<", html)
        assert 'name="document_total" value="1120.00"' in html
        assert "data-match" in html
        assert "data-mismatch" not in html

    def test_editing_the_lines_says_how_far_they_are_from_the_document(
        self, client_logged_in, linked: LedgerCompany, coded_supplier
    ) -> None:
        document, _ = self._form(client_logged_in, coded_supplier.name)
        data = form_data(
            linked,
            action="recalc",
            document=str(document.token),
            document_total="1120.00",
            **{"lines-0-quantity": "1", "lines-0-unit_amount": "1000.00"},
        )

        more = client_logged_in.post(
            reverse("payables:bill-create"), data, headers={**HTMX, "HX-Target": "bill-totals"}
        ).content.decode()
        data["lines-0-unit_amount"] = "900.00"
        less = client_logged_in.post(reverse("payables:bill-create"), data).content.decode()

        assert "The lines come to 80.00 more" in more  # 1,200.00 against 1,120.00
        assert "The lines come to 40.00 less" in less  # 1,080.00; the whole page keeps the total
        assert 'name="document_total" value="1120.00"' in less

    def test_a_bill_without_a_document_or_with_a_junk_total_shows_no_comparison(
        self, client_logged_in, linked: LedgerCompany
    ) -> None:
        for junk in ("", "abc", "NaN", "-5", "1e30"):
            html = client_logged_in.post(
                reverse("payables:bill-create"),
                form_data(linked, action="recalc", document_total=junk),
            ).content.decode()
            assert "data-document-total" not in html, junk


@pytest.mark.parametrize(
    ("total", "percent", "net"),
    [
        ("240.00", "20", "200.00"),
        ("1120.00", "20", "933.33"),
        ("100.01", "20", "83.34"),
        ("99.99", "5", "95.23"),
        ("80.50", "0", "80.50"),
        ("80.50", None, "80.50"),
        ("10000", "20", "8333"),  # JPY has no minor unit
    ],
)
def test_net_of_tax_adds_back_up_to_the_total(total: str, percent: str | None, net: str) -> None:
    currency = "JPY" if total == "10000" else "GBP"
    rate = None if percent is None else TaxRate(effective_tax_rate=Decimal(percent))

    result = net_of_tax(Decimal(total), rate, currency)

    assert result == Decimal(net)
    assert result + line_tax(Decimal(1), result, rate, currency) == Decimal(total)


def test_net_of_tax_when_no_net_amount_adds_up_exactly_gives_the_nearest() -> None:
    # At 20%, 0.02 -> 0.02 and 0.03 -> 0.04 (0.006 rounds up): nothing makes 0.03.
    rate = TaxRate(effective_tax_rate=Decimal("20"))
    assert net_of_tax(Decimal("0.03"), rate, "GBP") == Decimal("0.03")
