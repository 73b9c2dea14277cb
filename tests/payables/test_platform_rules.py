"""Every rule of codat.platforms that a form meets, on both sides (issue 13).

(1) billpay refuses it first, with a clear message on the field it concerns, and sends nothing
(no request reaches the ledger, whose state is unchanged); (2) the same payload sent straight to
the sandbox ledger is refused in the platform's own words (codat.platforms.Messages); and where
the ledger refuses what billpay cannot know in advance (a change made in the platform since the
last refresh), (3) the refusal lands on its field.

Each test runs against a ledger seeded as that platform and imported by billpay, and picks its
accounts, tax rates, suppliers and currencies from what was seeded (the seed differs by
platform), never by a platform's own codes.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

import codat.types as codat
from accounts.models import User
from accounts.services import ACTIVE_COMPANY_SESSION_KEY
from billpay.ledger import SANDBOX_IN_PROCESS_URL
from codat import exact_json
from codat.platforms import (
    CONTENT_TYPES,
    MB,
    PLATFORMS,
    ArchivedSupplierUpdate,
    MissingRate,
    PlatformRules,
    SupplierCurrency,
    SupplierNameOnUpdate,
    Tax,
)
from payables import platform_checks
from payables.errors import AttachmentError, BillError, PaymentError, SupplierError
from payables.forms import PayForm
from payables.models import Account, Attachment, BankAccount, Bill, Supplier, TaxRate
from payables.services.attachments import attachment_upload
from payables.services.bills import (
    BillLineInput,
    bill_create,
    bill_currencies,
    expense_accounts,
    line_tax,
    tax_rates_for_account,
)
from payables.services.payments import bank_account_create
from payables.services.suppliers import supplier_create, supplier_update
from sandbox.api.records import get_document, save_document
from sandbox.models import Dataset, LedgerRecord
from sandbox.transport import sandbox_transport
from tests.ledger_company import LedgerCompany, build_ledger_company
from tests.payables.factories import TaxRateFactory
from tests.payables.ledger_fixtures import Ledger
from tests.sandbox.payables_data import messages

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

ISSUE, DUE = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def having(rule: Callable[[PlatformRules], object]) -> list[Any]:
    """The platforms for which `rule` holds, as pytest parameters named by their key."""
    return [pytest.param(r, id=r.key) for r in PLATFORMS if rule(r)]


ALL = having(lambda r: True)


@dataclass
class OnPlatform:
    """A company imported from a sandbox ledger seeded as one platform, the user working in it."""

    rules: PlatformRules
    built: LedgerCompany
    web: Client
    recorder: Ledger

    @property
    def company(self) -> Any:
        return self.built.company

    @property
    def base(self) -> str:
        return str(self.company.base_currency)

    def supplier(self, *, other_than: Supplier | None = None) -> Supplier:
        suppliers = Supplier.objects.for_company(self.company).filter(status="Active")
        if other_than is not None:
            suppliers = suppliers.exclude(pk=other_than.pk)
        found = suppliers.order_by("id").first()
        assert found is not None
        return found

    def account(self) -> Account:
        found = expense_accounts(self.company).order_by("nominal_code", "id").first()
        assert found is not None
        return found

    def rate(self, account: Account | None = None) -> TaxRate:
        """A tax rate with tax in it, valid on the account."""
        rates = tax_rates_for_account(account or self.account())
        found = next((r for r in rates if (r.effective_tax_rate or 0) > 0), None)
        assert found is not None, "the seeded ledger has no taxed purchase rate"
        return found

    def other_currency(self, than: str) -> str:
        """A currency the company's ledger has, other than `than`."""
        return next(c for c in bill_currencies(self.company) if c != than)

    def bill_currency(self, supplier: Supplier) -> str:
        return supplier.default_currency or self.base

    # --- billpay's side

    def line_input(self, *, lines: int = 1) -> list[BillLineInput]:
        """Valid lines for this platform, as the bill form hands them to the service."""
        account = self.account()
        amount_only = self.rules.tax is Tax.AMOUNT_ONLY
        return [
            BillLineInput(
                description=f"Line {n + 1}",
                quantity=Decimal(2),
                unit_amount=Decimal("12.50"),
                account=account,
                tax_rate=None if amount_only else self.rate(account),
                tax_amount=Decimal("5.00") if amount_only else None,
            )
            for n in range(lines)
        ]

    def create(self, **changes: Any) -> Bill:
        supplier = changes.pop("supplier", None) or self.supplier()
        fields: dict[str, Any] = {
            "company": self.company,
            "supplier": supplier,
            "reference": "PR-1",
            "issue_date": ISSUE,
            "due_date": DUE,
            "currency": self.bill_currency(supplier),
            "lines": self.line_input(),
            "idempotency_key": uuid.uuid4(),
            **changes,
        }
        return bill_create(**fields)

    def bill_form(
        self, *, supplier: Supplier | None = None, lines: int = 1, **changes: Any
    ) -> dict[str, Any]:
        """The bill form as a person fills it in on this platform."""
        supplier = supplier or self.supplier()
        account = self.account()
        data: dict[str, Any] = {
            "token": str(uuid.uuid4()),
            "supplier": supplier.name,
            "reference": "PR-1",
            "issue_date": ISSUE.isoformat(),
            "due_date": DUE.isoformat(),
            "currency": self.bill_currency(supplier),
            "lines-TOTAL_FORMS": str(lines),
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "100",
            "action": "save",
        }
        for n in range(lines):
            data |= {
                f"lines-{n}-description": f"Line {n + 1}",
                f"lines-{n}-quantity": "2",
                f"lines-{n}-unit_amount": "12.50",
                f"lines-{n}-account": str(account.pk),
            }
            if self.rules.tax.takes_rate:
                data[f"lines-{n}-tax_rate"] = str(self.rate(account).pk)
            else:
                data[f"lines-{n}-tax_amount"] = "5.00"
        data.update(changes)
        return data

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
        return self.web.post(url, data, **kwargs)

    # --- The ledger's side

    def bill_json(
        self,
        *,
        supplier: Supplier | None = None,
        lines: list[BillLineInput] | None = None,
        **changes: Any,
    ) -> dict[str, Any]:
        """The create-bill body billpay sends for these inputs (codat.types, as the service)."""
        supplier = supplier or self.supplier()
        currency = changes.pop("currency", None) or self.bill_currency(supplier)
        prototype = codat.BillPrototype(
            supplier_ref=codat.SupplierRef(id=changes.pop("supplier_id", supplier.codat_id)),
            issue_date=changes.pop("issue_date", ISSUE),
            due_date=changes.pop("due_date", DUE),
            currency=currency,
            reference=changes.pop("reference", "PR-1"),
            line_items=tuple(
                codat.BillLineItemPrototype(
                    description=line.description,
                    quantity=line.quantity,
                    unit_amount=line.unit_amount,
                    tax_amount=line.tax(currency),
                    account_ref=codat.RecordRef(id=line.account.codat_id),
                    tax_rate_ref=codat.RecordRef(id=line.tax_rate.codat_id)
                    if line.tax_rate
                    else None,
                )
                for line in (lines if lines is not None else self.line_input())
            ),
        )
        return prototype.to_json()

    def send(self, method: str, what: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        """A request straight to the sandbox ledger's /payables API (no billpay in between)."""
        company = self.company.codat_company_id
        connection = self.built.connection.codat_connection_id
        url = f"/companies/{company}/connections/{connection}/payables/{what}"
        content = None if body is None else exact_json.dumps(body)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        key = base64.b64encode(settings.SANDBOX_API_KEY.encode()).decode()
        with httpx.Client(
            base_url=SANDBOX_IN_PROCESS_URL,
            transport=sandbox_transport(),
            headers={"Authorization": f"Basic {key}"},
        ) as client:
            return client.request(method, url, content=content, headers=headers, **kwargs)

    def refused(self, response: httpx.Response) -> list[str]:
        assert response.status_code == 400, response.text
        return messages(response)

    def count(self, dataset: str) -> int:
        return LedgerRecord.objects.filter(connection=self.built.ledger, dataset=dataset).count()

    def document(self, dataset: str, record_id: str) -> dict[str, Any]:
        found = get_document(self.built.ledger, dataset, record_id)
        assert found is not None
        return found

    def change_in_ledger(self, dataset: str, record_id: str, **changes: Any) -> None:
        """A change made in the platform since billpay last read it."""
        save_document(self.built.ledger, dataset, {**self.document(dataset, record_id), **changes})

    def nothing_sent(self) -> bool:
        return self.recorder.requests == []


@pytest.fixture
def on(client: Client, user: User, ledger: Ledger) -> Callable[[PlatformRules], OnPlatform]:
    def build(rules: PlatformRules) -> OnPlatform:
        built = build_ledger_company(
            user=user,
            platform_key=rules.key,
            name=f"{rules.name} Ltd",
            bills=6,
            suppliers=4,
            seed=5,
            statuses=("Open",),
        )
        client.force_login(user)
        session = client.session
        session[ACTIVE_COMPANY_SESSION_KEY] = built.company.pk
        session.save()
        ledger.clear()
        return OnPlatform(rules=rules, built=built, web=client, recorder=ledger)

    return build


BILL_CREATE = reverse("payables:bill-create")
SUPPLIER_CREATE = reverse("payables:supplier-create")
BANK_ACCOUNT_CREATE = reverse("payables:bank-account-create")
HTMX = {"HX-Request": "true"}


def shown(text: str) -> str:
    """The text as a page shows it (HTML-escaped)."""
    return str(escape(text))


def supplier_edit(supplier: Supplier) -> str:
    return reverse("payables:supplier-edit", args=[supplier.pk])


def form_errors(response: Any, field: str, form: str = "form") -> list[str]:
    return list(response.context[form].errors.get(field, []))


def line_errors(response: Any) -> list[str]:
    formset = response.context["formset"]
    return [
        *formset.non_form_errors(),
        *response.context["form"].line_errors,
        *(e for f in formset.forms for errors in f.errors.values() for e in errors),
    ]


# --- Bills: the reference ------------------------------------------------------------------------


@pytest.mark.parametrize("rules", ALL)
def test_a_reference_over_the_platforms_limit_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    limit = rules.max_reference_length
    bills = p.count(Dataset.BILLS)

    response = p.post(BILL_CREATE, p.bill_form(reference="R" * (limit + 1)))

    assert form_errors(response, "reference") == [
        f"{rules.name} takes references of up to {limit} characters (this one has {limit + 1})."
    ]
    assert f'maxlength="{limit}"' in response.content.decode()
    assert p.nothing_sent()
    assert p.count(Dataset.BILLS) == bills
    sent = p.send("POST", "bills", p.bill_json(reference="R" * (limit + 1)))
    assert p.refused(sent) == [f"`Reference Length` must be less than or equal to `{limit}`."]
    # The longest the platform takes goes through both.
    created = p.post(BILL_CREATE, p.bill_form(reference="R" * limit))
    assert created.status_code == 302, form_errors(created, "__all__")
    assert Bill.objects.get(company=p.company, reference="R" * limit)


# --- Bills: tax, by the platform's rule ----------------------------------------------------------


@pytest.mark.parametrize("rules", ALL)
def test_the_totals_follow_the_platforms_tax_rule_as_the_lines_are_typed(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    currency = p.bill_currency(supplier)
    if rules.tax.takes_rate:
        tax = line_tax(Decimal(2), Decimal("12.50"), p.rate(), currency)
        changes = {}
    else:
        tax, changes = Decimal("4.10"), {"lines-0-tax_amount": "4.10"}

    totals = p.post(
        BILL_CREATE,
        p.bill_form(supplier=supplier, action="recalc", **changes),
        headers={**HTMX, "HX-Target": "bill-totals"},
    ).content.decode()

    assert totals.strip().startswith('<dl id="bill-totals"')
    assert "data-subtotal>25.00<" in totals
    assert f"data-tax>{tax}<" in totals
    assert f"data-total>{Decimal('25.00') + tax} {currency}<" in totals
    if rules.tax.takes_rate and not rules.tax.rate_required:
        untaxed = p.post(
            BILL_CREATE,
            p.bill_form(supplier=supplier, action="recalc", **{"lines-0-tax_rate": ""}),
            headers={**HTMX, "HX-Target": "bill-totals"},
        ).content.decode()
        assert f"data-total>25.00 {currency}<" in untaxed
    assert p.nothing_sent()


@pytest.mark.parametrize("rules", having(lambda r: r.tax.rate_required))
def test_a_line_without_a_tax_rate_is_refused_where_the_platform_needs_one(on, rules) -> None:
    p = on(rules)
    wanted = f"Choose a tax rate: {rules.name} needs one on every line."

    page = p.web.get(BILL_CREATE).content.decode()
    response = p.post(BILL_CREATE, p.bill_form(**{"lines-0-tax_rate": ""}))

    assert 'aria-label="Tax rate, line 1" required' in page
    assert line_errors(response) == [wanted]
    with pytest.raises(BillError) as caught:
        p.create(lines=[BillLineInput(**{**vars_of(p.line_input()[0]), "tax_rate": None})])
    assert caught.value.field_errors["lines"] == [wanted]
    assert p.nothing_sent()
    untaxed = p.bill_json(lines=[BillLineInput(**{**vars_of(p.line_input()[0]), "tax_rate": None})])
    assert rules.messages.tax_rate_missing in p.refused(p.send("POST", "bills", untaxed))


def vars_of(line: BillLineInput) -> dict[str, Any]:
    return {f: getattr(line, f) for f in BillLineInput.__dataclass_fields__}


@pytest.mark.parametrize("rules", having(lambda r: r.tax is Tax.RATE_AND_AMOUNT))
def test_every_line_carries_its_tax_amount_beside_its_rate(on, rules) -> None:
    p = on(rules)
    rate = p.rate()

    response = p.post(BILL_CREATE, p.bill_form())

    assert response.status_code == 302
    bill = Bill.objects.get(company=p.company, reference="PR-1")
    (line,) = p.document(Dataset.BILLS, bill.codat_id)["lineItems"]
    assert line["taxRateRef"] == {"id": rate.codat_id}
    assert line["taxAmount"] == line_tax(Decimal(2), Decimal("12.50"), rate, bill.currency)
    body = p.bill_json(reference="PR-2")
    for item in body["lineItems"]:
        del item["taxAmount"]
    assert rules.messages.tax_amount_missing in p.refused(p.send("POST", "bills", body))


@pytest.mark.parametrize("rules", having(lambda r: r.tax is Tax.RATE_WHEN_TAXED))
def test_a_line_without_a_tax_rate_has_no_tax_where_the_platform_allows_it(on, rules) -> None:
    p = on(rules)

    page = p.web.get(BILL_CREATE).content.decode()
    response = p.post(BILL_CREATE, p.bill_form(**{"lines-0-tax_rate": ""}))

    account = p.account()
    options = p.web.get(
        reverse("payables:bill-tax-rates"),
        {"field": "lines-0-tax_rate", "lines-0-account": account.pk},
        headers=HTMX,
    ).content.decode()
    assert '<option value="">No tax</option>' in page
    assert options.startswith('<option value="">No tax</option>')
    assert 'aria-label="Tax rate, line 1" required' not in page
    assert response.status_code == 302, line_errors(response)
    bill = Bill.objects.get(company=p.company, reference="PR-1")
    (line,) = p.document(Dataset.BILLS, bill.codat_id)["lineItems"]
    assert line["taxAmount"] == 0
    assert "taxRateRef" not in line
    assert bill.total_amount == Decimal("25.00")
    # A tax amount with no rate: billpay never sends one, and the platform refuses it.
    p.recorder.clear()
    taxed = BillLineInput(
        **{**vars_of(p.line_input()[0]), "tax_rate": None, "tax_amount": Decimal(5)}
    )
    with pytest.raises(BillError) as caught:
        p.create(reference="PR-2", lines=[taxed])
    assert caught.value.field_errors["lines"] == [platform_checks.tax_amount_not_taken(rules)]
    assert p.nothing_sent()
    sent = p.send("POST", "bills", p.bill_json(reference="PR-2", lines=[taxed]))
    assert rules.messages.tax_rate_missing in p.refused(sent)


@pytest.mark.parametrize("rules", having(lambda r: r.tax is Tax.AMOUNT_ONLY))
def test_lines_carry_a_tax_amount_and_no_rate_where_the_platform_takes_amounts(on, rules) -> None:
    p = on(rules)

    page = p.web.get(BILL_CREATE).content.decode()
    totals = p.post(
        BILL_CREATE,
        p.bill_form(action="recalc", **{"lines-0-tax_amount": "4.10"}),
        headers={**HTMX, "HX-Target": "bill-totals"},
    ).content.decode()
    response = p.post(BILL_CREATE, p.bill_form(**{"lines-0-tax_amount": "4.10"}))

    assert 'name="lines-0-tax_rate"' not in page
    assert 'name="lines-0-tax_amount"' in page
    assert '<th scope="col">Tax amount</th>' in page
    assert "data-tax>4.10<" in totals
    assert "data-total>29.10 " in totals
    assert response.status_code == 302, line_errors(response)
    bill = Bill.objects.get(company=p.company, reference="PR-1")
    (line,) = p.document(Dataset.BILLS, bill.codat_id)["lineItems"]
    assert line["taxAmount"] == Decimal("4.10")
    assert "taxRateRef" not in line
    assert bill.total_amount == Decimal("29.10")
    # A tax rate on a line: billpay refuses it, and so does the platform.
    p.recorder.clear()
    # A rate billpay could hold (the platform's mapping options may list none).
    rate = TaxRateFactory(company=p.company, codat_id="1", name="Standard rate")
    rated = BillLineInput(**{**vars_of(p.line_input()[0]), "tax_rate": rate, "tax_amount": None})
    with pytest.raises(BillError) as caught:
        p.create(reference="PR-2", lines=[rated])
    assert caught.value.field_errors["lines"] == [platform_checks.tax_rate_not_taken(rules)]
    assert p.nothing_sent()
    sent = p.send("POST", "bills", p.bill_json(reference="PR-2", lines=[rated]))
    assert rules.messages.tax_rate_not_allowed in p.refused(sent)


@pytest.mark.parametrize("rules", having(lambda r: r.tax is Tax.AMOUNT_ONLY))
def test_a_bill_edited_where_the_platform_takes_amounts_keeps_its_tax_amounts(on, rules) -> None:
    p = on(rules)
    assert p.post(BILL_CREATE, p.bill_form(**{"lines-0-tax_amount": "4.10"})).status_code == 302
    bill = Bill.objects.get(company=p.company, reference="PR-1")
    url = reverse("payables:bill-edit", args=[bill.pk])

    page = p.web.get(url).content.decode()
    response = p.post(url, p.bill_form(currency=bill.currency, **{"lines-0-tax_amount": "3.00"}))

    assert 'name="lines-0-tax_amount"' in _input(page, "lines-0-tax_amount")
    assert 'value="4.10"' in _input(page, "lines-0-tax_amount")
    assert 'name="lines-0-tax_rate"' not in page
    assert response.status_code == 302, line_errors(response)
    (line,) = p.document(Dataset.BILLS, bill.codat_id)["lineItems"]
    assert line["taxAmount"] == Decimal("3.00")
    assert "taxRateRef" not in line


@pytest.mark.parametrize("rules", having(lambda r: r.tax is Tax.AMOUNT_ONLY))
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1.00", "The tax amount cannot be negative."),
        ("1.005", "amounts have at most 2 decimal places."),
        ("NaN", "Enter the tax amount as a number, e.g. 4.20."),
        ("sNaN", "Enter the tax amount as a number, e.g. 4.20."),
        ("four", "Enter the tax amount as a number, e.g. 4.20."),
    ],
)
def test_a_tax_amount_that_is_not_money_is_refused(on, rules, typed, message) -> None:
    p = on(rules)

    response = p.post(BILL_CREATE, p.bill_form(**{"lines-0-tax_amount": typed}))

    assert response.status_code == 200
    (error,) = line_errors(response)
    assert error.endswith(message)
    assert p.nothing_sent()


