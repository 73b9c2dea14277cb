"""Forms of the create- and edit-bill pages: the bill's fields and its line items (a formset)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from django import forms
from django.db import models
from django.forms import BaseFormSet, formset_factory

from accounts.models import Company
from codat.money import currency_decimals
from codat.platforms import PlatformRules, Tax, rules_for
from payables import platform_checks
from payables.models import (
    MONEY_DECIMAL_PLACES,
    MONEY_MAX_DIGITS,
    Account,
    Bill,
    MappingStatus,
    Supplier,
    TaxRate,
)
from payables.services.bills import (
    BillLineInput,
    bill_currencies,
    expense_accounts,
    line_tax,
    tax_rate_valid_for_account,
)

MAX_LINES = platform_checks.MAX_LINES
MONEY_LIMIT = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)


class BillForm(forms.Form):
    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is out of date: check it and submit it again.",
            "invalid": "This form is out of date: check it and submit it again.",
        },
    )
    supplier = forms.CharField(
        max_length=255,
        error_messages={"required": "Choose a supplier, or create one below."},
    )
    reference = forms.CharField(required=False, strip=True)
    issue_date = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    due_date = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    currency = forms.ChoiceField()

    def __init__(
        self,
        *args: Any,
        company: Company,
        platform_key: str,
        bill: Bill | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.rules = rules_for(platform_key)
        self.bill = bill  # the bill being edited, None for a new one
        self.max_reference = self.rules.max_reference_length
        # Refusals of the ledger about the line items as a whole, shown above them.
        self.line_errors: list[str] = []
        currencies = bill_currencies(company)
        currency_field = self.fields["currency"]
        assert isinstance(currency_field, forms.ChoiceField)
        currency_field.choices = [(c, c) for c in currencies]
        self.fields["currency"].error_messages["invalid_choice"] = (
            "The ledger has no currency %(value)s; choose "
            + (", ".join(currencies) or "the base currency")
            + "."
        )
        self.fields["reference"].widget.attrs["maxlength"] = str(self.max_reference)
        self.supplier_obj: Supplier | None = None

    def clean_reference(self) -> str:
        reference: str = self.cleaned_data["reference"]
        problem = platform_checks.reference_too_long(self.rules, reference)
        if problem:
            raise forms.ValidationError(problem)
        return reference

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()

    def clean_supplier(self) -> str:
        name = " ".join(self.cleaned_data["supplier"].split())
        matches = list(Supplier.objects.for_company(self.company).filter(name__iexact=name)[:3])
        active = [s for s in matches if s.status != Supplier.Status.ARCHIVED]
        if not matches:
            raise forms.ValidationError(
                f"No supplier called “{name}” in the ledger. Pick one from the list, or create it."
            )
        if not active:
            raise forms.ValidationError(
                f"“{name}” is archived in the ledger; choose another supplier."
            )
        if len(active) > 1:
            raise forms.ValidationError(
                f"Several suppliers are called “{name}”; rename one in the ledger first."
            )
        self.supplier_obj = active[0]
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issue, due = data.get("issue_date"), data.get("due_date")
        if isinstance(issue, dt.date) and isinstance(due, dt.date) and due < issue:
            self.add_error("due_date", "The due date cannot be before the issue date.")
        supplier = self.supplier_obj if "supplier" in data else None
        currency = data.get("currency")
        if currency is not None:
            problem = platform_checks.currency_not_suppliers(self.rules, supplier, currency)
            if problem:
                self.add_error("currency", problem)
        reference = data.get("reference")
        if reference:
            problem = platform_checks.reference_taken(
                self.rules, supplier, reference, bill=self.bill
            )
            if problem:
                self.add_error("reference", problem)
        return data


class FiniteDecimalField(forms.DecimalField):
    """A DecimalField that refuses NaN and infinities as it parses them, not only when validating:
    a formset compares each line's data with its initial value (`has_changed`) first, and a
    signalling NaN ("sNaN") in that comparison raises instead of counting as a change."""

    # django-stubs declares DecimalField a subclass of IntegerField, returning int.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is not None and not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def _money_field(**kwargs: Any) -> forms.DecimalField:
    return FiniteDecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs
    )


class LineOptions:
    """The company's active expense accounts and active tax rates, read once per request and
    shared by every line of the formset (a 20-line recompute would otherwise read them 20
    times, and once more per line to check each choice)."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self.accounts = {
            a.pk: a for a in expense_accounts(company).order_by("nominal_code", "name", "id")
        }
        self.tax_rates = {
            r.pk: r
            for r in TaxRate.objects.for_company(company)
            .filter(status=MappingStatus.ACTIVE)
            .order_by("name", "id")
        }

    def rates_for(self, account: Account) -> list[TaxRate]:
        return [r for r in self.tax_rates.values() if tax_rate_valid_for_account(r, account)]


