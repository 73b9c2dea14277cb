"""Approvals: every bill is routed through the company's policy, decided step by step, and paid
only up to what was approved.

The Bill Pay API creates bills only as Open (codat-api.md), so the gate lives here: the bill goes
to the ledger at once (post-then-approve) and billpay refuses to pay it until it is approved.

- Routing (`bills_route`) runs wherever a bill is stored from the ledger (first-link import,
  refresh, webhook, create, edit, payment follow-up: payables.services.mirror.store_bills), so
  bills pulled from the ledger are covered like the ones entered here. A bill with no live request
  gets one under the active policy version; a bill whose exposure rose since its snapshot (total
  up, supplier, currency or an account changed) has its request reset and a new one started; a
  lower amount due (a payment elsewhere) changes nothing.
- Deciding (`approval_decide`) locks the request row, so two approvers deciding the last step at
  once give one approval; the unique constraints make a second decision of one person on one step
  impossible.
- Paying (`payment_gate`, called by bill_pay inside the transaction that inserts the payment)
  locks the request too and counts what was already paid under it: the payments under one
  approval never pass the approved amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

import codat.types as codat
from accounts.models import Company, Membership, User
from accounts.permissions import (
    can_approve,
    can_clear_backlog,
    can_manage_policies,
)
from accounts.services import audit_log_record, member_permission_check
from codat.money import format_money
from payables.errors import ApprovalError
from payables.models import (
    ApprovalDecision,
    ApprovalDelegation,
    ApprovalGroup,
    ApprovalPolicy,
    ApprovalRequest,
    Bill,
    BillLineItem,
    BillSubmission,
    Payment,
)
from payables.policies import (
    FALLBACK,
    Approvers,
    BillFacts,
    Order,
    Policy,
    Rule,
    Source,
    Step,
    exposure_raised,
)

State = ApprovalRequest.State
Decision = ApprovalDecision.Kind
ADMINS = (Membership.Role.OWNER, Membership.Role.ADMIN)


# --- Routing: every stored bill under the active policy -------------------------------------------


@dataclass(frozen=True, slots=True)
class Submitted:
    """Who entered or edited a bill in billpay just now, and where it came from."""

    user: User | None
    source: Source


def bill_facts(company: Company, bill: Bill, accounts: Iterable[str], source: Source) -> BillFacts:
    return BillFacts(
        supplier=bill.supplier_codat_id,
        currency=bill.currency,
        total=Decimal(bill.total_amount),
        accounts=frozenset(a for a in accounts if a),
        base_currency=company.base_currency,
        currency_rate=bill.currency_rate,
        source=source,
        due_date=bill.due_date,
    )


def item_accounts(item: codat.Bill) -> list[str]:
    return [line.account_ref.id for line in item.line_items if line.account_ref]


def bills_route(
    company: Company,
    bills: Sequence[Bill],
    accounts: Sequence[Iterable[str]],
    *,
    submitted: Submitted | None = None,
    backlog: bool = False,
) -> None:
    """Give each stored bill the request its current state needs (see the module's docstring).

    Call inside the transaction that stored the bills. Costs one query for the active policy,
    one for the bills' live requests, one for where they came from, and one bulk insert; a reset
    costs its own update and audit entry."""
    policy_row = ApprovalPolicy.objects.for_company(company).active().first()
    if policy_row is None or not bills:
        return
    policy = policy_row.policy
    ids = [b.pk for b in bills]
    live = {r.bill_id: r for r in ApprovalRequest.objects.filter(bill__in=ids).live()}
    origins = {} if submitted else _origins(ids)
    new: list[ApprovalRequest] = []
    for bill, bill_accounts in zip(bills, accounts, strict=True):
        current = live.get(bill.pk)
        if submitted is not None:
            source, submitter = submitted.source, submitted.user
        elif current is not None:
            source, submitter = Source(current.source), current.submitted_by
        else:
            source, submitter = origins.get(bill.pk, (Source.LEDGER, None))
        facts = bill_facts(company, bill, bill_accounts, source)
        if bill.status not in Bill.UNPAID:
            if current is not None and current.state in (State.PENDING, State.DECLINED):
                status = bill.get_status_display().lower()
                _close(current, State.WITHDRAWN, f"The bill is {status} in the ledger.")
            continue
        if current is not None:
            raised = exposure_raised(current.snapshot, facts)
            if not raised:
                if submitter is not None and current.state == State.PENDING:
                    _resubmitted(current, submitter)
                continue
            why = "Started over because " + "; ".join(raised) + "."
            _close(current, State.RESET, why)
        new.append(_request(policy_row, policy, bill, facts, submitter=submitter, backlog=backlog))
    if new:
        # A concurrent writer (a refresh beside an edit) may have routed the same bill already:
        # the one-live-request constraint keeps its request and skips this one.
        ApprovalRequest.objects.bulk_create(new, ignore_conflicts=True)


def _origins(bill_ids: Sequence[int]) -> dict[int, tuple[Source, User | None]]:
    """Where each bill came from and who last changed it in billpay, from its submissions."""
    origins: dict[int, tuple[Source, User | None]] = {}
    submissions = (
        BillSubmission.objects.filter(bill__in=bill_ids)
        .select_related("user")
        .order_by("created_at", "id")
    )
    for s in submissions:
        first = origins.get(s.bill_id)
        source = (
            first[0]
            if first is not None
            else (Source.DOCUMENT if s.from_document else Source.BILLPAY)
        )
        origins[s.bill_id] = (source, s.user)
    return origins


def bill_source(bill: Bill) -> Source:
    """Where the bill came from: entered in billpay, from a document, or pulled from the ledger."""
    return _origins([bill.pk]).get(bill.pk, (Source.LEDGER, None))[0]


def _request(
    policy_row: ApprovalPolicy,
    policy: Policy,
    bill: Bill,
    facts: BillFacts,
    *,
    submitter: User | None,
    backlog: bool,
) -> ApprovalRequest:
    index, rule = policy.route(facts)
    state, reason, approved = State.PENDING, "", None
    exempt = policy_row.exempt_due_on_or_before
    if exempt is not None and bill.due_date <= exempt:
        state, reason = State.NOT_REQUIRED, f"Due on or before {exempt:%d %b %Y}: exempt by policy."
    elif not rule.steps:
        state, reason = State.NOT_REQUIRED, f"{rule.name}: no approval needed."
    if state == State.NOT_REQUIRED:
        approved = Decimal(bill.total_amount)
    base = facts.base_amount
    return ApprovalRequest(
        company_id=bill.company_id,
        bill=bill,
        policy=policy_row,
        rule_index=index,
        rule=rule.as_json(),
        snapshot=facts.snapshot(),
        source=str(facts.source),
        base_amount=base,
        state=state,
        approved_amount=approved,
        submitted_by=submitter,
        reason=reason,
        backlog=backlog and state == State.PENDING,
    )


def _close(request: ApprovalRequest, state: str, reason: str) -> None:
    now = timezone.now()
    moved = ApprovalRequest.objects.filter(pk=request.pk, state=request.state).update(
        state=state, reason=reason[:500], decided_at=now
    )
    if moved:
        audit_log_record(
            company=request.company,
            action=f"approval.{state}",
            object_type="bill",
            object_id=str(request.bill_id),
            object_repr=str(request.bill),
            before={"state": request.state, "snapshot": request.snapshot},
            after={"state": state, "reason": reason},
            actor=None,
        )


def _resubmitted(request: ApprovalRequest, user: User) -> None:
    """An edit that raised nothing: the editor is now the one who may not approve it."""
    if request.submitted_by_id != user.pk:
        ApprovalRequest.objects.filter(pk=request.pk, state=State.PENDING).update(submitted_by=user)


# --- Who may decide which step ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class People:
    """The company's active members who may approve, and its groups and delegations, read once."""

    approvers: dict[int, Membership]
    groups: dict[int, frozenset[int]]
    delegations: list[ApprovalDelegation]

    @classmethod
    def of(cls, company: Company) -> People:
        approvers = {
            m.user_id: m
            for m in Membership.objects.filter(company=company, deactivated_at=None).select_related(
                "user"
            )
            if can_approve(m)
        }
        groups: dict[int, set[int]] = {}
        for group_id, user_id in ApprovalGroup.members.through.objects.filter(
            approvalgroup__company=company
        ).values_list("approvalgroup_id", "user_id"):
            groups.setdefault(group_id, set()).add(user_id)
        delegations = list(
            ApprovalDelegation.objects.filter(company=company, revoked_at=None).order_by("id")
        )
        return cls(
            approvers=approvers,
            groups={k: frozenset(v) for k, v in groups.items()},
            delegations=delegations,
        )

    def eligible(self, step: Step, submitter_id: int | None) -> set[int]:
        """Who counts for the step: its people, role or group, among the members who may
        approve, without the bill's submitter."""
        if step.approvers is Approvers.USERS:
            people = set(step.users)
        elif step.approvers is Approvers.ROLE:
            people = {u for u, m in self.approvers.items() if m.role == step.role}
        else:
            people = set(self.groups.get(step.group or 0, ()))
        return {u for u in people if u in self.approvers and u != submitter_id}

    def stands_in_for(self, user_id: int, day: dt.date) -> list[int]:
        return [
            d.from_user_id for d in self.delegations if d.to_user_id == user_id and d.covers(day)
        ]


def request_steps(request: ApprovalRequest) -> tuple[Step, ...]:
    return Rule.from_json(request.rule, default_name="").steps


def request_order(request: ApprovalRequest) -> Order:
    return Order(request.rule.get("order") or Order.SEQUENTIAL)


def _open_steps(request: ApprovalRequest) -> list[int]:
    steps = request_steps(request)
    if request_order(request) is Order.PARALLEL:
        return list(range(len(steps)))
    return [request.current_step] if request.current_step < len(steps) else []


@dataclass(frozen=True, slots=True)
class Turn:
    step: int
    for_user: int


def my_turn(
    request: ApprovalRequest,
    user_id: int,
    people: People,
    decisions: Sequence[ApprovalDecision],
    *,
    day: dt.date,
) -> Turn | None:
    """The step the user may decide now, and for whom (themselves first, else someone they stand
    in for), or None. Steps already complete and people who already decided are skipped."""
    if request.state != State.PENDING or user_id not in people.approvers:
        return None
    if user_id == request.submitted_by_id:
        return None
    steps = request_steps(request)
    for index in _open_steps(request):
        step = steps[index]
        eligible = people.eligible(step, request.submitted_by_id)
        on_step = [d for d in decisions if d.step == index]
        if _approvals(on_step) >= step.needed(len(eligible)) and eligible:
            continue
        if any(d.user_id == user_id for d in on_step):
            continue
        decided_for = {d.for_user_id for d in on_step}
        for candidate in [user_id, *people.stands_in_for(user_id, day)]:
            if candidate in eligible and candidate not in decided_for:
                return Turn(step=index, for_user=candidate)
    return None


def _approvals(decisions: Iterable[ApprovalDecision]) -> int:
    return sum(1 for d in decisions if d.kind == Decision.APPROVE)


def step_complete(step: Step, eligible: set[int], decisions: Iterable[ApprovalDecision]) -> bool:
    needed = step.needed(len(eligible))
    return needed > 0 and _approvals(d for d in decisions if d.for_user_id in eligible) >= needed


# --- Deciding ----------------------------------------------------------------------------------------


def approval_decide(
    *,
    request: ApprovalRequest,
    user: User,
    kind: str,
    comment: str = "",
    today: dt.date | None = None,
) -> ApprovalRequest:
    """Record the user's decision on the step that is theirs, and move the request on: the
    last step approved approves it (up to its snapshot's total), a decline declines it."""
    company = request.company
    member_permission_check(can_approve, company=company, user=user)
    today = today or timezone.localdate()
    comment = comment.strip()
    if kind == Decision.DECLINE and not comment:
        raise ApprovalError("Say why you decline the bill: its submitter reads it.")
    people = People.of(company)
    with transaction.atomic():
        locked = (
            # Only the request's row: PostgreSQL refuses to lock the nullable side of a join.
            ApprovalRequest.objects.select_for_update(of=("self",))
            .select_related("bill", "company", "submitted_by")
            .get(pk=request.pk, company=company)
        )
        if locked.state != State.PENDING:
            raise ApprovalError(_not_pending(locked))
        if locked.submitted_by_id == user.pk:
            raise ApprovalError(
                "You entered or last edited this bill, so someone else must approve it."
            )
        decisions = list(locked.decisions.all())
        turn = my_turn(locked, user.pk, people, decisions, day=today)
        if turn is None:
            raise ApprovalError(_not_your_turn(locked, user.pk, decisions))
        try:
            with transaction.atomic():
                decision = ApprovalDecision.objects.create(
                    request=locked,
                    step=turn.step,
                    user=user,
                    for_user_id=turn.for_user,
                    kind=kind,
                    comment=comment[:500],
                )
        except IntegrityError:
            raise ApprovalError("You have already decided this step.") from None
        decisions.append(decision)
        before = locked.state
        _advance(locked, people, decisions, declined_by=user if kind == Decision.DECLINE else None)
        audit_log_record(
            company=company,
            action=f"approval.{kind}",
            object_type="bill",
            object_id=str(locked.bill_id),
            object_repr=str(locked.bill),
            before={"state": before, "step": turn.step},
            after={
                "state": locked.state,
                "step": turn.step,
                "for": turn.for_user,
                "comment": comment,
            },
            actor=user,
        )
    return locked


def _advance(
    request: ApprovalRequest,
    people: People,
    decisions: Sequence[ApprovalDecision],
    *,
    declined_by: User | None,
) -> None:
    now = timezone.now()
    if declined_by is not None:
        request.state = State.DECLINED
        request.reason = f"Declined by {declined_by.get_full_name()}: {decisions[-1].comment}"[:500]
        request.decided_at = now
        request.save(update_fields=["state", "reason", "decided_at"])
        return
    steps = request_steps(request)
    done = [
        step_complete(
            step,
            people.eligible(step, request.submitted_by_id),
            [d for d in decisions if d.step == index],
        )
        for index, step in enumerate(steps)
    ]
    if all(done):
        request.state = State.APPROVED
        request.approved_amount = Decimal(request.snapshot["total"])
        request.decided_at = now
        request.current_step = len(steps)
    elif request_order(request) is Order.SEQUENTIAL:
        request.current_step = done.index(False)
    request.save(update_fields=["state", "approved_amount", "decided_at", "current_step"])


def _not_pending(request: ApprovalRequest) -> str:
    if request.state == State.APPROVED:
        return "This bill is already approved."
    if request.state == State.DECLINED:
        return "This bill was declined; it waits for its submitter."
    return f"This approval is over: {request.get_state_display().lower()}."


def _not_your_turn(
    request: ApprovalRequest, user_id: int, decisions: Sequence[ApprovalDecision]
) -> str:
    if any(d.user_id == user_id for d in decisions):
        return "You have already decided this bill; the next step is someone else's."
    return "This bill's current step is not yours to approve."


def approval_resubmit(*, request: ApprovalRequest, user: User) -> ApprovalRequest:
    """A declined bill sent back for approval as it is (its submitter changed their mind about
    editing it, or the reason was answered): a new request under the active policy."""
    from accounts.permissions import can_enter_bills

    member_permission_check(can_enter_bills, company=request.company, user=user)
    with transaction.atomic():
        locked = ApprovalRequest.objects.select_for_update().get(
            pk=request.pk, company=request.company
        )
        if locked.state != State.DECLINED:
            raise ApprovalError("Only a declined bill can be sent for approval again.")
        _close(locked, State.RESET, f"Sent for approval again by {user.get_full_name()}.")
        bill = Bill.objects.get(pk=locked.bill_id)
        bills_route(
            request.company,
            [bill],
            [line_accounts([bill])[bill.pk]],
            submitted=Submitted(user=user, source=Source(locked.source)),
        )
    return ApprovalRequest.objects.live().get(bill=bill)


# --- The backlog at the first policy -----------------------------------------------------------------


def approval_backlog_approve(*, company: Company, user: User) -> int:
    """Approve, in one audited action, every bill that was waiting when the first policy came in."""
    member_permission_check(can_clear_backlog, company=company, user=user)
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            ApprovalRequest.objects.for_company(company)
            .pending()
            .filter(backlog=True)
            .select_for_update()
        )
        for r in waiting:
            r.state = State.APPROVED
            r.approved_amount = Decimal(r.snapshot["total"])
            r.reason = f"Approved with the backlog by {user.get_full_name()}."
            r.decided_at = now
        ApprovalRequest.objects.bulk_update(
            waiting, ["state", "approved_amount", "reason", "decided_at"]
        )
        audit_log_record(
            company=company,
            action="approval.backlog_approved",
            object_type="company",
            object_id=str(company.pk),
            object_repr=company.name,
            after={"bills": [r.bill_id for r in waiting]},
            actor=user,
        )
    return len(waiting)


