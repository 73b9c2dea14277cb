"""Write paths and shared reads for users, companies and connections."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

import codat.types as codat
from accounts import permissions
from accounts.audit import current_actor
from accounts.models import AuditLogEntry, Company, Connection, Membership, User
from accounts.permissions import Permission, permission_check
from billpay.ledger import codat_client
from codat import platforms
from codat.client import CodatClient
from codat.errors import CodatAuthError, CodatError, CodatRejected, CodatUnavailable
from codat.types import CompanyRequest

logger = logging.getLogger(__name__)

ACTIVE_COMPANY_ATTR = "_billpay_active_company"
MEMBERSHIPS_ATTR = "_billpay_memberships"
ACTIVE_COMPANY_SESSION_KEY = "active_company_id"


def companies_for_user(user: User) -> list[Company]:
    """The companies a user is an active member of, by name (a deactivated member's company is
    as unknown to them as any other)."""
    return list(
        Company.objects.filter(
            memberships__user=user, memberships__deactivated_at__isnull=True
        ).order_by("name", "id")
    )


def request_memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in user's active memberships, by company name, read once per request: the
    active company, the member's role and base.html's company switcher all come from this one
    query."""
    if not hasattr(request, MEMBERSHIPS_ATTR):
        user = request.user
        memberships = (
            list(
                Membership.objects.filter(user_id=user.pk, deactivated_at__isnull=True)
                .select_related("company")
                .order_by("company__name", "company__id")
            )
            if user.is_authenticated
            else []
        )
        setattr(request, MEMBERSHIPS_ATTR, memberships)
    return cast(list[Membership], getattr(request, MEMBERSHIPS_ATTR))


def request_companies(request: HttpRequest) -> list[Company]:
    """The signed-in user's companies (active memberships), by name."""
    return [m.company for m in request_memberships(request)]


def active_company(request: HttpRequest) -> Company | None:
    """The company the user works in now: the one chosen in this session if they still belong to
    it, else their first company, else None (they have none yet)."""
    if hasattr(request, ACTIVE_COMPANY_ATTR):
        company: Company | None = getattr(request, ACTIVE_COMPANY_ATTR)
        return company
    company = _active_company(request)
    if company is not None:
        setattr(request, ACTIVE_COMPANY_ATTR, company)
    return company


def _active_company(request: HttpRequest) -> Company | None:
    companies = request_companies(request)
    if not companies:
        return None
    chosen = request.session.get(ACTIVE_COMPANY_SESSION_KEY)
    company = next((c for c in companies if c.pk == chosen), None)
    if company is None:
        company = companies[0]
        request.session[ACTIVE_COMPANY_SESSION_KEY] = company.pk
    return company


def active_membership(request: HttpRequest) -> Membership | None:
    """The signed-in user's active membership of the active company, or None when they have no
    company: what every permission decision of a view is made from."""
    company = active_company(request)
    if company is None:
        return None
    return next((m for m in request_memberships(request) if m.company_id == company.pk), None)


def active_company_set(request: HttpRequest, company: Company) -> None:
    """Make `company` the active one for this session (the caller checked membership)."""
    request.session[ACTIVE_COMPANY_SESSION_KEY] = company.pk
    setattr(request, ACTIVE_COMPANY_ATTR, company)
    # A company created in this request is not among those read before it.
    request.__dict__.pop(MEMBERSHIPS_ATTR, None)


# ---------------------------------------------------------------------------------------------
# Errors and platforms