class OptionChoiceField(forms.ChoiceField):
    """A choice among already-read model objects: validates and converts without a query."""

    def __init__(self, *, objects: dict[int, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.objects: dict[int, Any] = objects or {}

    def set_objects(
        self, objects: dict[int, Any], choices: list[Any] | None = None, *, blank: str = "---------"
    ) -> None:
        self.objects = objects
        listed = choices if choices is not None else list(objects.values())
        self.choices = [("", blank), *((o.pk, str(o)) for o in listed)]

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, models.Model):
            return value
        try:
            return self.objects[int(value)]
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value: Any) -> Any:
        return value.pk if isinstance(value, models.Model) else value


class LineForm(forms.Form):
    description = forms.CharField(required=False, max_length=4000)
    quantity = _money_field(initial=Decimal(1))
    unit_amount = _money_field(label="Unit amount")
    account = OptionChoiceField(
        error_messages={
            "invalid_choice": "That account is not an active expense account in the ledger "
            "(it may be archived): choose another.",
            "required": "Choose an account.",
        },
    )
    tax_rate = OptionChoiceField(
        label="Tax rate",
        error_messages={
            "invalid_choice": "That tax rate is not active in the ledger: choose another.",
            "required": "Choose a tax rate.",
        },
    )

    def __init__(
        self,
        *args: Any,
        company: Company,
        options: LineOptions | None = None,
        rules: PlatformRules | None = None,
        currency: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.options = options or LineOptions(company)
        self.rules = rules or rules_for("")
        self.currency = currency
        account_field = self.fields["account"]
        assert isinstance(account_field, OptionChoiceField)
        account_field.set_objects(self.options.accounts)
        if self.rules.tax is Tax.AMOUNT_ONLY:
            # The platform takes no tax rate on a line (FreeAgent): the line's tax amount instead.
            del self.fields["tax_rate"]
            self.fields["tax_amount"] = _money_field(
                label="Tax amount",
                required=False,
                initial=Decimal(0),
                error_messages={"invalid": "Enter the tax amount as a number, e.g. 4.20."},
            )
        # The line's inputs sit in table cells under column headers: each needs its own name.
        number = (self.prefix or "").rsplit("-", 1)[-1]
        line = f", line {int(number) + 1}" if number.isdigit() else ""
        for name in ("description", "quantity", "unit_amount", "tax_amount"):
            if name in self.fields:
                field = self.fields[name]
                field.widget.attrs["aria-label"] = f"{field.label or name.capitalize()}{line}"
        if self.takes_rate:
            self._offer_rates()

    @property
    def takes_rate(self) -> bool:
        """Whether the line has a tax-rate select (every platform but FreeAgent)."""
        return "tax_rate" in self.fields

    @property
    def rate_required(self) -> bool:
        return self.rules.tax.rate_required

    def _offer_rates(self) -> None:
        tax_field = self.fields["tax_rate"]
        assert isinstance(tax_field, OptionChoiceField)
        if self.rules.tax.rate_required:
            tax_field.error_messages["required"] = platform_checks.tax_rate_missing(self.rules)
        else:
            # A line without a rate has no tax (Zoho Books takes a rate only with a tax amount).
            tax_field.required = False
        account = self._chosen_account()
        # Only the rates valid for the chosen account are offered (any active one validates, and
        # clean() then says why it does not fit the account).
        tax_field.set_objects(
            self.options.tax_rates,
            self.options.rates_for(account) if account is not None else None,
            blank=tax_rate_blank(self.rules),
        )

    def _chosen_account(self) -> Account | None:
        raw = (
            self.data.get(self.add_prefix("account"))
            if self.is_bound
            else self.initial.get("account")
        )
        if isinstance(raw, Account):
            return raw
        try:
            return self.options.accounts.get(int(raw)) if raw else None
        except (TypeError, ValueError):
            return None

    def clean_quantity(self) -> Decimal:
        quantity: Decimal = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError("The quantity must be greater than zero.")
        return quantity

    def clean_tax_amount(self) -> Decimal:
        amount: Decimal | None = self.cleaned_data["tax_amount"]
        if amount is None:
            return Decimal(0)
        problem = platform_checks.tax_amount_problem(amount, self.currency)
        if problem:
            raise forms.ValidationError(problem)
        return amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account, rate = data.get("account"), data.get("tax_rate")
        if (
            isinstance(account, Account)
            and isinstance(rate, TaxRate)
            and not tax_rate_valid_for_account(rate, account)
        ):
            self.add_error("tax_rate", f"Tax rate {rate} is not valid for account {account}.")
        return data

    def as_input(self) -> BillLineInput:
        data = self.cleaned_data
        return BillLineInput(
            description=data.get("description") or "",
            quantity=data["quantity"],
            unit_amount=data["unit_amount"],
            account=data["account"],
            tax_rate=data.get("tax_rate"),
            tax_amount=data.get("tax_amount") if not self.takes_rate else None,
        )


def tax_rate_blank(rules: PlatformRules) -> str:
    """The empty choice of a line's tax-rate select: "No tax" where a line may have none."""
    return "---------" if rules.tax.rate_required else "No tax"


class BaseLineFormSet(BaseFormSet):  # type: ignore[type-arg]
    default_error_messages = {
        "too_many_forms": "A bill can have at most %(num)d lines.",
        "too_few_forms": "Add at least one line item.",
    }
    rules: PlatformRules = rules_for("")

    @property
    def takes_rate(self) -> bool:
        return self.rules.tax.takes_rate

    @property
    def rate_required(self) -> bool:
        return self.rules.tax.rate_required

    @property
    def at_limit(self) -> bool:
        """Whether another line would pass the platform's limit."""
        return self.total_form_count() >= self.max_num

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        lines = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not lines:
            raise forms.ValidationError("Add at least one line item.")


def _formset_class(limit: int) -> type[BaseLineFormSet]:
    return formset_factory(  # type: ignore[return-value]
        LineForm,
        formset=BaseLineFormSet,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=limit,
        validate_max=True,
        # Django's default is max_num + 1000 forms built for any posted count; a bill has at most
        # `limit` lines, and a count above that is refused ("A bill can have at most 100 lines").
        absolute_max=limit,
    )


LineFormSet = _formset_class(MAX_LINES)


def line_formset(
    company: Company,
    data: Any = None,
    initial: list[dict[str, Any]] | None = None,
    *,
    rules: PlatformRules | None = None,
    currency: str = "",
) -> BaseLineFormSet:
    """The bill's lines, shaped by the platform: its line limit (FreeAgent 40, else MAX_LINES)
    and what each line carries for tax (codat.platforms.Tax). `currency`: the bill's, which a
    typed tax amount is checked against."""
    rules = rules or rules_for("")
    limit = platform_checks.line_limit(rules)
    formset_class = LineFormSet if limit == MAX_LINES else _formset_class(limit)
    formset = formset_class(
        data,
        initial=initial,
        prefix="lines",
        form_kwargs={
            "company": company,
            "options": LineOptions(company),
            "rules": rules,
            "currency": currency,
        },
        error_messages={
            # A literal: Django fills %(num)d in, and the platform's text names its own limit.
            "too_many_forms": platform_checks.too_many_lines_message(rules).replace("%", "%%"),
        },
    )
    assert isinstance(formset, BaseLineFormSet)
    formset.rules = rules
    return formset


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    # The total read from the bill's document, which the lines should add up to.
    expected: Decimal | None = None

    @property
    def difference(self) -> Decimal | None:
        return None if self.expected is None else self.total - self.expected

    @property
    def gap(self) -> Decimal | None:
        difference = self.difference
        return None if difference is None else abs(difference)


def _number(raw: object) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _money(raw: object) -> Decimal | None:
    """A figure as typed, when it is one that a money field can hold."""
    value = _number(raw)
    if value is None or abs(value) >= MONEY_LIMIT:
        return None
    return value


def compute_totals(
    company: Company, data: Any, currency: str, rules: PlatformRules | None = None
) -> Totals:
    """Subtotal, tax and total of the lines as typed, skipping what does not parse yet. Each
    line's tax is worked out from its rate, or, where the platform takes amounts and no rates
    (FreeAgent), is the amount typed."""
    amounts = rules is not None and rules.tax is Tax.AMOUNT_ONLY
    rates = (
        {}
        if amounts
        else {
            str(r.pk): r
            for r in TaxRate.objects.for_company(company).filter(status=MappingStatus.ACTIVE)
        }
    )
    count = _number(data.get("lines-TOTAL_FORMS", 0)) or Decimal(0)
    subtotal = tax = Decimal(0)
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    # Each figure fits a money field; their products and sums get the digits they need.
    with localcontext(prec=60):
        for n in range(min(int(count), MAX_LINES)):
            quantity = _money(data.get(f"lines-{n}-quantity"))
            unit = _money(data.get(f"lines-{n}-unit_amount"))
            if quantity is None or unit is None:
                continue
            subtotal += (quantity * unit).quantize(exponent)
            if amounts:
                typed = _money(data.get(f"lines-{n}-tax_amount") or 0)
                tax += typed if typed is not None and typed >= 0 else Decimal(0)
                continue
            rate = rates.get(str(data.get(f"lines-{n}-tax_rate")))
            tax += line_tax(quantity, unit, rate, currency)
    expected = _money(data.get("document_total"))
    if expected is not None and expected < 0:
        expected = None
    return Totals(
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        currency=currency,
        expected=expected.quantize(exponent) if expected is not None else None,
    )


def net_of_tax(total: Decimal, rate: TaxRate | None, currency: str) -> Decimal:
    """The net amount of one line whose tax at `rate` brings it to `total` (a document's total
    is what the supplier asks for, tax included). When rounding makes no net amount add up
    exactly, the nearest one: the form then shows the difference."""
    percent = (rate.effective_tax_rate if rate is not None else None) or Decimal(0)
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    if percent <= -100:
        return total
    net = (total * 100 / (100 + percent)).quantize(exponent, rounding=ROUND_HALF_UP)
    for candidate in (net, net - exponent, net + exponent):
        if candidate >= 0 and candidate + line_tax(Decimal(1), candidate, rate, currency) == total:
            return candidate
    return net


def new_token() -> str:
    return str(uuid.uuid4())
