"""The permission matrix: every URL pattern of billpay, accounts and payables x every role (and a
deactivated member, and a member of another company) → the status it must answer.

The patterns come from the URL configuration (the crawler's walk of `get_resolver()`), and each
must have its decision in EXPECTED: a new view without one fails `test_every_view_has_a_decision`.
Each URL's kwargs are real objects of the company (the crawler's REGISTRY makes them).

- A member whose role has the permission: a GET answers 200 or 302; a POST-only view, posted an
  empty form, answers anything but 403 (200, 302 or 400: the form is refused, not the person).
- A member whose role lacks it: 403.
- A deactivated member: no company at all, so 404 for the company's objects, or a redirect to
  create or pick a company.
- A member of another company: 404 for this company's objects; pages without an object show
  their own company (where they are the owner).

Size (kept true by test_the_matrix_size): 58 URL patterns, 59 (pattern, method) cells x 9
actors = 531 checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts import permissions as p
from accounts.models import Company, Membership, User
from accounts.permissions import Permission
from tests.accounts.factories import (
    CompanyFactory,
    ConnectionFactory,
    MembershipFactory,
    UserFactory,
)
from tests.security.test_url_crawler import REGISTRY, ROUTES, Route, _any_url

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

# Left out of the matrix, on purpose: the staff-only admin (test_url_crawler checks that no
# company user gets in), the sandbox ledger that stands in for Codat (machine API and the
# platform's own consent pages), and machine endpoints that authenticate otherwise.
SKIPPED_NAMESPACES = ("admin:", "sandbox:")
MACHINE = {
    "payables:codat-webhook",  # Codat's webhooks, signed with the webhook secret
}

# No company decision: pages of one's own account, or outside any company.
ACCOUNT = None

# {url name: the permission it needs, or {method: permission} where GET and POST differ}.
EXPECTED: dict[str, Permission | dict[str, Permission] | None] = {
    # Signing in and out, one's own password: no company involved.
    "accounts:login": ACCOUNT,
    "accounts:logout": ACCOUNT,
    "accounts:signup": ACCOUNT,
    "accounts:password-change": ACCOUNT,
    "accounts:password-change-done": ACCOUNT,
    "accounts:password-reset": ACCOUNT,
    "accounts:password-reset-done": ACCOUNT,
    "accounts:password-reset-confirm": ACCOUNT,
    "accounts:password-reset-complete": ACCOUNT,
    # Anyone signed in may create a company (they become its owner).
    "accounts:company-create": ACCOUNT,
    # Switching to a company needs an active membership of it (else 404), nothing more.
    "accounts:company-switch": p.can_view,
    "accounts:company-settings": p.can_view,
    "accounts:member-role": p.can_manage_members,
    "accounts:member-deactivate": p.can_manage_members,
    "accounts:member-reactivate": p.can_manage_members,
    "accounts:ownership-hand-over": p.can_hand_over,
    "accounts:onboarding-platform": p.can_manage_connection,
    "accounts:onboarding-callback": p.can_manage_connection,
    "accounts:connection-unlink": p.can_manage_connection,
    "accounts:connection-reconnect": p.can_manage_connection,
    "accounts:connection-check": p.can_refresh,
    # Invitations: owners and admins send, resend and revoke them; the link's pages are for the
    # invitee, whose credential is the token (a made-up one is a 404 to anybody).
    "accounts:invitation-list": p.can_manage_members,
    "accounts:invitation-resend": p.can_manage_members,
    "accounts:invitation-revoke": p.can_manage_members,
    "accounts:invitation-detail": ACCOUNT,
    "accounts:invitation-accept": ACCOUNT,
    "accounts:invitation-signup": ACCOUNT,
    # The inbox, bills, runs
    "payables:bill-list": p.can_view,
    "payables:bill-detail": p.can_view,
    "payables:import-progress": p.can_view,
    "payables:import-status": p.can_view,
    "payables:import-retry": p.can_refresh,
    "payables:refresh-progress": p.can_view,
    "payables:refresh-status": p.can_view,
    "payables:refresh-now": p.can_refresh,
    "payables:sync-health": p.can_view,
    # Suppliers
    "payables:supplier-list": p.can_view,
    "payables:supplier-detail": p.can_view,
    "payables:supplier-create": p.can_edit_suppliers,
    "payables:supplier-edit": p.can_edit_suppliers,
    "payables:supplier-refresh": p.can_refresh,
    # Paying
    "payables:bill-pay": p.can_pay,
    "payables:payment-list": p.can_view,
    "payables:payment-export": p.can_view,
    "payables:payment-retry": p.can_pay,
    "payables:payment-review": p.can_pay,
    "payables:bank-account-create": p.can_manage_bank_accounts,
    # Entering bills and the bill form's helpers
    "payables:bill-create": p.can_enter_bills,
    "payables:bill-from-document": p.can_enter_bills,
    "payables:document-preview": p.can_enter_bills,
    "payables:bill-edit": p.can_enter_bills,
    "payables:bill-supplier-search": p.can_enter_bills,
    "payables:bill-tax-rates": p.can_enter_bills,
    "payables:bill-supplier-coding": p.can_enter_bills,
    "payables:mapping-options-refresh": p.can_refresh,
    # Attachments: the bill page polls the list (GET); uploading is entering bills.
    "payables:attachment-upload": {"GET": p.can_view, "POST": p.can_enter_bills},
    "payables:attachment-download": p.can_view,
    "payables:attachment-retry": p.can_enter_bills,
}

ROLES = [str(r) for r in Membership.Role]
DEACTIVATED = "deactivated"
OUTSIDER = "other company"
ACTORS = [*ROLES, DEACTIVATED, OUTSIDER]


def _in_scope(route: Route) -> bool:
    return not route.name.startswith(SKIPPED_NAMESPACES) and route.name not in MACHINE


MATRIX_ROUTES = [r for r in ROUTES if _in_scope(r)]


@dataclass(frozen=True)
class Cell:
    route: Route
    method: str  # "GET", or "POST" for a POST-only view or the POST of a dict entry
    permission: Permission | None


def _cells(post_only: set[str]) -> Iterator[Cell]:
    for route in MATRIX_ROUTES:
        entry = EXPECTED[route.name]
        if isinstance(entry, dict):
            for method, permission in entry.items():
                yield Cell(route, method, permission)
        else:
            yield Cell(route, "POST" if route.name in post_only else "GET", entry)


def test_every_view_has_a_decision() -> None:
    names = {r.name for r in MATRIX_ROUTES}
    missing = sorted(names - EXPECTED.keys())
    assert not missing, f"new view without a decision: add it to EXPECTED: {missing}"
    stale = sorted(EXPECTED.keys() - names)
    assert not stale, f"EXPECTED names views that no longer exist: {stale}"


def test_the_table_agrees_with_the_views_decorators() -> None:
    """A view decorated with @requires(x) is listed with x (its GET, where methods differ)."""
    wrong = []
    for route in MATRIX_ROUTES:
        declared = getattr(route.pattern.callback, "required_permission", None)
        entry = EXPECTED[route.name]
        listed = entry.get("GET") if isinstance(entry, dict) else entry
        if declared is not None and declared != listed:
            wrong.append(f"{route.name}: view requires {declared.name}, table says {listed}")
    assert not wrong, "\n".join(wrong)


# --- The company, its objects and the actors -------------------------------------------------


@dataclass
class World:
    company: Company
    kwargs: dict[str, Any]
    query: dict[str, dict[str, str]]
    owner: User


@pytest.fixture
def world(user: User, company: Company) -> World:
    kwargs: dict[str, Any] = {}
    for route in MATRIX_ROUTES:
        for kwarg in route.kwargs:
            if kwarg not in kwargs and kwarg in REGISTRY:
                kwargs[kwarg] = REGISTRY[kwarg](company)
    connection = company.connections.get()
    query = {
        # The consent page's return names the connection (and company) it was for.
        "accounts:onboarding-callback": {
            "connectionId": connection.codat_connection_id,
            "companyId": company.codat_company_id,
        },
    }
    return World(company=company, kwargs=kwargs, query=query, owner=user)


def _actor(world: World, actor: str) -> User:
    """The user acting as `actor`: the company's owner, or a new member with that role."""
    if actor == Membership.Role.OWNER:
        return world.owner
    member = UserFactory()
    if actor == DEACTIVATED:
        MembershipFactory(
            user=member,
            company=world.company,
            role=Membership.Role.ADMIN,
            deactivated_at="2026-01-01T00:00:00Z",
        )
    elif actor == OUTSIDER:
        theirs = CompanyFactory(name="Someone Else Ltd")
        ConnectionFactory(company=theirs)
        MembershipFactory(user=member, company=theirs, role=Membership.Role.OWNER)
    else:
        MembershipFactory(user=member, company=world.company, role=actor)
    return member


