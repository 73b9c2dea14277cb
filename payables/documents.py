"""Suggestions for a bill read from a dropped PDF's text layer (pypdf).

Each value found is only a proposal, shown as such next to its field. A scan without a text layer,
an image or an unreadable PDF yields no proposal and no error.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, cast

from accounts.models import Company
from payables.models import BillDocument, Supplier

logger = logging.getLogger(__name__)

MAX_PAGES = 5
_FLAGS = re.IGNORECASE | re.MULTILINE
_NUMBER = re.compile(
    r"\b(?:invoice|inv|bill)\s*(?:no\.?|number|num|#|ref(?:erence)?)\s*[:#.]?\s*"
    r"([A-Z0-9][A-Z0-9\-/._]{0,40})",
    _FLAGS,
)
_DATE = (
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4}"
    r"|\d{1,2}\s+[A-Za-z]{3,9},?\s+\d{4}|[A-Za-z]{3,9}\s+\d{1,2},?\s+\d{4})"
)
_ISSUE = re.compile(
    rf"\b(?:invoice\s+date|issue\s+date|date\s+of\s+issue|tax\s+point|date)\s*[:.]?\s*{_DATE}",
    _FLAGS,
)
_DUE = re.compile(rf"\b(?:due\s+date|payment\s+due|due\s+by|due)\s*[:.]?\s*{_DATE}", _FLAGS)
_AMOUNT = r"([£$€]|[A-Z]{3})?\s*(-?\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|-?\d+(?:\.\d{1,2})?)"
_TOTAL = re.compile(
    rf"(?<!sub)(?<!sub\s)\b(?:total\s+due|total\s+amount|total\s+payable|amount\s+due|balance\s+due"
    rf"|invoice\s+total|total)\s*(?:\([^)]*\))?\s*[:]?\s*{_AMOUNT}",
    _FLAGS,
)
_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


@dataclass(frozen=True, slots=True)
class DocumentProposal:
    """What the document seems to say; every field may be missing."""

    supplier: Supplier | None = None
    supplier_name: str = ""
    reference: str = ""
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    total: Decimal | None = None
    currency: str = ""

    @property
    def found(self) -> bool:
        return any((self.supplier_name, self.reference, self.issue_date, self.due_date, self.total))

    def initial(self) -> dict[str, Any]:
        """Form initial values: only what was found replaces the defaults."""
        values: dict[str, Any] = {
            "supplier": self.supplier.name if self.supplier else "",
            "reference": self.reference,
            "issue_date": self.issue_date,
            "due_date": self.due_date,
            "currency": self.currency,
        }
        return {key: value for key, value in values.items() if value}


def extract_text(fileobj: BinaryIO) -> str:
    """The text layer of the first pages of a PDF; "" when there is none or it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(fileobj)
        pages = reader.pages[:MAX_PAGES]
        return "\n".join(page.extract_text() or "" for page in pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.info("No text read from a PDF: %s", exc)
        return ""


def _date(raw: str) -> dt.date | None:
    text = re.sub(r"\s+", " ", raw.replace(",", "")).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


def propose(company: Company, text: str) -> DocumentProposal:
    """Read supplier, invoice number, dates, total and currency from a document's text."""
    if not text.strip():
        return DocumentProposal()
    lowered = text.lower()
    suppliers = Supplier.objects.for_company(company).exclude(status=Supplier.Status.ARCHIVED)
    known = sorted(
        (s for s in suppliers.only("id", "name", "status") if s.name and s.name.lower() in lowered),
        key=lambda s: -len(s.name),
    )
    supplier = known[0] if known else None
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    number = _NUMBER.search(text)
    issue = _ISSUE.search(text)
    due = _DUE.search(text)
    totals = list(_TOTAL.finditer(text))
    total = _amount(totals[-1].group(2)) if totals else None
    symbol = (totals[-1].group(1) or "") if totals else ""
    return DocumentProposal(
        supplier=supplier,
        supplier_name=supplier.name if supplier else first_line[:255],
        reference=number.group(1) if number else "",
        issue_date=_date(issue.group(1)) if issue else None,
        due_date=_date(due.group(1)) if due else None,
        total=total,
        currency=_SYMBOLS.get(symbol, symbol.upper() if len(symbol) == 3 else ""),
    )


def propose_from_document(company: Company, document: BillDocument) -> DocumentProposal:
    """A proposal from a stored document: PDFs only; images have no text layer to read."""
    if document.content_type != "application/pdf":
        return DocumentProposal()
    with document.file.open("rb") as fileobj:
        text = extract_text(cast(BinaryIO, fileobj))
    return propose(company, text)