class OnboardingError(Exception):
    """Signing up, creating the company or connecting failed; `messages` are safe to show."""

    def __init__(self, message: str, *, messages: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.messages = list(messages) or [message]


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    name: str


def offered_platforms() -> tuple[Platform, ...]:
    """The platforms onboarding offers, in the order settings.BILLPAY_PLATFORMS names them."""
    return tuple(Platform(key=key, name=platform_name(key)) for key in settings.BILLPAY_PLATFORMS)


# The tag on each Codat company billpay creates, naming the attempt that created it.
REQUEST_TAG = "billpayRequest"
UNAVAILABLE_MESSAGE = "The accounting service is not responding; please try again."
AUTH_MESSAGE = "The accounting service refused billpay's credentials; please contact support."


def _onboarding_error(exc: CodatError) -> OnboardingError:
    if isinstance(exc, CodatRejected):
        messages = exc.form_messages()
        return OnboardingError(messages[0], messages=messages)
    if isinstance(exc, CodatAuthError):
        return OnboardingError(AUTH_MESSAGE)
    return OnboardingError(UNAVAILABLE_MESSAGE)


def platform_name(key: str) -> str:
    """The display name of a platform key (codat.platforms' table); unknown keys show as given."""
    return platforms.name_for(key) or key


# ---------------------------------------------------------------------------------------------
# Users and companies


def user_signup(*, email: str, full_name: str, password: str) -> User:
    """Create a user who logs in with this email address and password."""
    with transaction.atomic():
        # create_user runs full_clean, so a taken email is a ValidationError, not an IntegrityError.
        return User.objects.create_user(email, password, full_name=full_name.strip())


def company_create(*, user: User, name: str) -> Company:
    """Create the Codat company, then the local company with `user` as its owner.

    The ledger call runs outside any transaction. If the local save fails after it, the Codat
    company is deleted again (best effort), so trying again starts from nothing.
    """
    # Ids rather than instances: a view's request.user is a lazy proxy that the database router's
    # allow_relation() cannot inspect.
    company = Company(name=name.strip(), codat_company_id="-", created_by_id=user.pk)
    company.full_clean(exclude=["codat_company_id"])
    # create-company has no Idempotency-Key: the tag lets us find a company whose creation
    # answer was lost (done, but never heard of) and delete it.
    request_tag = uuid.uuid4().hex
    request = CompanyRequest(name=company.name, tags={REQUEST_TAG: request_tag})
    try:
        with codat_client() as client:
            remote = client.create_company(request)
    except CodatUnavailable as exc:
        _company_delete_tagged(request_tag)
        raise _onboarding_error(exc) from exc
    except CodatError as exc:
        raise _onboarding_error(exc) from exc
    company.codat_company_id = remote.id
    try:
        with transaction.atomic():
            company.full_clean()
            company.save()
            membership = Membership(user_id=user.pk, company=company, role=Membership.Role.OWNER)
            membership.full_clean()
            membership.save()
    except Exception:
        _company_delete_remote(remote.id)
        raise
    return company


def _company_delete_remote(codat_company_id: str) -> None:
    try:
        with codat_client() as client:
            client.delete_company(codat_company_id)
    except CodatError:
        logger.exception("Could not delete Codat company %s after a failed save", codat_company_id)


def _company_delete_tagged(request_tag: str) -> None:
    try:
        with codat_client() as client:
            page = client.list_companies_page(tags=f"{REQUEST_TAG}={request_tag}")
            for orphan in page.items:
                client.delete_company(orphan.id)
    except CodatError:
        logger.exception("Could not look for a Codat company tagged %s", request_tag)


def membership_for(*, user: User, company_id: int) -> Membership | None:
    """The user's active membership of a company, or None if they do not belong to it (or no
    longer: deactivated)."""
    return (
        Membership.objects.filter(user=user, company_id=company_id, deactivated_at__isnull=True)
        .select_related("company")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Connections


def linked_connection(company: Company) -> Connection | None:
    """The connection billpay talks to the ledger through: the most recently linked one."""
    return (
        company.connections.filter(status=Connection.Status.LINKED)
        .order_by("-linked_at", "-id")
        .first()
    )


def company_connection(company: Company) -> Connection | None:
    """The company's connection to show: the linked one, else the most recent one."""
    return linked_connection(company) or company.connections.first()


def connection_create(*, company: Company, platform_key: str) -> Connection:
    """Create a Codat connection for the platform and keep it locally as PendingAuth.

    A connection still waiting for consent on the same platform is reused, so going back and
    choosing again does not pile up connections in Codat.
    """
    pending = company.connections.filter(
        platform_key=platform_key, status=Connection.Status.PENDING_AUTH
    ).first()
    if pending is not None:
        return pending
    try:
        with codat_client() as client:
            remote = client.create_connection(company.codat_company_id, platform_key)
    except CodatError as exc:
        raise _onboarding_error(exc) from exc
    connection = Connection(
        company=company,
        codat_connection_id=remote.id,
        platform_key=platform_key,
        platform_name=remote.platform_name or platform_name(platform_key),
        status=str(remote.status),
        link_url=remote.link_url,
        status_read_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            connection.full_clean()
            connection.save()
    except Exception:
        _connection_delete_remote(company.codat_company_id, remote.id)
        raise
    return connection


def _connection_delete_remote(codat_company_id: str, codat_connection_id: str) -> None:
    try:
        with codat_client() as client:
            client.delete_connection(codat_company_id, codat_connection_id)
    except CodatError:
        logger.exception("Could not delete Codat connection %s", codat_connection_id)


def _active_error(remote: codat.Connection) -> str:
    active = [
        error
        for error in remote.data_connection_errors
        if error.status is None or error.status == codat.DataConnectionErrorStatus.ACTIVE
    ]
    if not active:
        return ""
    return (active[-1].error_message or active[-1].status_text or "")[:500]


def connection_refresh(*, connection: Connection) -> Connection:
    """Read the connection's status from Codat and store it (never trust a redirect's query)."""
    company = connection.company
    try:
        with codat_client() as client:
            remote = client.get_connection(company.codat_company_id, connection.codat_connection_id)
            info = _company_information(client, connection, remote)
    except CodatError as exc:
        raise _onboarding_error(exc) from exc
    return _connection_store(connection=connection, remote=remote, info=info)


def _company_information(
    client: CodatClient, connection: Connection, remote: codat.Connection
) -> codat.CompanyInformation | None:
    # Best effort: the organisation's name and base currency are nice to show, but a linked
    # connection whose first read is still running may not answer yet.
    if remote.status != codat.ConnectionStatus.LINKED:
        return None
    try:
        return client.get_company_information(
            connection.company.codat_company_id, connection.codat_connection_id
        )
    except CodatError:
        return None


def _connection_store(
    *, connection: Connection, remote: codat.Connection, info: codat.CompanyInformation | None
) -> Connection:
    now = timezone.now()
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=connection.pk)
        was_linked = connection.is_linked
        connection.status = str(remote.status)
        connection.status_read_at = now
        connection.last_error = _active_error(remote)
        if connection.is_linked and not was_linked:
            connection.linked_at = now
        if info is not None and info.company_name:
            connection.organisation_name = info.company_name[:255]
        connection.full_clean()
        connection.save()
        company = connection.company
        if info is not None and info.base_currency and not company.base_currency:
            company.base_currency = info.base_currency.upper()[:3]
            company.full_clean()
            company.save(update_fields=["base_currency"])
    return connection


def connection_unlink(*, connection: Connection) -> Connection:
    """Unlink the connection in Codat (data is kept; consenting again relinks it)."""
    try:
        with codat_client() as client:
            remote = client.unlink_connection(
                connection.company.codat_company_id, connection.codat_connection_id
            )
    except CodatError as exc:
        raise _onboarding_error(exc) from exc
    return _connection_store(connection=connection, remote=remote, info=None)


# ---------------------------------------------------------------------------------------------
# Onboarding


def onboarding_next_step(company: Company | None) -> str | None:
    """The URL of the onboarding step still to do, or None once the company is linked."""
    if company is None:
        return reverse("accounts:company-create")
    if not company.connections.filter(status=Connection.Status.LINKED).exists():
        return reverse("accounts:onboarding-platform")
    return None


# ---------------------------------------------------------------------------------------------
# Connection status seen by refreshes and webhooks; the audit log


def connection_status_store(*, connection: Connection, remote: codat.Connection) -> Connection:
    """Store a connection's status as Codat reported it (a refresh or a webhook saw it)."""
    return _connection_store(connection=connection, remote=remote, info=None)


class _Unset:
    pass


_UNSET = _Unset()


def audit_log_record(
    *,
    company: Company | None,
    action: str,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    actor: User | _Unset | None = _UNSET,
) -> AuditLogEntry:
    """Append one entry to the audit log. The actor is the request's user unless given; None
    means the system (a scheduled refresh, a webhook).

    It joins the caller's transaction when there is one, so the entry and the change it
    describes are committed together.
    """
    if isinstance(actor, _Unset):
        actor = current_actor()
    entry = AuditLogEntry(
        company=company,
        # By id: request.user is a lazy wrapper, which the database router cannot place.
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action[:64],
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:255],
        before=before,
        after=after,
    )
    entry.full_clean()
    entry.save()
    return entry


# ---------------------------------------------------------------------------------------------
# Members: roles, deactivation, hand-over; permission checks in services


class MemberError(Exception):
    """A change to the members that the rules refuse; the message is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def acting_membership(*, company: Company, user: User | None) -> Membership | None:
    """The user's active membership of the company, or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user_id=user.pk, company=company, deactivated_at__isnull=True)
        .select_related("user")
        .first()
    )