def _url(world: World, route: Route) -> str:
    if EXPECTED[route.name] is ACCOUNT:
        return _any_url(route)  # a password-reset link's uidb64 and token: any well-formed value
    for kwarg in route.kwargs:
        assert kwarg in world.kwargs, f"{route.name}: no object for {kwarg!r} (crawler REGISTRY)"
    return route.url(world.kwargs)


def _send(actor: User, world: World, cell: Cell) -> Any:
    """One request from a fresh session, rolled back: a POST that acts (a hand-over, a
    deactivation, logging out) changes nothing for the next cell."""
    client = Client()
    client.force_login(actor)
    url = _url(world, cell.route)
    data = world.query.get(cell.route.name, {})
    with transaction.atomic():
        if cell.method == "GET":
            response = client.get(url, data)
        else:
            response = client.post(url + _query_string(data))
        transaction.set_rollback(True)
    return response


def _query_string(data: dict[str, str]) -> str:
    return "?" + "&".join(f"{k}={v}" for k, v in data.items()) if data else ""


def _post_only(world: World) -> set[str]:
    """Views that answer GET with 405 (the method decorators run before any role check)."""
    names = set()
    for route in MATRIX_ROUTES:
        if isinstance(EXPECTED[route.name], dict):
            continue
        probe = Cell(route, "GET", None)
        if _send(world.owner, world, probe).status_code == 405:
            names.add(route.name)
    return names


