"""Bills pulled from the ledger are covered: the first policy routes the imported backlog, a
refresh routes what it pulls, and a total raised inside the accounting platform resets the
approval (the sandbox ledger stands in for Xero; the refresh runs as the worker would)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Membership
from payables.models import ApprovalRequest, Bill
from payables.policies import Policy
from payables.services import approvals
from payables.services.sync import Trigger, payables_refresh_start
from payables.tasks import payables_refresh
from sandbox.models import Dataset
from sandbox.services import platform_record_edit
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])
State = ApprovalRequest.State


def policy(threshold: str) -> Policy:
    return Policy.from_json(
        {
            "rules": [
                {
                    "name": "Over the threshold",
                    "conditions": {"min_amount": threshold},
                    "steps": [{"name": "Approver", "approvers": "role", "role": "approver"}],
                }
            ],
            "fallback": {"steps": []},
        }
    )


def refresh(imported, enqueued_refresh) -> None:  # type: ignore[no-untyped-def]
    run = payables_refresh_start(
        company=imported.company, connection=imported.connection, trigger=Trigger.USER
    )
    enqueued_refresh.assert_called_with(run.pk)
    payables_refresh(run.pk)


def test_the_backlog_is_routed_and_a_total_raised_in_the_ledger_resets_it(  # type: ignore[no-untyped-def]
    imported, user, enqueued_refresh
) -> None:
    company = imported.company
    approver = MembershipFactory(company=company, role=Membership.Role.APPROVER).user
    unpaid = list(Bill.objects.for_company(company).unpaid().filter(currency=company.base_currency))
    bill = max(unpaid, key=lambda b: b.total_amount)
    threshold = bill.total_amount - Decimal("0.01")

    # The only owner sets the first policy: active at once, the imported bills are its backlog.
    approvals.approval_policy_save(company=company, user=user, policy=policy(str(threshold)))
    request = ApprovalRequest.objects.live().get(bill=bill)
    assert (request.state, request.backlog, request.source) == (State.PENDING, True, "ledger")
    request = approvals.approval_decide(request=request, user=approver, kind="approve")
    assert request.state == State.APPROVED

    # Inside the accounting platform someone adds a line of 100 to the bill.
    document = next(d for d in imported.documents(Dataset.BILLS) if d["id"] == bill.codat_id)
    extra = {
        "description": "Extra work, added in the ledger",
        "unitAmount": Decimal(100),
        "quantity": Decimal(1),
        "taxAmount": Decimal(0),
        "totalAmount": Decimal(100),
        "accountRef": document["lineItems"][0]["accountRef"],
    }
    changes = {
        "lineItems": [*document["lineItems"], extra],
        "totalAmount": Decimal(str(document["totalAmount"])) + 100,
        "amountDue": Decimal(str(document["amountDue"])) + 100,
    }
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        platform_record_edit(
            connection=imported.ledger,
            dataset=Dataset.BILLS,
            record_id=bill.codat_id,
            changes=changes,
        )
        refresh(imported, enqueued_refresh)

    request.refresh_from_db()
    assert request.state == State.RESET
    assert "went up" in request.reason
    fresh = ApprovalRequest.objects.live().get(bill=bill)
    assert fresh.state == State.PENDING
    assert fresh.backlog is False
    assert Decimal(fresh.snapshot["total"]) == bill.total_amount + 100


def test_a_paid_part_in_the_ledger_keeps_the_approval(  # type: ignore[no-untyped-def]
    imported, user, enqueued_refresh
) -> None:
    company = imported.company
    approver = MembershipFactory(company=company, role=Membership.Role.APPROVER).user
    approvals.approval_policy_save(company=company, user=user, policy=policy("0"))
    bill = Bill.objects.for_company(company).unpaid().filter(amount_due__gt=10).first()
    assert bill is not None
    request = approvals.approval_decide(
        request=ApprovalRequest.objects.live().get(bill=bill), user=approver, kind="approve"
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        platform_record_edit(
            connection=imported.ledger,
            dataset=Dataset.BILLS,
            record_id=bill.codat_id,
            changes={"amountDue": bill.amount_due - 10, "status": "PartiallyPaid"},
        )
        refresh(imported, enqueued_refresh)
    assert ApprovalRequest.objects.live().get(bill=bill).pk == request.pk
    request.refresh_from_db()
    assert request.state == State.APPROVED
