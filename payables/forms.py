from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from html import escape
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Exists, OuterRef
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Company
from codat.money import rate_label
from codat.platforms import PlatformRules, SupplierCurrency, rules_for
from payables import platform_checks
from payables.errors import PayablesError, UnableToPay
from payables.inbox import Due
from payables.models import (
    MONEY_DECIMAL_PLACES,
    MONEY_MAX_DIGITS,
    BankAccount,
    Bill,
    MappingStatus,
    Payment,
    Supplier,
)
from payables.services.payments import payment_check


def add_errors(form: forms.BaseForm, exc: PayablesError) -> None:
    """Show a service's refusal on the form: each field error on its field (a field the form
    lacks on the whole form), then the message itself on the whole form unless it is already
    shown as one of those errors or the errors are the whole form's own."""
    shown: list[str] = []
    for field, errors in exc.field_errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
            shown.append(error)
    if exc.message not in shown and NON_FIELD_ERRORS not in exc.field_errors:
        form.add_error(None, exc.message)


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
    per option: a company can have a thousand suppliers, and an htmx table swap never draws them.

    With `cache_key`, the escaped options are cached under it (the caller puts whatever the
    options depend on into the key). A value that is not among the options is kept as an option
    of its own (a supplier whose last bill was just paid), unless `keep_unknown` is off."""

    def __init__(
        self,
        options: Callable[[], Iterable[tuple[Any, str]]],
        blank: str,
        cache_key: Callable[[], str] | None = None,
        *,
        keep_unknown: bool = True,
    ) -> None:
        super().__init__()
        self.options = options
        self.blank = blank
        self.cache_key = cache_key
        self.keep_unknown = keep_unknown

    def _rendered_options(self) -> list[tuple[str, str, str]]:
        """(value, escaped value attribute, escaped text) per option, blank first."""
        key = self.cache_key() if self.cache_key else None
        rendered: list[tuple[str, str, str]] | None = cache.get(key) if key else None
        if rendered is None:
            # The standard library's escape, joined by hand: format_html per option costs
            # ~15 ms for a thousand suppliers.
            rendered = [
                (str(value), f'value="{escape(str(value))}"', escape(label))
                for value, label in [("", self.blank), *self.options()]
            ]
            if key:
                cache.set(key, rendered, 60 * 60)
        return rendered

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        selected = "" if value is None else str(value)
        options = self._rendered_options()
        known = {key for key, _attr, _label in options}
        if selected and selected not in known and self.keep_unknown:
            options = [*options, (selected, f'value="{escape(selected)}"', escape(selected))]
        attrs = self.build_attrs(self.attrs, attrs)
        rendered = "".join(
            f"<option {attr}{' selected' if key == selected else ''}>{label}</option>"
            for key, attr, label in options
        )
        return mark_safe(  # noqa: S308 - every value above is escaped  # nosec B308 B703
            f'<select name="{escape(name)}" id="{escape(attrs.get("id", f"id_{name}"))}">'
            f"{rendered}</select>"
        )


STATUS_CHOICES = [(s.value, s.label) for s in (*Bill.UNPAID, Bill.Status.PAID)]


class InboxFilterForm(forms.Form):
    """The inbox's GET filters. Every field is optional; a junk value fails only its own field, so
    the view ignores it and says so instead of refusing the whole request."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    # The fixed choices render through LazySelect too: Django's Select renders a template per
    # option, which cost the inbox more than the rest of its filters together.
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any unpaid status"), *STATUS_CHOICES],
        widget=LazySelect(partial(list, STATUS_CHOICES), "Any unpaid status", keep_unknown=False),
    )
    # Bounded by the largest id a database stores: a bigger number is junk, not a lookup error.
    supplier = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    due = forms.ChoiceField(
        required=False,
        choices=[("", "Any due date"), *Due.CHOICES],
        widget=LazySelect(partial(list, Due.CHOICES), "Any due date", keep_unknown=False),
    )
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
        self.fields["supplier"].widget = LazySelect(
            self._supplier_options,
            "Any supplier",
            # The options change with the company's bills and suppliers, which move its
            # payables version (see payables.models.payables_changed).
            cache_key=lambda: f"inbox:{company.pk}:{company.payables_version}:suppliers",
        )
        self.fields["currency"].widget = LazySelect(
            lambda: ((c, c) for c in self.currencies), "Any currency"
        )

    def cache_key(self) -> str:
        """The valid filters that narrow the bills, as a key part for cached figures."""
        data = getattr(self, "cleaned_data", {})
        values = repr([data.get(f) or "" for f in ("q", "status", "supplier", "due", "currency")])
        # Hashed: a search can hold any character, and cache keys must stay plain.
        return hashlib.blake2b(values.encode(), digest_size=12).hexdigest()

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