def _scoped(world: World, route: Route) -> bool:
    """Does the URL name one of the company's objects (in its path or its query)?"""
    return bool(route.kwargs) or route.name in world.query


def _problem(cell: Cell, actor: str, status: int, location: str, world: World) -> str | None:
    allowed_get = {200, 302}
    allowed_post = {200, 204, 302, 400}
    ok = allowed_get if cell.method == "GET" else allowed_post
    if cell.permission is None:
        return None if status < 500 and status != 403 else f"{status} on an account page"
    if actor == DEACTIVATED:
        if status == 404:
            return None
        if status == 302 and location.startswith(reverse("accounts:company-create")):
            return None
        return f"{status} {location} to a deactivated member (want 404 or a company pick)"
    if actor == OUTSIDER:
        if _scoped(world, cell.route):
            return None if status == 404 else f"{status} to another company's member (want 404)"
        return None if status in ok else f"{status} to another company's owner on their own page"
    membership = Membership(role=actor)
    if cell.permission(membership):
        return None if status in ok else f"{status} to an allowed {actor} (want {sorted(ok)})"
    return None if status == 403 else f"{status} to a {actor} without {cell.permission.name}"


@pytest.mark.parametrize("actor", ACTORS)
def test_the_matrix(world: World, actor: str) -> None:
    member = _actor(world, actor)
    cells = list(_cells(_post_only(world)))
    problems = []
    for cell in cells:
        response = _send(member, world, cell)
        problem = _problem(cell, actor, response.status_code, response.get("Location", ""), world)
        if problem:
            problems.append(f"{cell.method} {cell.route.name}: {problem}")
    assert not problems, "\n".join(problems)


def test_a_refusal_names_the_role_and_the_action(world: World) -> None:
    client = Client()
    client.force_login(_actor(world, Membership.Role.CLERK))
    url = reverse("payables:bill-pay", args=[world.kwargs["bill_id"]])

    response = client.get(url)

    assert response.status_code == 403
    assert "Your role (Clerk) cannot pay bills. Ask an owner or admin." in response.content.decode()


def test_the_matrix_size(world: World) -> None:
    cells = list(_cells(_post_only(world)))
    size = len(cells) * len(ACTORS)
    print(
        f"permission matrix: {len(MATRIX_ROUTES)} patterns, {len(cells)} cells x {len(ACTORS)} actors = {size}"
    )
    # The module docstring quotes these numbers; change both together.
    assert (len(MATRIX_ROUTES), len(cells), len(ACTORS)) == (58, 59, 9)