# --- Bills: how many lines ------------------------------------------------------------------------


@pytest.mark.parametrize("rules", having(lambda r: r.max_line_items is not None))
def test_a_bill_over_the_platforms_line_limit_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    limit = rules.max_line_items
    wanted = f"{rules.name} takes at most {limit} lines on a bill: remove some, or split it into two bills."

    response = p.post(BILL_CREATE, p.bill_form(lines=limit + 1))
    at_limit = p.post(BILL_CREATE, p.bill_form(lines=limit, action="add_line")).content.decode()

    assert line_errors(response) == [wanted]
    assert at_limit.count("data-line=") == limit
    assert "data-line-limit" in at_limit
    assert 'value="add_line"' not in at_limit
    with pytest.raises(BillError) as caught:
        p.create(lines=p.line_input(lines=limit + 1))
    assert caught.value.field_errors["lines"] == [wanted]
    assert p.nothing_sent()
    sent = p.send("POST", "bills", p.bill_json(lines=p.line_input(lines=limit + 1)))
    assert rules.messages.too_many_lines.format(limit=limit) in p.refused(sent)
    assert p.post(BILL_CREATE, p.bill_form(lines=limit)).status_code == 302


# --- Bills: the currency of the supplier ---------------------------------------------------------


@pytest.mark.parametrize("rules", having(lambda r: r.bill_currency_matches_supplier))
def test_a_bill_in_another_currency_than_its_suppliers_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    theirs = p.bill_currency(supplier)
    other = p.other_currency(theirs)
    wanted = f"{supplier.name} bills in {theirs} in {rules.name}: choose {theirs}."

    response = p.post(BILL_CREATE, p.bill_form(supplier=supplier, currency=other))

    assert form_errors(response, "currency") == [wanted]
    with pytest.raises(BillError) as caught:
        p.create(supplier=supplier, currency=other)
    assert caught.value.field_errors["currency"] == [wanted]
    assert p.nothing_sent()
    sent = p.send("POST", "bills", p.bill_json(supplier=supplier, currency=other))
    assert p.refused(sent) == [
        rules.messages.currency_not_suppliers.format(currency=other, supplier_currency=theirs)
    ]