# --- Suppliers ------------------------------------------------------------------------------------


class SupplierFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)
    unpaid = forms.BooleanField(required=False, label="With unpaid bills")
    recent = forms.BooleanField(required=False, label="Created or changed in the last 30 days")


class SupplierForm(forms.Form):
    """The supplier details billpay edits, shaped by the platform's rule for a supplier's
    currency (codat.platforms.SupplierCurrency): chosen freely, fixed once the supplier is
    created (QuickBooks Online: shown, not editable), or none at all (FreeAgent: always the base
    currency, so no field). The ledger has the last word (see SupplierError)."""

    name = forms.CharField(max_length=255, strip=True)
    contact_name = forms.CharField(max_length=255, required=False, strip=True)
    email_address = forms.EmailField(max_length=255, required=False)
    phone = forms.CharField(max_length=100, required=False, strip=True)
    default_currency = forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        required=False,
        max_length=3,
        help_text="Three letters, e.g. GBP. Empty for the company's base currency.",
        error_messages={"invalid": "Enter a three-letter currency code, e.g. GBP."},
    )

    def __init__(
        self,
        *args: Any,
        rules: PlatformRules | None = None,
        supplier: Supplier | None = None,
        base_currency: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules or rules_for("")
        self.supplier = supplier  # the supplier being edited, None for a new one
        self.base_currency = base_currency
        self.fields["name"].error_messages["required"] = platform_checks.supplier_name_missing(
            self.rules
        )
        # Why there is no currency field (FreeAgent), shown in its place.
        self.currency_note = platform_checks.supplier_currency_note(self.rules, base_currency)
        # Why an archived supplier cannot be changed here (Xero, QuickBooks Online), else "".
        self.archived_note = platform_checks.archived_supplier_refusal(self.rules, supplier) or ""
        if supplier is not None and not self.rules.contact_name_on_update:
            # Shown, not sent (NetSuite ignores it on a change).
            contact = self.fields["contact_name"]
            contact.widget.attrs["disabled"] = True
            contact.help_text = platform_checks.contact_name_fixed_hint(self.rules)
        currency = self.fields["default_currency"]
        if self.rules.supplier_currency is SupplierCurrency.BASE_ONLY:
            del self.fields["default_currency"]
        elif self.rules.supplier_currency is SupplierCurrency.FIXED:
            currency.help_text = platform_checks.supplier_currency_fixed_hint(self.rules)
            if supplier is not None:
                # Shown, not sent: the browser leaves a disabled input out of the form.
                currency.widget.attrs["disabled"] = True
            else:
                currency.help_text += " Choose it now; empty is the company's base currency."

    def clean_contact_name(self) -> str:
        contact_name = str(self.cleaned_data.get("contact_name") or "")
        if self.supplier is None or self.rules.contact_name_on_update:
            return contact_name
        problem = platform_checks.contact_name_problem(self.rules, contact_name, self.supplier)
        if problem:
            raise forms.ValidationError(problem)
        return self.supplier.contact_name  # the disabled field, not sent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.archived_note:
            raise forms.ValidationError(self.archived_note)
        return data

    def clean_default_currency(self) -> str:
        currency = str(self.cleaned_data.get("default_currency") or "").upper()
        if (
            self.rules.supplier_currency is SupplierCurrency.FIXED
            and self.supplier is not None
            and not currency
        ):
            return self.supplier.default_currency  # the disabled field, not sent
        problem = platform_checks.supplier_currency_problem(
            self.rules,
            currency=currency,
            base_currency=self.base_currency,
            current=self.supplier,
        )
        if problem:
            raise forms.ValidationError(problem)
        return currency

    @classmethod
    def initial_for(cls, supplier: Supplier) -> dict[str, str]:
        return {
            "name": supplier.name,
            "contact_name": supplier.contact_name,
            "email_address": supplier.email_address,
            "phone": supplier.phone,
            "default_currency": supplier.default_currency,
        }


# ---------------------------------------------------------------------------------------------
# Paying a bill and adding a bank account


class PayForm(forms.Form):
    """The pay dialog: what the user enters, then confirms. The rules are the service's own
    (`payment_check`), so the form and a direct call refuse exactly the same payments."""

    amount = forms.DecimalField(max_digits=19, error_messages={"invalid": "Enter an amount."})
    paid_on = forms.DateField(
        label="Payment date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    bank_account = forms.ModelChoiceField(
        queryset=BankAccount.objects.none(),
        label="Pay from",
        empty_label="Choose a bank account",
        error_messages={"invalid_choice": "Choose one of this company's active bank accounts."},
    )
    currency_rate = forms.DecimalField(
        required=False,
        max_digits=19,
        decimal_places=9,
        label="Currency rate",
        error_messages={"invalid": "Enter the currency rate as a number, e.g. 0.787."},
    )
    reference = forms.CharField(required=False, max_length=255)
    # Set on the confirmation step: the key that makes a resubmitted form one payment, and the
    # amount due the user saw when confirming.
    idempotency_key = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "This form was changed; start the payment again."},
    )
    amount_due = forms.DecimalField(
        required=False,
        # The bounds of the money columns it is stored in (Payment.amount_due_before): a value
        # beyond them was not handed out by billpay.
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(
            ("invalid", "max_digits", "max_decimal_places", "max_whole_digits"),
            "This form was changed; start the payment again.",
        ),
    )

    def __init__(self, *args: Any, company: Company, bill: Bill, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.bill = bill
        self.fields["bank_account"].queryset = BankAccount.objects.for_company(company).filter(  # type: ignore[attr-defined]
            status=MappingStatus.ACTIVE
        )
        self.fields["amount"].label = f"Amount ({bill.currency})"
        base = company.base_currency or bill.currency
        if base != bill.currency:
            # Codat's currencyRate: base units per one foreign unit (codat/money.py).
            self.fields[
                "currency_rate"
            ].label = f"Currency rate ({rate_label(bill.currency, base)})"
            self.fields["currency_rate"].help_text = (
                f"When paying from a {base} account: what one {bill.currency} is worth in {base} "
                f"on the payment date, e.g. 0.787. The ledger records the {bill.currency} amount "
                f"times this rate in {base}."
            )
        else:
            self.fields["currency_rate"].help_text = "Not needed for a bill in the base currency."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            payment_check(
                company=self.company,
                bill=self.bill,
                bank_account=data["bank_account"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                currency_rate=data.get("currency_rate"),
                amount_due=self.bill.amount_due,
            )
        except UnableToPay as exc:
            add_errors(self, exc)
        return data


class BankAccountForm(forms.Form):
    """A new bank account, created in the ledger (create-bank-account's required fields), shaped
    by the platform: only the account types it can create (Xero and Sage Intacct: bank accounts
    only, so no choice is shown), and the ledger account code where it needs one (NetSuite)."""

    name = forms.CharField(max_length=255)
    account_type = forms.ChoiceField(
        label="Type",
        choices=list(platform_checks.ACCOUNT_TYPE_LABELS.items()),
    )
    account_number = forms.CharField(max_length=64)
    sort_code = forms.CharField(max_length=32, required=False)
    nominal_code = forms.CharField(max_length=64, required=False, label="Ledger account code")
    currency = forms.CharField(max_length=3, min_length=3)
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is out of date: check it and submit it again.",
            "invalid": "This form is out of date: check it and submit it again.",
        },
    )

    def __init__(self, *args: Any, rules: PlatformRules | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules or rules_for("")
        types = platform_checks.bank_account_types(self.rules)
        # Why there is no choice of type, where the platform creates one kind only.
        self.account_type_note = platform_checks.bank_account_type_note(self.rules)
        account_type = self.fields["account_type"]
        if len(types) == 1:
            account_type.widget = forms.HiddenInput()
            account_type.initial = types[0][0]
        else:
            assert isinstance(account_type, forms.ChoiceField)
            account_type.choices = types
        if self.rules.bank_account_code_required:
            code = self.fields["nominal_code"]
            code.required = True
            code.error_messages["required"] = platform_checks.bank_account_code_missing(self.rules)

    def clean_account_type(self) -> str:
        account_type = str(self.cleaned_data["account_type"])
        problem = platform_checks.bank_account_type_problem(self.rules, account_type)
        if problem:
            raise forms.ValidationError(problem)
        return account_type

    def clean_currency(self) -> str:
        currency = str(self.cleaned_data["currency"]).strip().upper()
        if not (currency.isalpha() and currency.isascii()):
            raise forms.ValidationError("Enter a three-letter currency code, e.g. GBP.")
        return currency


class PaymentFilterForm(forms.Form):
    """The payments page's GET filters; a junk value fails only its own field."""

    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Payment.Status.choices]
    )
    q = forms.CharField(required=False, max_length=200, label="Search")
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    currency = forms.CharField(required=False, max_length=3)


class PaymentResolveForm(forms.Form):
    """A person's answer for a payment that needs review, after looking in the ledger."""

    answer = forms.ChoiceField(
        label="What does the ledger show?",
        choices=[
            ("in_ledger", "It is in the ledger"),
            ("not_in_ledger", "It is not in the ledger"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the ledger shows."},
    )
    ledger_payment_id = forms.CharField(
        label="The payment's id in the ledger",
        max_length=64,
        required=False,
        help_text="Needed when it is in the ledger: copy it from the payment there.",
        widget=forms.TextInput(attrs={"aria-describedby": "id_ledger_payment_id_help"}),
    )