def approval_backlog_exempt(*, company: Company, user: User, due_on_or_before: dt.date) -> int:
    """Apply the policy only to backlog bills due after a date: those due on or before it need
    no approval."""
    member_permission_check(can_clear_backlog, company=company, user=user)
    reason = f"Due on or before {due_on_or_before:%d %b %Y}: exempted from the backlog."
    with transaction.atomic():
        ids = list(
            ApprovalRequest.objects.for_company(company)
            .pending()
            .filter(backlog=True, bill__due_date__lte=due_on_or_before)
            .values_list("pk", flat=True)
        )
        for r in ApprovalRequest.objects.filter(pk__in=ids).select_for_update():
            ApprovalRequest.objects.filter(pk=r.pk, state=State.PENDING).update(
                state=State.NOT_REQUIRED,
                approved_amount=Decimal(r.snapshot["total"]),
                reason=reason,
                decided_at=timezone.now(),
            )
        audit_log_record(
            company=company,
            action="approval.backlog_exempted",
            object_type="company",
            object_id=str(company.pk),
            object_repr=company.name,
            after={"due_on_or_before": due_on_or_before.isoformat(), "requests": ids},
            actor=user,
        )
    return len(ids)


# --- Policy versions ---------------------------------------------------------------------------------


def _admins(company: Company) -> int:
    return Membership.objects.filter(company=company, role__in=ADMINS, deactivated_at=None).count()


