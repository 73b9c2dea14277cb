"""Requests, decisions, resets, the backlog and the payment gate (payables.services.approvals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Membership
from payables.errors import ApprovalError
from payables.models import ApprovalDelegation, ApprovalPolicy, ApprovalRequest, Bill, Payment
from payables.policies import Policy, Source
from payables.services import approvals
from tests.accounts.factories import CompanyFactory, MembershipFactory
from tests.payables.factories import BillFactory, PaymentFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
State = ApprovalRequest.State


def two_step_policy(order: str = "sequential") -> Policy:
    return Policy.from_json(
        {
            "rules": [
                {
                    "name": "Large bills",
                    "conditions": {"min_amount": "1000"},
                    "order": order,
                    "steps": [
                        {"name": "Approver", "approvers": "role", "role": "approver"},
                        {"name": "Admin", "approvers": "role", "role": "admin"},
                    ],
                }
            ],
            "fallback": {"steps": []},
        }
    )


@pytest.fixture
def team():  # type: ignore[no-untyped-def]
    company = CompanyFactory()
    people = {
        role: MembershipFactory(company=company, role=role).user
        for role in (Role.OWNER, Role.APPROVER, Role.ADMIN, Role.PAYER, Role.CLERK)
    }
    return company, people


def route(bill: Bill, *, user=None, source=Source.LEDGER) -> ApprovalRequest:  # type: ignore[no-untyped-def]
    submitted = approvals.Submitted(user=user, source=source) if user else None
    approvals.bills_route(bill.company, [bill], [["acc-1"]], submitted=submitted)
    return ApprovalRequest.objects.live().get(bill=bill)


def activate(company, owner, policy=None):  # type: ignore[no-untyped-def]
    # Two owners/admins: a change is proposed, then confirmed by the other.
    row = approvals.approval_policy_save(
        company=company, user=owner, policy=policy or two_step_policy()
    )
    assert row.status == ApprovalPolicy.Status.PROPOSED
    admin = Membership.objects.get(company=company, role=Role.ADMIN).user
    return approvals.approval_policy_confirm(policy=row, user=admin)


def test_a_change_needs_a_second_owner_or_admin_who_is_not_its_author(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    row = approvals.approval_policy_save(
        company=company, user=people[Role.OWNER], policy=two_step_policy()
    )
    with pytest.raises(ApprovalError, match="another owner or admin"):
        approvals.approval_policy_confirm(policy=row, user=people[Role.OWNER])
    approvals.approval_policy_confirm(policy=row, user=people[Role.ADMIN])
    row.refresh_from_db()
    assert row.status == ApprovalPolicy.Status.ACTIVE
    assert row.version == 1


def test_the_first_policy_routes_the_backlog_and_an_owner_approves_it_at_once(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    big = BillFactory(company=company, total_amount=Decimal("5000"))
    small = BillFactory(company=company, total_amount=Decimal("50"))
    activate(company, people[Role.OWNER])
    assert ApprovalRequest.objects.live().get(bill=big).state == State.PENDING
    assert ApprovalRequest.objects.live().get(bill=small).state == State.NOT_REQUIRED
    with pytest.raises(Exception, match="cannot approve or exempt"):
        approvals.approval_backlog_approve(company=company, user=people[Role.ADMIN])
    assert approvals.approval_backlog_approve(company=company, user=people[Role.OWNER]) == 1
    request = ApprovalRequest.objects.live().get(bill=big)
    assert request.state == State.APPROVED
    assert request.approved_amount == Decimal("5000")


def test_the_backlog_can_be_exempted_up_to_a_due_date(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    today = dt.date.today()
    soon = BillFactory(company=company, total_amount=Decimal("5000"), due_date=today)
    later = BillFactory(
        company=company, total_amount=Decimal("5000"), due_date=today + dt.timedelta(days=30)
    )
    activate(company, people[Role.OWNER])
    approvals.approval_backlog_exempt(
        company=company, user=people[Role.OWNER], due_on_or_before=today
    )
    assert ApprovalRequest.objects.live().get(bill=soon).state == State.NOT_REQUIRED
    assert ApprovalRequest.objects.live().get(bill=later).state == State.PENDING


def test_steps_in_order_with_separation_of_duties(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    activate(company, people[Role.OWNER])
    bill = BillFactory(company=company, total_amount=Decimal("1500"))
    request = route(bill, user=people[Role.APPROVER], source=Source.BILLPAY)
    # The approver entered it: not theirs to approve; the admin's step is not open yet.
    with pytest.raises(ApprovalError, match="someone else must approve"):
        approvals.approval_decide(request=request, user=people[Role.APPROVER], kind="approve")
    with pytest.raises(ApprovalError, match="not yours"):
        approvals.approval_decide(request=request, user=people[Role.ADMIN], kind="approve")
    # The clerk edits it (nothing raised): the clerk is now the submitter, the approver may act.
    request = route(bill, user=people[Role.CLERK], source=Source.BILLPAY)
    approvals.approval_decide(request=request, user=people[Role.APPROVER], kind="approve")
    with pytest.raises(ApprovalError, match="already decided"):
        approvals.approval_decide(request=request, user=people[Role.APPROVER], kind="approve")
    assert approvals.waiting_for(company, people[Role.ADMIN]) == [request]
    done = approvals.approval_decide(request=request, user=people[Role.ADMIN], kind="approve")
    assert done.state == State.APPROVED
    assert done.approved_amount == Decimal("1500")
    assert approvals.waiting_for(company, people[Role.ADMIN]) == []


def test_a_decline_needs_a_reason_and_a_resubmit_starts_over(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    activate(company, people[Role.OWNER])
    bill = BillFactory(company=company, total_amount=Decimal("1500"))
    request = route(bill, user=people[Role.CLERK], source=Source.BILLPAY)
    with pytest.raises(ApprovalError, match="Say why"):
        approvals.approval_decide(request=request, user=people[Role.APPROVER], kind="decline")
    declined = approvals.approval_decide(
        request=request, user=people[Role.APPROVER], kind="decline", comment="Wrong PO"
    )
    assert declined.state == State.DECLINED
    assert "Wrong PO" in declined.reason
    again = approvals.approval_resubmit(request=declined, user=people[Role.CLERK])
    assert again.state == State.PENDING
    assert again.pk != declined.pk


def test_a_raised_total_resets_a_lower_one_does_not(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    activate(company, people[Role.OWNER])
    bill = BillFactory(company=company, total_amount=Decimal("1500"))
    request = route(bill)
    for user in (people[Role.APPROVER], people[Role.ADMIN]):
        request = approvals.approval_decide(request=request, user=user, kind="approve")
    bill.amount_due = Decimal("1000")
    bill.status = Bill.Status.PARTIALLY_PAID
    assert route(bill).pk == request.pk  # paid elsewhere: still approved
    bill.total_amount = Decimal("1600")
    fresh = route(bill)
    assert fresh.pk != request.pk
    assert fresh.state == State.PENDING
    request.refresh_from_db()
    assert request.state == State.RESET
    assert "went up from 1500" in request.reason


def test_delegation_lets_a_stand_in_approve_for_the_time_away(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    activate(company, people[Role.OWNER])
    stand_in = MembershipFactory(company=company, role=Role.ACCOUNTANT).user
    today = dt.date.today()
    ApprovalDelegation.objects.create(
        company=company,
        from_user=people[Role.APPROVER],
        to_user=stand_in,
        starts_on=today,
        ends_on=today,
    )
    request = route(BillFactory(company=company, total_amount=Decimal("1500")))
    decided = approvals.approval_decide(request=request, user=stand_in, kind="approve")
    decision = decided.decisions.get()
    assert decision.user == stand_in
    assert decision.for_user == people[Role.APPROVER]
    tomorrow = today + dt.timedelta(days=1)
    other = route(BillFactory(company=company, total_amount=Decimal("1500")))
    with pytest.raises(ApprovalError):
        approvals.approval_decide(request=other, user=stand_in, kind="approve", today=tomorrow)


def test_payment_gate(team) -> None:  # type: ignore[no-untyped-def]
    company, people = team
    activate(company, people[Role.OWNER])
    bill = BillFactory(company=company, total_amount=Decimal("1500"))
    request = route(bill)
    payer, approver = people[Role.PAYER], people[Role.APPROVER]

    def gate(amount: str, user=payer):  # type: ignore[no-untyped-def]
        return approvals.payment_gate(company=company, bill=bill, amount=Decimal(amount), user=user)

    with pytest.raises(ApprovalError, match="waiting for approval"):
        gate("10")
    for user in (approver, people[Role.ADMIN]):
        request = approvals.approval_decide(request=request, user=user, kind="approve")
    with pytest.raises(ApprovalError, match="You approved this bill"):
        gate("10", user=approver)
    assert gate("1500") == request
    PaymentFactory(
        company=company,
        bill=bill,
        amount=Decimal("1000"),
        approval=request,
        status=Payment.Status.SUCCEEDED,
    )
    with pytest.raises(ApprovalError, match=r"at most 500\.00 GBP"):
        gate("500.01")
    company.approver_may_pay = True
    assert gate("500", user=approver) == request


def test_no_policy_no_gate(team) -> None:  # type: ignore[no-untyped-def]
    company, _people = team
    bill = BillFactory(company=company)
    assert approvals.payment_gate(company=company, bill=bill, amount=Decimal(1), user=None) is None
    assert not ApprovalRequest.objects.exists()
