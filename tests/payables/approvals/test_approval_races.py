"""Two approvers deciding the last step at once give exactly one approval (PostgreSQL, real
threads, autocommit as in production)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from accounts.models import Membership
from payables.errors import ApprovalError
from payables.models import ApprovalDecision, ApprovalRequest
from payables.policies import Policy
from payables.services import approvals
from tests.accounts.factories import CompanyFactory, MembershipFactory
from tests.payables.factories import BillFactory
from tests.services import service_missing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Role = Membership.Role


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    if connections["default"].vendor != "postgresql":
        service_missing("PostgreSQL", "the default database is not PostgreSQL")


@pytest.mark.parametrize("rounds", range(3))
def test_two_approvers_on_the_last_step_give_one_approval(rounds: int) -> None:
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role=Role.OWNER).user
    first, second = (MembershipFactory(company=company, role=Role.APPROVER).user for _ in "ab")
    approvals.approval_policy_save(
        company=company,
        user=owner,
        policy=Policy.from_json(
            {
                "rules": [
                    {
                        "name": "Any",
                        "conditions": {"min_amount": "0"},
                        "steps": [{"approvers": "role", "role": "approver", "required": 1}],
                    }
                ]
            }
        ),
    )
    bill = BillFactory(company=company, total_amount=Decimal("900"))
    approvals.bills_route(company, [bill], [[]])
    request = ApprovalRequest.objects.live().get(bill=bill)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            approvals.approval_decide(request=request, user=user, kind="approve")
            outcomes.append("approved")
        except ApprovalError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["This bill is already approved.", "approved"]
    request.refresh_from_db()
    assert request.state == ApprovalRequest.State.APPROVED
    assert ApprovalDecision.objects.filter(request=request).count() == 1