def approval_policy_save(
    *, company: Company, user: User, policy: Policy, note: str = ""
) -> ApprovalPolicy:
    """Save the policy as a new version: active at once when the company has one owner or admin,
    else proposed until another of them confirms it (a proposal waiting is replaced)."""
    member_permission_check(can_manage_policies, company=company, user=user)
    _check_people(company, policy)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()
        ApprovalPolicy.objects.for_company(company).filter(
            status=ApprovalPolicy.Status.PROPOSED
        ).update(status=ApprovalPolicy.Status.WITHDRAWN)
        last = ApprovalPolicy.objects.for_company(company).order_by("-version").first()
        row = ApprovalPolicy(
            company=company,
            version=(last.version + 1) if last else 1,
            rules=policy.as_json(),
            status=ApprovalPolicy.Status.PROPOSED,
            note=note.strip()[:255],
            created_by=user,
        )
        row.full_clean(exclude=["company", "created_by", "confirmed_by"])
        row.save()
        audit_log_record(
            company=company,
            action="approval_policy.proposed",
            object_type="approval_policy",
            object_id=str(row.pk),
            object_repr=str(row),
            after=row.rules,
            actor=user,
        )
        if _admins(company) < 2:
            _activate(row, confirmed_by=None)
    return row


def approval_policy_confirm(*, policy: ApprovalPolicy, user: User) -> ApprovalPolicy:
    """A second owner or admin confirms a proposed version, which becomes active."""
    company = policy.company
    member_permission_check(can_manage_policies, company=company, user=user)
    with transaction.atomic():
        locked = ApprovalPolicy.objects.select_for_update().get(pk=policy.pk, company=company)
        if locked.status != ApprovalPolicy.Status.PROPOSED:
            raise ApprovalError("This version is not waiting for confirmation any more.")
        if locked.created_by_id == user.pk:
            raise ApprovalError(
                "You proposed this change, so another owner or admin must confirm it."
            )
        _activate(locked, confirmed_by=user)
    return locked


