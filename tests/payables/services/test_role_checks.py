"""Services that write check the acting member's role themselves, so that a caller other than a
view (a script, a new endpoint that forgot @requires) cannot skip the decision."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.audit import acting_as
from accounts.models import Company, Membership, User
from accounts.permissions import NotAllowed
from payables.models import Payment, Supplier
from payables.services.bills import bill_create
from payables.services.payments import bank_account_create, bill_pay
from payables.services.suppliers import supplier_create
from tests.accounts.factories import MembershipFactory
from tests.payables.factories import BankAccountFactory, BillFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _member(company: Company, role: str, **extra: object) -> User:
    return MembershipFactory(company=company, role=role, **extra).user


def _pay(company: Company, user: User | None = None) -> Payment:
    bill = BillFactory(company=company)
    return bill_pay(
        company=company,
        bill=bill,
        bank_account=BankAccountFactory(company=company),
        amount=Decimal("1.00"),
        paid_on=dt.date(2026, 1, 5),
        idempotency_key=uuid.uuid4(),
        amount_due=bill.amount_due,
        user=user,
    )


def test_a_clerk_cannot_pay_through_the_service(company: Company) -> None:
    clerk = _member(company, Membership.Role.CLERK)

    with pytest.raises(NotAllowed, match=r"Your role \(Clerk\) cannot pay bills"):
        _pay(company, clerk)
    assert not Payment.objects.exists()


def test_the_request_user_is_checked_when_no_user_is_passed(company: Company) -> None:
    viewer = _member(company, Membership.Role.VIEWER)

    with acting_as(viewer), pytest.raises(NotAllowed, match="add or edit suppliers"):
        supplier_create(company=company, name="Sneaky Ltd")
    assert not Supplier.objects.filter(name="Sneaky Ltd").exists()


def test_a_deactivated_member_is_no_member(company: Company) -> None:
    gone = _member(company, Membership.Role.ADMIN, deactivated_at=timezone.now())

    with pytest.raises(NotAllowed, match="not a member of this company"):
        bank_account_create(
            company=company,
            name="Mule account",
            account_type="Debit",
            account_number="12345678",
            currency="GBP",
            idempotency_key=uuid.uuid4(),
            user=gone,
        )


def test_a_member_of_another_company_is_refused(company: Company, other_company: Company) -> None:
    stranger = other_company.memberships.get().user

    with pytest.raises(NotAllowed, match="not a member"):
        bill_create(
            company=company,
            supplier=SupplierFactory(company=company),
            reference="X-1",
            issue_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 1, 31),
            currency="GBP",
            lines=[],
            idempotency_key=uuid.uuid4(),
            user=stranger,
        )


def test_a_payer_may_not_add_a_bank_account(company: Company) -> None:
    payer = _member(company, Membership.Role.PAYER)

    with pytest.raises(NotAllowed, match=r"Payer\) cannot add bank accounts"):
        bank_account_create(
            company=company,
            name="New",
            account_type="Debit",
            account_number="1",
            currency="GBP",
            idempotency_key=uuid.uuid4(),
            user=payer,
        )