@pytest.mark.parametrize("rules", having(lambda r: not r.bill_currency_matches_supplier))
def test_a_bill_may_be_in_another_currency_than_its_suppliers_elsewhere(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    other = p.other_currency(p.bill_currency(supplier))

    response = p.post(BILL_CREATE, p.bill_form(supplier=supplier, currency=other))

    assert response.status_code == 302
    bill = Bill.objects.get(company=p.company, reference="PR-1")
    assert p.document(Dataset.BILLS, bill.codat_id)["currency"] == other


@pytest.mark.parametrize("rules", ALL)
def test_choosing_a_supplier_sets_its_currency_where_the_platform_bills_in_it(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    theirs = p.bill_currency(supplier)
    other = p.other_currency(theirs)

    htmx = p.web.get(
        reverse("payables:bill-supplier-coding"), {"supplier": supplier.name}, headers=HTMX
    ).content.decode()
    # Without JavaScript: the "Use for lines without an account" button posts the whole form.
    plain = p.post(BILL_CREATE, p.bill_form(supplier=supplier, currency=other, action="supplier"))

    assert htmx.strip().startswith('<div id="supplier-coding"')
    chosen = plain.context["form"]["currency"].value()
    if rules.bill_currency_matches_supplier:
        assert '<div id="bill-currency" hx-swap-oob="true">' in htmx
        assert f'<option value="{theirs}" selected>' in htmx
        assert shown(f"{supplier.name} bills in {theirs} in {rules.name}.") in htmx
        assert chosen == theirs
    else:
        assert "hx-swap-oob" not in htmx
        assert chosen == other
    assert p.nothing_sent()


@pytest.mark.parametrize("rules", having(lambda r: r.bill_currency_matches_supplier))
def test_a_supplier_currency_changed_in_the_platform_lands_on_the_currency_field(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    theirs = p.bill_currency(supplier)
    now = p.other_currency(theirs)
    p.change_in_ledger(Dataset.SUPPLIERS, supplier.codat_id, defaultCurrency=now)

    response = p.post(BILL_CREATE, p.bill_form(supplier=supplier))

    assert form_errors(response, "currency") == [
        rules.messages.currency_not_suppliers.format(currency=theirs, supplier_currency=now)
    ]
    assert "The ledger refused this" in response.content.decode()
    assert not Bill.objects.filter(company=p.company, reference="PR-1").exists()


# --- Bills: a reference once per supplier ---------------------------------------------------------


@pytest.mark.parametrize("rules", having(lambda r: r.unique_reference_per_supplier))
def test_a_reference_the_supplier_has_used_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    earlier = Bill.objects.for_company(p.company).exclude(reference="").order_by("id").first()
    assert earlier is not None
    assert earlier.supplier is not None
    supplier, reference = earlier.supplier, earlier.reference
    wanted = (
        f"{supplier.name} already has a bill with reference {reference}, and {rules.name} takes "
        "each reference once per supplier: use another."
    )

    response = p.post(BILL_CREATE, p.bill_form(supplier=supplier, reference=reference))

    assert form_errors(response, "reference") == [wanted]
    with pytest.raises(BillError) as caught:
        p.create(supplier=supplier, reference=reference)
    assert caught.value.field_errors["reference"] == [wanted]
    assert p.nothing_sent()
    sent = p.send("POST", "bills", p.bill_json(supplier=supplier, reference=reference))
    assert p.refused(sent) == [rules.messages.duplicate_reference]
    # Another supplier may use it, and the bill keeps its own when it is edited.
    other = p.supplier(other_than=supplier)
    assert p.post(BILL_CREATE, p.bill_form(supplier=other, reference=reference)).status_code == 302
    edited = p.post(
        reverse("payables:bill-edit", args=[earlier.pk]),
        p.bill_form(supplier=supplier, reference=reference, currency=earlier.currency),
    )
    assert edited.status_code == 302, form_errors(edited, "reference")


@pytest.mark.parametrize("rules", having(lambda r: r.unique_reference_per_supplier))
def test_a_reference_used_in_the_platform_since_lands_on_the_reference_field(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    made_there = p.send("POST", "bills", p.bill_json(supplier=supplier, reference="THERE-1"))
    assert made_there.status_code == 201, made_there.text

    response = p.post(BILL_CREATE, p.bill_form(supplier=supplier, reference="THERE-1"))

    assert form_errors(response, "reference") == [rules.messages.duplicate_reference]
    assert Bill.objects.filter(company=p.company, reference="THERE-1").count() == 0


# --- Bills: dates, and what the platform no longer has -------------------------------------------


@pytest.mark.parametrize("rules", ALL)
def test_a_due_date_before_the_issue_date_is_refused(on, rules) -> None:
    p = on(rules)

    response = p.post(BILL_CREATE, p.bill_form(due_date="2026-02-01"))

    assert form_errors(response, "due_date") == ["The due date cannot be before the issue date."]
    assert p.nothing_sent()
    sent = p.send("POST", "bills", p.bill_json(due_date=dt.date(2026, 2, 1)))
    if rules.due_date_not_before_issue:
        assert p.refused(sent) == [rules.messages.due_before_issue]
    else:
        # The platform takes it; billpay keeps its own, stricter rule for every platform.
        assert sent.status_code == 201, sent.text


@pytest.mark.parametrize("rules", ALL)
def test_a_supplier_gone_from_the_platform_lands_on_the_supplier_field(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    LedgerRecord.objects.filter(
        connection=p.built.ledger, dataset=Dataset.SUPPLIERS, record_id=supplier.codat_id
    ).delete()

    response = p.post(BILL_CREATE, p.bill_form(supplier=supplier))

    assert form_errors(response, "supplier") == [
        rules.messages.supplier_not_found.format(id=supplier.codat_id)
    ]
    assert not Bill.objects.filter(company=p.company, reference="PR-1").exists()


@pytest.mark.parametrize("rules", ALL)
def test_an_account_gone_from_the_platform_lands_on_the_lines(on, rules) -> None:
    p = on(rules)
    account = p.account()
    LedgerRecord.objects.filter(
        connection=p.built.ledger, dataset=Dataset.ACCOUNTS, record_id=account.codat_id
    ).delete()

    response = p.post(BILL_CREATE, p.bill_form())

    wanted = rules.messages.account_not_found.format(label="Account Ref")
    assert response.context["form"].line_errors == [wanted]
    assert form_errors(response, "__all__") == [
        "The ledger refused this: see the fields marked below."
    ]
    html = response.content.decode()
    assert shown(wanted) in html


# --- Where each of the platform's texts lands ------------------------------------------------------

SAMPLE = {
    "label": "Account Ref",
    "id": "1042",
    "currency": "USD",
    "supplier_currency": "GBP",
    "status": "Paid",
    "limit": "40",
    "name": "Acme Ltd",
    "account_type": "credit",
}
FORMS = (
    ("bill", platform_checks.BILL_FIELDS, platform_checks.BILL_HINTS),
    ("supplier", platform_checks.SUPPLIER_FIELDS, platform_checks.SUPPLIER_HINTS),
    ("bank account", platform_checks.BANK_ACCOUNT_FIELDS, platform_checks.BANK_ACCOUNT_HINTS),
)


@pytest.mark.parametrize("rules", ALL)
@pytest.mark.parametrize(("form", "by_kind", "hints"), FORMS, ids=[f[0] for f in FORMS])
def test_every_text_of_the_platform_lands_on_its_field(rules, form, by_kind, hints) -> None:
    for kind, field in by_kind.items():
        template = getattr(rules.messages, kind)
        if template is None:
            continue
        text = template.format(**SAMPLE)

        placed, top = platform_checks.refusal_fields(rules, [text], by_kind=by_kind, hints=hints)

        assert (placed, top) == ({field: [text]}, []), kind


# --- Suppliers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", ALL)
def test_a_supplier_without_a_name_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    wanted = f"Enter the supplier's name: {rules.name} needs one."

    created = p.post(SUPPLIER_CREATE, {"name": "   ", "email_address": "ann@example.com"})
    edited = p.post(supplier_edit(supplier), {"name": "", "phone": "+44 1"})

    assert form_errors(created, "name") == [wanted]
    assert form_errors(edited, "name") == [wanted]
    for write in (
        lambda: supplier_create(company=p.company, name=" "),
        lambda: supplier_update(supplier=supplier, name=""),
    ):
        with pytest.raises(SupplierError) as caught:
            write()
        assert caught.value.field_errors["name"] == [wanted]
    assert p.nothing_sent()
    assert p.document(Dataset.SUPPLIERS, supplier.codat_id)["supplierName"] == supplier.name
    nameless = {"status": "Active", "contactName": None}
    assert p.refused(p.send("POST", "suppliers", nameless)) == [
        "`Supplier Name` must not be empty."
    ]
    # An update without a name: kept on some platforms, refused on the others (billpay always
    # sends one).
    sent = p.send("PUT", f"suppliers/{supplier.codat_id}", nameless)
    if rules.supplier_name_on_update is SupplierNameOnUpdate.KEEPS_NAME:
        assert sent.status_code == 200, sent.text
        assert sent.json()["supplierName"] == supplier.name
    else:
        assert p.refused(sent) == [rules.messages.supplier_name_missing]


@pytest.mark.parametrize("rules", having(lambda r: r.supplier_currency is SupplierCurrency.FIXED))
def test_a_suppliers_currency_fixed_at_creation_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    current = supplier.default_currency
    other = p.other_currency(current)
    wanted = (
        f"A supplier's currency cannot be changed in {rules.name} once it is created: "
        f"{supplier.name} stays in {current}."
    )

    new_page = p.web.get(SUPPLIER_CREATE).content.decode()
    edit_page = p.web.get(supplier_edit(supplier)).content.decode()
    response = p.post(supplier_edit(supplier), {"name": supplier.name, "default_currency": other})

    hint = shown(platform_checks.supplier_currency_fixed_hint(rules))
    assert hint in new_page
    assert hint in edit_page
    assert 'name="default_currency"' in new_page
    assert " disabled" not in _input(new_page, "default_currency")
    assert " disabled" in _input(edit_page, "default_currency")
    assert form_errors(response, "default_currency") == [wanted]
    with pytest.raises(SupplierError) as caught:
        supplier_update(supplier=supplier, name=supplier.name, default_currency=other)
    assert caught.value.field_errors["default_currency"] == [wanted]
    assert p.nothing_sent()
    assert p.document(Dataset.SUPPLIERS, supplier.codat_id)["defaultCurrency"] == current
    sent = p.send(
        "PUT",
        f"suppliers/{supplier.codat_id}",
        {"supplierName": supplier.name, "status": "Active", "defaultCurrency": other},
    )
    assert p.refused(sent) == [rules.messages.supplier_currency_fixed]
    # The disabled field is not sent: the rest of the change goes through, the currency kept.
    saved = p.post(supplier_edit(supplier), {"name": supplier.name, "phone": "+44 20 7946 0000"})
    assert saved.status_code == 302
    document = p.document(Dataset.SUPPLIERS, supplier.codat_id)
    assert (document["phone"], document["defaultCurrency"]) == ("+44 20 7946 0000", current)


def _input(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[html.rindex("<", 0, start) : html.index(">", start)]


@pytest.mark.parametrize(
    "rules", having(lambda r: r.supplier_currency is SupplierCurrency.BASE_ONLY)
)
def test_a_supplier_has_no_currency_where_the_platform_keeps_none(on, rules) -> None:
    p = on(rules)
    other = p.other_currency(p.base)
    wanted = f"{rules.name} suppliers are always in {p.base}: leave the currency empty."

    page = p.web.get(SUPPLIER_CREATE).content.decode()
    # A currency posted anyway is no field of the form: the supplier is the base currency's.
    response = p.post(SUPPLIER_CREATE, {"name": "Base Only Ltd", "default_currency": other})

    assert 'name="default_currency"' not in page
    assert shown(f"{rules.name} suppliers are always in {p.base}") in page
    assert response.status_code == 302
    created = Supplier.objects.get(company=p.company, name="Base Only Ltd")
    assert p.document(Dataset.SUPPLIERS, created.codat_id)["defaultCurrency"] == p.base
    p.recorder.clear()
    with pytest.raises(SupplierError) as caught:
        supplier_create(company=p.company, name="Foreign Ltd", default_currency=other)
    assert caught.value.field_errors["default_currency"] == [wanted]
    assert p.nothing_sent()
    # The platform ignores a currency sent: why billpay refuses to pretend it took one.
    sent = p.send(
        "POST",
        "suppliers",
        {"supplierName": "Foreign Ltd", "status": "Active", "defaultCurrency": other},
    )
    assert sent.status_code == 201
    assert sent.json()["defaultCurrency"] == p.base


@pytest.mark.parametrize(
    "rules", having(lambda r: r.supplier_currency is SupplierCurrency.CHANGEABLE)
)
def test_a_suppliers_currency_can_be_changed_where_the_platform_allows_it(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    other = p.other_currency(p.bill_currency(supplier))

    page = p.web.get(supplier_edit(supplier)).content.decode()
    response = p.post(
        supplier_edit(supplier),
        {"name": supplier.name, "contact_name": supplier.contact_name, "default_currency": other},
    )

    assert " disabled" not in _input(page, "default_currency")
    assert response.status_code == 302
    assert p.document(Dataset.SUPPLIERS, supplier.codat_id)["defaultCurrency"] == other


@pytest.mark.parametrize("rules", having(lambda r: not r.contact_name_on_update))
def test_a_contact_name_the_platform_ignores_on_a_change_is_not_sent(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    wanted = platform_checks.contact_name_fixed_hint(rules)

    page = p.web.get(supplier_edit(supplier)).content.decode()
    response = p.post(
        supplier_edit(supplier), {"name": supplier.name, "contact_name": "Someone Else"}
    )

    assert " disabled" in _input(page, "contact_name")
    assert form_errors(response, "contact_name") == [wanted]
    with pytest.raises(SupplierError) as caught:
        supplier_update(supplier=supplier, name=supplier.name, contact_name="Someone Else")
    assert caught.value.field_errors["contact_name"] == [wanted]
    assert p.nothing_sent()
    sent = p.send(
        "PUT",
        f"suppliers/{supplier.codat_id}",
        {"supplierName": supplier.name, "status": "Active", "contactName": "Someone Else"},
    )
    assert sent.status_code == 200
    assert sent.json()["contactName"] is None  # ignored, and served as null


@pytest.mark.parametrize(
    "rules", having(lambda r: r.archived_supplier_update is not ArchivedSupplierUpdate.APPLIED)
)
def test_an_archived_supplier_the_platform_will_not_change_is_refused_first(on, rules) -> None:
    p = on(rules)
    supplier = p.supplier()
    p.change_in_ledger(Dataset.SUPPLIERS, supplier.codat_id, status="Archived")
    Supplier.objects.filter(pk=supplier.pk).update(status=Supplier.Status.ARCHIVED)
    supplier.refresh_from_db()
    wanted = platform_checks.archived_supplier_refusal(rules, supplier)
    assert wanted

    page = p.web.get(supplier_edit(supplier)).content.decode()
    response = p.post(supplier_edit(supplier), {"name": "Renamed Ltd"})

    assert shown(wanted) in page
    assert form_errors(response, "__all__") == [wanted]
    with pytest.raises(SupplierError) as caught:
        supplier_update(supplier=supplier, name="Renamed Ltd")
    assert caught.value.field_errors["__all__"] == [wanted]
    assert p.nothing_sent()
    sent = p.send(
        "PUT",
        f"suppliers/{supplier.codat_id}",
        {"supplierName": "Renamed Ltd", "status": "Archived"},
    )
    if rules.archived_supplier_update is ArchivedSupplierUpdate.REFUSED:
        assert p.refused(sent) == [rules.messages.archived_supplier.format(id=supplier.codat_id)]
    else:
        # Answered 200, and nothing changed: the change would be lost without a word.
        assert sent.status_code == 200
        assert p.document(Dataset.SUPPLIERS, supplier.codat_id)["supplierName"] == supplier.name


@pytest.mark.parametrize("rules", ALL)
def test_a_supplier_name_the_platform_has_lands_on_the_name_field(on, rules) -> None:
    p = on(rules)
    taken = p.supplier()

    response = p.post(SUPPLIER_CREATE, {"name": taken.name})

    if rules.unique_supplier_names:
        assert form_errors(response, "name") == [
            rules.messages.duplicate_supplier.format(name=taken.name)
        ]
        assert Supplier.objects.filter(company=p.company, name=taken.name).count() == 1
    else:
        assert response.status_code == 302
        assert Supplier.objects.filter(company=p.company, name=taken.name).count() == 2


@pytest.mark.parametrize("rules", having(lambda r: r.messages.invalid_email is not None))
def test_an_email_address_the_platform_refuses_lands_on_its_field(on, rules) -> None:
    p = on(rules)

    # Valid to billpay (a host name), not to the platform.
    response = p.post(SUPPLIER_CREATE, {"name": "Local Mail Ltd", "email_address": "ann@localhost"})

    assert form_errors(response, "email_address") == [rules.messages.invalid_email]
    assert not Supplier.objects.filter(company=p.company, name="Local Mail Ltd").exists()


# --- Bank accounts -----------------------------------------------------------------------------------


def bank_form(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Payroll account",
        "account_type": "Debit",
        "account_number": "0120 0440",
        "sort_code": "50-50-50",
        "nominal_code": "1099",
        "currency": "GBP",
        "idempotency_key": str(uuid.uuid4()),
        **changes,
    }


def bank_json(**changes: Any) -> dict[str, Any]:
    prototype = codat.BankAccountPrototype(
        name="Payroll account",
        account_type=codat.BankAccountType(changes.pop("account_type", "Debit")),
        account_number="0120 0440",
        currency="GBP",
        sort_code="50-50-50",
        nominal_code=changes.pop("nominal_code", "1099"),
    )
    return {**prototype.to_json(), **changes}


@pytest.mark.parametrize("rules", ALL)
def test_only_the_account_types_the_platform_creates_are_offered(on, rules) -> None:
    p = on(rules)
    creatable = sorted(rules.creatable_bank_account_types)

    page = p.web.get(BANK_ACCOUNT_CREATE).content.decode()
    response = p.post(BANK_ACCOUNT_CREATE, bank_form(account_type="Credit"))

    if creatable == ["Debit"]:
        wanted = platform_checks.bank_account_type_problem(rules, "Credit")
        assert '<select name="account_type"' not in page
        assert '<input type="hidden" name="account_type" value="Debit"' in page
        assert shown(platform_checks.bank_account_type_note(rules)) in page
        assert form_errors(response, "account_type") == [wanted]
        with pytest.raises(PaymentError) as caught:
            bank_account_create(
                company=p.company,
                name="Payroll account",
                account_type="Credit",
                account_number="1",
                currency="GBP",
                idempotency_key=uuid.uuid4(),
                nominal_code="1099",
            )
        assert caught.value.field_errors["account_type"] == [wanted]
        assert p.nothing_sent()
        sent = p.send("POST", "bankAccounts", bank_json(account_type="Credit"))
        assert p.refused(sent) == [rules.messages.bank_account_type.format(account_type="credit")]
    else:
        assert '<select name="account_type"' in page
        assert response.status_code == 302
        account = BankAccount.objects.get(company=p.company, name="Payroll account")
        assert p.document(Dataset.BANK_ACCOUNTS, account.codat_id)["accountType"] == "Credit"


@pytest.mark.parametrize("rules", having(lambda r: r.bank_account_code_required))
def test_a_bank_account_without_its_ledger_code_is_refused_where_the_platform_needs_one(
    on, rules
) -> None:
    p = on(rules)
    wanted = platform_checks.bank_account_code_missing(rules)

    response = p.post(BANK_ACCOUNT_CREATE, bank_form(nominal_code=""))

    assert form_errors(response, "nominal_code") == [wanted]
    with pytest.raises(PaymentError) as caught:
        bank_account_create(
            company=p.company,
            name="Payroll account",
            account_type="Debit",
            account_number="1",
            currency="GBP",
            idempotency_key=uuid.uuid4(),
        )
    assert caught.value.field_errors["nominal_code"] == [wanted]
    assert p.nothing_sent()
    assert not BankAccount.objects.filter(company=p.company, name="Payroll account").exists()
    sent = p.send("POST", "bankAccounts", bank_json(nominal_code=None))
    assert p.refused(sent) == [rules.messages.bank_account_code_missing]


@pytest.mark.parametrize("rules", having(lambda r: not r.bank_account_code_required))
def test_a_bank_account_needs_no_ledger_code_elsewhere(on, rules) -> None:
    p = on(rules)

    response = p.post(BANK_ACCOUNT_CREATE, bank_form(nominal_code=""))

    assert response.status_code == 302, form_errors(response, "nominal_code")


@pytest.mark.parametrize("rules", ALL)
def test_a_bank_account_name_the_platform_has_lands_on_the_name_field(on, rules) -> None:
    p = on(rules)
    taken = BankAccount.objects.filter(company=p.company).order_by("id").first()
    assert taken is not None

    response = p.post(BANK_ACCOUNT_CREATE, bank_form(name=taken.name, nominal_code="7777"))

    assert form_errors(response, "name") == [rules.messages.duplicate_bank_account]
    assert form_errors(response, "__all__") == [
        "The ledger refused the bank account: see the fields marked below."
    ]


# --- Paying a bill in another currency -----------------------------------------------------------


@pytest.mark.parametrize("rules", ALL)
def test_a_foreign_bill_paid_from_the_base_account_needs_a_rate(on, rules) -> None:
    p = on(rules)
    foreign = p.other_currency(p.base)
    supplier = supplier_create(
        company=p.company,
        name="Abroad Inc",
        default_currency="" if rules.supplier_currency is SupplierCurrency.BASE_ONLY else foreign,
    )
    bill = p.create(supplier=supplier, currency=foreign, reference="ABROAD-1")
    bank = p.built.bank(p.base)
    p.recorder.clear()
    data = {
        "amount": str(bill.amount_due),
        "paid_on": dt.date.today().isoformat(),
        "bank_account": bank.pk,
    }

    form = PayForm(data, company=p.company, bill=bill)

    assert not form.is_valid()
    (message,) = form.errors["currency_rate"]
    assert message.startswith(f"Enter the currency rate: how many {p.base} one {foreign} is worth")
    booked_at_one = f"Without one, {rules.name} would book the payment at a rate of 1."
    assert (booked_at_one in message) is (rules.missing_currency_rate is MissingRate.RATE_ONE)
    assert p.nothing_sent()
    sent = p.send(
        "POST",
        f"bills/{bill.codat_id}/payment",
        codat.BillPaymentPrototype(
            amount=bill.amount_due, date=dt.date.today(), account_id=bank.codat_id
        ).to_json(),
    )
    if rules.missing_currency_rate is MissingRate.RATE_ONE:
        # The platform books it at 1: why billpay always sends a rate.
        assert sent.status_code == 201, sent.text
        assert Decimal(str(sent.json()["currencyRate"])) == 1
    else:
        (refusal,) = p.refused(sent)
        assert refusal.startswith("`Currency Rate` must not be empty")


# --- Attachments --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", ALL)
def test_a_file_type_the_platform_does_not_take_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    extension = next(e for e in sorted(CONTENT_TYPES) if e not in rules.attachment_extensions)
    bill = p.built.bill()
    name = f"scan.{extension}"

    with pytest.raises(AttachmentError) as caught:
        attachment_upload(bill=bill, upload=SimpleUploadedFile(name, b"%PDF-1.4 data"))

    assert caught.value.message.startswith(
        f"“{name}”: {rules.name} does not take .{extension} files"
    )
    assert not Attachment.objects.filter(bill=bill).exists()
    assert p.nothing_sent()
    sent = p.send(
        "POST",
        f"bills/{bill.codat_id}/attachments",
        files={"file": (name, b"%PDF-1.4 data", "application/pdf")},
    )
    (refusal,) = p.refused(sent)
    assert refusal.startswith(f"Files `.{extension}` cannot be attached in {rules.name}")


@pytest.mark.parametrize("rules", having(lambda r: r.max_attachment_bytes <= 5 * MB))
def test_a_file_over_the_platforms_size_is_refused_on_both_sides(on, rules) -> None:
    p = on(rules)
    bill = p.built.bill()
    content = b"%PDF-1.4\n" + b"0" * rules.max_attachment_bytes

    with pytest.raises(AttachmentError) as caught:
        attachment_upload(bill=bill, upload=SimpleUploadedFile("big.pdf", content))

    assert (
        f"{rules.name} takes files up to {rules.max_attachment_bytes // MB} MB."
        in caught.value.message
    )
    assert p.nothing_sent()
    sent = p.send(
        "POST",
        f"bills/{bill.codat_id}/attachments",
        files={"file": ("big.pdf", content, "application/pdf")},
    )
    (refusal,) = p.refused(sent)
    assert refusal.startswith(
        f"`File Size` must be less than or equal to {rules.max_attachment_bytes // MB} MB in {rules.name}"
    )


@pytest.mark.parametrize("rules", having(lambda r: r.refuses_generic_upload))
def test_a_file_goes_with_its_own_type_where_the_platform_refuses_a_generic_one(
    on, rules, enqueued_attachment
) -> None:
    p = on(rules)
    bill = p.built.bill()

    attachment = attachment_upload(
        bill=bill, upload=SimpleUploadedFile("bill.pdf", b"%PDF-1.4 data")
    )

    assert attachment.content_type == "application/pdf"
    assert attachment.sync_status == Attachment.SyncStatus.SYNCED
    sent = p.send(
        "POST",
        f"bills/{bill.codat_id}/attachments",
        files={"file": ("bill.pdf", b"%PDF-1.4 data", "application/octet-stream")},
    )
    assert p.refused(sent) == [rules.messages.generic_upload]