def approval_policy_withdraw(*, policy: ApprovalPolicy, user: User) -> None:
    member_permission_check(can_manage_policies, company=policy.company, user=user)
    moved = ApprovalPolicy.objects.filter(
        pk=policy.pk, company=policy.company, status=ApprovalPolicy.Status.PROPOSED
    ).update(status=ApprovalPolicy.Status.WITHDRAWN)
    if not moved:
        raise ApprovalError("This version is not waiting for confirmation any more.")
    audit_log_record(
        company=policy.company,
        action="approval_policy.withdrawn",
        object_type="approval_policy",
        object_id=str(policy.pk),
        object_repr=str(policy),
        actor=user,
    )


def _activate(row: ApprovalPolicy, *, confirmed_by: User | None) -> None:
    company = row.company
    first = (
        not ApprovalPolicy.objects.for_company(company)
        .exclude(pk=row.pk)
        .filter(status__in=[ApprovalPolicy.Status.ACTIVE, ApprovalPolicy.Status.SUPERSEDED])
        .exists()
    )
    ApprovalPolicy.objects.for_company(company).active().update(
        status=ApprovalPolicy.Status.SUPERSEDED
    )
    row.status = ApprovalPolicy.Status.ACTIVE
    row.confirmed_by = confirmed_by
    row.activated_at = timezone.now()
    row.save(update_fields=["status", "confirmed_by", "activated_at"])
    audit_log_record(
        company=company,
        action="approval_policy.activated",
        object_type="approval_policy",
        object_id=str(row.pk),
        object_repr=str(row),
        after={"version": row.version, "confirmed_by": confirmed_by.pk if confirmed_by else None},
    )
    if first:
        _route_backlog(company)


