from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Company
from payables.inbox import Due
from payables.models import Bill, Supplier

# The inbox's sortable columns: the `sort` value (prefixed with "-" for descending) -> Bill field.
SORTS = {
    "supplier": "supplier_name",
    "reference": "reference",
    "issue_date": "issue_date",
    "due_date": "due_date",
    "amount_due": "amount_due",
    "currency": "currency",
    "status": "status",
}
DEFAULT_SORT = "due_date"  # due date ascending puts overdue bills first: most urgent first


class LazySelect(forms.Widget):
    """A <select> whose options are read only when it is rendered, and rendered without a template
    per option: a company can have a thousand suppliers, and an htmx table swap never draws them."""

    def __init__(self, options: Callable[[], Iterable[tuple[Any, str]]], blank: str) -> None:
        super().__init__()
        self.options = options
        self.blank = blank

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        selected = "" if value is None else str(value)
        options = [("", self.blank), *((str(key), label) for key, label in self.options())]
        if selected and selected not in {key for key, _label in options}:
            options.append((selected, selected))
        attrs = self.build_attrs(self.attrs, attrs)
        # The standard library's escape, joined by hand: format_html per option costs ~15 ms
        # for a thousand suppliers.
        rendered = "".join(
            f'<option value="{escape(key)}"{" selected" if key == selected else ""}>'
            f"{escape(label)}</option>"
            for key, label in options
        )
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<select name="{escape(name)}" id="{escape(attrs.get("id", f"id_{name}"))}">'
            f"{rendered}</select>"
        )


class InboxFilterForm(forms.Form):
    """The inbox's GET filters. Every field is optional; a junk value fails only its own field, so
    the view ignores it and says so instead of refusing the whole request."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any unpaid status"), *((s.value, s.label) for s in Bill.UNPAID)],
    )
    supplier = forms.IntegerField(required=False, min_value=1)
    due = forms.ChoiceField(required=False, choices=[("", "Any due date"), *Due.CHOICES])
    currency = forms.CharField(required=False, max_length=3)
    sort = forms.ChoiceField(
        required=False,
        choices=[(f"{sign}{key}", f"{sign}{key}") for key in SORTS for sign in ("", "-")],
        widget=forms.HiddenInput,
    )

    def __init__(self, data: Mapping[str, Any], *, company: Company) -> None:
        super().__init__(data)
        self.company = company
        # The currencies with unpaid bills; the view sets them from its summary query.
        self.currencies: Sequence[str] = ()
        self.fields["supplier"].widget = LazySelect(self._supplier_options, "Any supplier")
        self.fields["currency"].widget = LazySelect(
            lambda: ((c, c) for c in self.currencies), "Any currency"
        )

    def _supplier_options(self) -> list[tuple[int, str]]:
        # Only suppliers with something to pay: the (company, supplier) index answers the EXISTS.
        unpaid = Bill.objects.unpaid().for_company(self.company).filter(supplier=OuterRef("pk"))
        return list(
            Supplier.objects.for_company(self.company)
            .filter(Exists(unpaid))
            .order_by("name", "id")
            .values_list("pk", "name")
        )

    def clean_q(self) -> str:
        return str(self.cleaned_data["q"]).strip().lower()

    def clean_currency(self) -> str:
        currency = str(self.cleaned_data["currency"]).strip().upper()
        if currency and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
            raise forms.ValidationError("Not a currency code.")
        return currency