def member_permission_check(
    permission: Permission, *, company: Company, user: User | None = None
) -> None:
    """For services that write: raise NotAllowed unless the acting user (given, else the
    request's, accounts.audit) is an active member whose role has the permission. With no user at
    all the system acts (a Celery task, a management command), and the check passes: those
    interfaces are run by the operator, not by a member."""
    actor = user if user is not None else current_actor()
    if actor is None:
        return
    permission_check(permission, acting_membership(company=company, user=actor))


def _member_repr(membership: Membership) -> str:
    return f"{membership.user.email} in {membership.company.name}"


def _locked_members(company: Company, *pks: int) -> dict[int, Membership]:
    rows = (
        Membership.objects.select_for_update()
        .select_related("user", "company")
        .filter(company=company, pk__in=pks)
    )
    found = {m.pk: m for m in rows}
    if len(found) != len(set(pks)):
        raise MemberError("That member is no longer in this company.")
    return found


def _audit_member(
    membership: Membership,
    action: str,
    by: Membership,
    *,
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    audit_log_record(
        company=membership.company,
        action=action,
        object_type="membership",
        object_id=str(membership.pk),
        object_repr=_member_repr(membership),
        before=before,
        after=after,
        actor=by.user,
    )


def membership_role_change(*, membership: Membership, role: str, by: Membership) -> Membership:
    """Give a member another role. Owners and admins may; nobody becomes or stops being the owner
    this way (only the hand-over moves the ownership, so the company always keeps its owner)."""
    permission_check(permissions.can_manage_members, by)
    if role not in Membership.Role.values:
        raise MemberError("Choose one of the roles listed.")
    if role == Membership.Role.OWNER:
        raise MemberError(
            "Nobody is made owner by a role change: the owner hands over the ownership."
        )
    with transaction.atomic():
        membership = _locked_members(by.company, membership.pk)[membership.pk]
        if membership.role == Membership.Role.OWNER:
            raise MemberError(
                "The owner's role changes only when they hand over the ownership to someone else."
            )
        before = membership.role
        if before == role:
            return membership
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
        _audit_member(
            membership, "membership.role_changed", by, before={"role": before}, after={"role": role}
        )
    return membership


def membership_deactivate(*, membership: Membership, by: Membership) -> Membership:
    """Take a member's access away; their history (audit, bills they entered) stays. The owner is
    never deactivated (hand over first), and nobody deactivates themselves."""
    permission_check(permissions.can_manage_members, by)
    with transaction.atomic():
        membership = _locked_members(by.company, membership.pk)[membership.pk]
        if membership.role == Membership.Role.OWNER:
            raise MemberError(
                "The owner cannot be deactivated: a company always keeps its owner. "
                "The owner can hand over the ownership first."
            )
        if membership.pk == by.pk:
            raise MemberError("You cannot deactivate yourself; ask another owner or admin.")
        if not membership.is_active:
            return membership
        membership.deactivated_at = timezone.now()
        membership.full_clean()
        membership.save(update_fields=["deactivated_at"])
        _audit_member(
            membership,
            "membership.deactivated",
            by,
            before={"active": True, "role": membership.role},
            after={"active": False, "role": membership.role},
        )
    return membership


def membership_reactivate(*, membership: Membership, by: Membership) -> Membership:
    """Give a deactivated member their access back, with the role they had."""
    permission_check(permissions.can_manage_members, by)
    with transaction.atomic():
        membership = _locked_members(by.company, membership.pk)[membership.pk]
        if membership.is_active:
            return membership
        membership.deactivated_at = None
        membership.full_clean()
        membership.save(update_fields=["deactivated_at"])
        _audit_member(
            membership,
            "membership.reactivated",
            by,
            before={"active": False, "role": membership.role},
            after={"active": True, "role": membership.role},
        )
    return membership


def ownership_hand_over(*, to: Membership, by: Membership) -> Membership:
    """The owner makes another active member the owner and becomes an admin, in one transaction:
    demoted first, then the new owner promoted (the database allows one owner per company)."""
    permission_check(permissions.can_hand_over, by)
    if to.pk == by.pk:
        raise MemberError("You are the owner already; choose another member.")
    with transaction.atomic():
        locked = _locked_members(by.company, by.pk, to.pk)
        owner, heir = locked[by.pk], locked[to.pk]
        if owner.role != Membership.Role.OWNER or not owner.is_active:
            raise MemberError("Only the owner can hand over the ownership.")
        if not heir.is_active:
            raise MemberError(
                f"{heir.user.email} is deactivated; reactivate them before handing over."
            )
        heir_before = heir.role
        owner.role = Membership.Role.ADMIN
        owner.full_clean()
        owner.save(update_fields=["role"])
        heir.role = Membership.Role.OWNER
        # Validated after the demotion is saved: full_clean checks the one-owner constraint.
        heir.full_clean()
        heir.save(update_fields=["role"])
        audit_log_record(
            company=heir.company,
            action="company.ownership_handed_over",
            object_type="company",
            object_id=str(heir.company_id),
            object_repr=heir.company.name,
            before={"owner": owner.user.email, "new_owner_role": heir_before},
            after={"owner": heir.user.email, "previous_owner_role": owner.role},
            actor=by.user,
        )
    return heir
