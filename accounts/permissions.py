"""What each role may do: one plain predicate per action, decided from a Membership.

Views decide with `accounts.decorators.requires(predicate)` (a 403 naming the role and the
action), services that write check again with `permission_check` (so a caller that is not a view
cannot skip it), and templates only read the booleans a view passes them (to hide a button).
A deactivated membership is no membership: every predicate is False for it, and the company's
pages treat its user as a stranger (accounts.services.active_membership).

The matrix (✓ = allowed):

    action                 owner admin approver payer clerk accountant viewer
    view                     ✓     ✓      ✓       ✓     ✓       ✓        ✓
    refresh from ledger      ✓     ✓      ✓       ✓     ✓       ✓
    enter / edit bills       ✓     ✓                    ✓       ✓
    add / edit suppliers     ✓     ✓                    ✓       ✓
    approve bills            ✓     ✓      ✓                     ✓
    pay bills                ✓     ✓              ✓             ✓
    manage bank accounts     ✓     ✓
    manage connection        ✓     ✓
    manage members           ✓     ✓
    hand over ownership      ✓
    approval policy          ✓     ✓
    clear the backlog        ✓

Decisions behind it:
- The accountant is an outside member (issue 14: "everything but members and bank accounts"); the
  accounting connection is the company's own decision too (who may read and write its books), so
  it stays with the owner and admins.
- Bank accounts belong to owners and admins only, payers included: a new account to pay from is
  the classic payment-fraud step, so the person who pays cannot also add where the money goes.
- A clerk adds suppliers, since entering a bill from a new supplier's invoice needs one.
- Refreshing reads the ledger and changes nothing in it, so every role but the viewer may.
- The approval policy is the company's control over its own money, so only owners and admins
  change it (and a change needs a second of them when there are two: payables.services.approvals);
  the accountant approves bills but does not set the rules they are approved under.
- `can_approve` and `can_pay` say what a role may do at all; who approves a given bill is the
  policy's steps, and separation of duties (nobody approves a bill they entered or last edited,
  the approver does not pay it) is decided per bill in payables.services.approvals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from accounts.models import Membership

Role = Membership.Role
EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Permission:
    """A predicate on a membership: `can_pay(membership)` is True when its role may pay bills and
    the membership is active. `action` completes "Your role (Clerk) cannot …"."""

    name: str
    action: str
    roles: frozenset[Role]

    def __call__(self, membership: Membership | None) -> bool:
        return (
            membership is not None and membership.is_active and Role(membership.role) in self.roles
        )

    def refusal(self, membership: Membership) -> str:
        """The message a member without this permission sees."""
        return (
            f"Your role ({membership.get_role_display()}) cannot {self.action}. "
            f"Ask {_who_may(self.roles)}."
        )


def _who_may(roles: Iterable[Role]) -> str:
    # Owners and admins change roles, so they are whom to ask; for the hand-over, only the owner.
    asked = [r.label.lower() for r in (Role.OWNER, Role.ADMIN) if r in roles] or ["owner", "admin"]
    return "an " + " or ".join(asked)


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


can_view = Permission("can_view", "open this company's pages", EVERYONE)
can_refresh = Permission(
    "can_refresh", "refresh data from the accounting platform", EVERYONE - {Role.VIEWER}
)
can_enter_bills = Permission(
    "can_enter_bills",
    "enter or edit bills",
    _roles(Role.OWNER, Role.ADMIN, Role.CLERK, Role.ACCOUNTANT),
)
can_edit_suppliers = Permission(
    "can_edit_suppliers",
    "add or edit suppliers",
    _roles(Role.OWNER, Role.ADMIN, Role.CLERK, Role.ACCOUNTANT),
)
can_approve = Permission(
    "can_approve",
    "approve bills",
    _roles(Role.OWNER, Role.ADMIN, Role.APPROVER, Role.ACCOUNTANT),
)
can_pay = Permission(
    "can_pay", "pay bills", _roles(Role.OWNER, Role.ADMIN, Role.PAYER, Role.ACCOUNTANT)
)
can_manage_bank_accounts = Permission(
    "can_manage_bank_accounts", "add bank accounts", _roles(Role.OWNER, Role.ADMIN)
)
can_manage_connection = Permission(
    "can_manage_connection",
    "connect or unlink the accounting platform",
    _roles(Role.OWNER, Role.ADMIN),
)
can_manage_members = Permission(
    "can_manage_members", "change members or their roles", _roles(Role.OWNER, Role.ADMIN)
)
can_hand_over = Permission("can_hand_over", "hand over the ownership", _roles(Role.OWNER))
can_manage_policies = Permission(
    "can_manage_policies",
    "change the approval policy",
    _roles(Role.OWNER, Role.ADMIN),
)
can_clear_backlog = Permission(
    "can_clear_backlog", "approve or exempt the bills from before the policy", _roles(Role.OWNER)
)

PERMISSIONS: tuple[Permission, ...] = (
    can_view,
    can_refresh,
    can_enter_bills,
    can_edit_suppliers,
    can_approve,
    can_pay,
    can_manage_bank_accounts,
    can_manage_connection,
    can_manage_members,
    can_hand_over,
    can_manage_policies,
    can_clear_backlog,
)


class NotAllowed(PermissionDenied):
    """The acting member's role does not allow the action; the message is safe to show (Django
    answers it with a 403, templates/403.html)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def permission_check(permission: Permission, membership: Membership | None) -> None:
    """Raise NotAllowed unless the membership is active and its role has the permission."""
    if permission(membership):
        return
    if membership is None or not membership.is_active:
        raise NotAllowed("You are not a member of this company.")
    raise NotAllowed(permission.refusal(membership))