def _route_backlog(company: Company) -> None:
    """The first policy covers the bills already here: each unpaid one is routed, marked as the
    backlog an owner may approve in one action."""
    bills = list(Bill.objects.for_company(company).unpaid().order_by("id"))
    for start in range(0, len(bills), 500):
        chunk = bills[start : start + 500]
        accounts = line_accounts(chunk)
        bills_route(company, chunk, [accounts[b.pk] for b in chunk], backlog=True)


def line_accounts(bills: Sequence[Bill]) -> dict[int, list[str]]:
    """The ledger account of each line of the stored bills, by bill: one query."""
    accounts: dict[int, list[str]] = {b.pk: [] for b in bills}
    for bill_id, account in BillLineItem.objects.filter(bill__in=[b.pk for b in bills]).values_list(
        "bill_id", "account_codat_id"
    ):
        accounts[bill_id].append(account)
    return accounts


def _check_people(company: Company, policy: Policy) -> None:
    members = set(
        Membership.objects.filter(company=company, deactivated_at=None).values_list(
            "user_id", flat=True
        )
    )
    groups = set(ApprovalGroup.objects.filter(company=company).values_list("pk", flat=True))
    for rule in (*policy.rules, policy.fallback):
        for step in rule.steps:
            if step.approvers is Approvers.USERS and not set(step.users) <= members:
                raise ApprovalError(f"“{rule.name}” names someone who is not a member.")
            if step.approvers is Approvers.GROUP and step.group not in groups:
                raise ApprovalError(f"“{rule.name}” names a group this company does not have.")
            if step.approvers is Approvers.ROLE and step.role not in Membership.Role.values:
                raise ApprovalError(f"“{rule.name}” names an unknown role.")


@dataclass(frozen=True, slots=True)
class PreviewRow:
    bill: Bill
    rule: str
    steps: list[str]
    outcome: str


def approval_policy_preview(
    *, company: Company, policy: Policy, limit: int = 50
) -> list[PreviewRow]:
    """The draft policy run against the company's last `limit` bills (newest issued first),
    changing nothing: which rule each meets and what it would need."""
    bills = list(Bill.objects.for_company(company).order_by("-issue_date", "-id")[:limit])
    accounts = line_accounts(bills)
    origins = _origins([b.pk for b in bills])
    rows = []
    for bill in bills:
        source = origins.get(bill.pk, (Source.LEDGER, None))[0]
        facts = bill_facts(company, bill, accounts[bill.pk], source)
        index, rule = policy.route(facts)
        steps = [s.describe() for s in rule.steps]
        name = rule.name if index != FALLBACK else f"{rule.name} (fallback)"
        rows.append(
            PreviewRow(
                bill=bill,
                rule=name,
                steps=steps,
                outcome="Needs approval" if steps else "No approval needed",
            )
        )
    return rows


# --- The payment gate -----------------------------------------------------------------------------------


def payment_gate(*, company: Company, bill: Bill, amount: Decimal, user: User | None) -> Any:
    """The live request that allows paying `amount` of the bill now, locked until the caller's
    transaction ends; None when the company has no approval policy. Raises ApprovalError with
    what stands in the way. Call inside the transaction that inserts the payment."""
    if not ApprovalPolicy.objects.for_company(company).active().exists():
        return None
    request = (
        ApprovalRequest.objects.select_for_update()
        .filter(bill=bill, company=company)
        .live()
        .first()
    )
    if request is None:
        bills_route(company, [bill], [line_accounts([bill])[bill.pk]])
        request = (
            ApprovalRequest.objects.select_for_update()
            .filter(bill=bill, company=company)
            .live()
            .first()
        )
        if request is None:  # the bill is not unpaid: payment_check says so first
            raise ApprovalError("This bill cannot be paid.")
    if request.state == State.PENDING:
        raise ApprovalError("This bill is waiting for approval; it can be paid once approved.")
    if request.state == State.DECLINED:
        raise ApprovalError(f"This bill was declined. {request.reason}".strip())
    if (
        user is not None
        and not company.approver_may_pay
        and request.decisions.filter(
            Q(user=user) | Q(for_user=user), kind=Decision.APPROVE
        ).exists()
    ):
        raise ApprovalError("You approved this bill, so someone else must pay it.")
    paid = Payment.objects.filter(
        approval=request,
        status__in=[Payment.Status.PENDING, Payment.Status.SUCCEEDED, Payment.Status.NEEDS_REVIEW],
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    left = Decimal(request.approved_amount or 0) - paid
    if amount > left:
        approved = format_money(Decimal(request.approved_amount or 0), bill.currency)
        raise ApprovalError(
            f"You can pay at most {format_money(max(left, Decimal(0)), bill.currency)}: "
            f"the bill was approved for {approved}"
            + (
                f" and {format_money(paid, bill.currency)} is already paid under it."
                if paid
                else "."
            )
        )
    return request


# --- Reads for pages ---------------------------------------------------------------------------------


def waiting_for(
    company: Company, user: User, *, day: dt.date | None = None
) -> list[ApprovalRequest]:
    """The pending requests whose current step the user may decide now (for themselves or for
    someone they stand in for), oldest first."""
    day = day or timezone.localdate()
    people = People.of(company)
    if user.pk not in people.approvers:
        return []
    pending = list(
        ApprovalRequest.objects.for_company(company)
        .pending()
        .exclude(submitted_by=user)
        .select_related("bill", "bill__supplier", "submitted_by")
        .order_by("created_at", "id")
    )
    decisions: dict[int, list[ApprovalDecision]] = {}
    for d in ApprovalDecision.objects.filter(request__in=[r.pk for r in pending]):
        decisions.setdefault(d.request_id, []).append(d)
    return [r for r in pending if my_turn(r, user.pk, people, decisions.get(r.pk, []), day=day)]


def live_request(bill: Bill) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(bill=bill).live().select_related("policy").first()
