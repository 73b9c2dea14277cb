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
from accounts.audit import current_actor
from accounts.models import AuditLogEntry, Company, Connection, Membership, User
from billpay.ledger import codat_client
from codat import platforms
from codat.client import CodatClient
from codat.errors import CodatAuthError, CodatError, CodatRejected, CodatUnavailable
from codat.types import CompanyRequest

logger = logging.getLogger(__name__)

ACTIVE_COMPANY_ATTR = "_billpay_active_company"
COMPANIES_ATTR = "_billpay_companies"
ACTIVE_COMPANY_SESSION_KEY = "active_company_id"


def companies_for_user(user: User) -> list[Company]:
    """The companies a user belongs to, by name."""
    return list(Company.objects.filter(memberships__user=user).order_by("name", "id"))


def request_companies(request: HttpRequest) -> list[Company]:
    """The signed-in user's companies, by name, read once per request: the active company and
    base.html's company switcher both come from this one query."""
    if not hasattr(request, COMPANIES_ATTR):
        user = request.user
        companies = companies_for_user(user) if user.is_authenticated else []
        setattr(request, COMPANIES_ATTR, companies)
    return cast(list[Company], getattr(request, COMPANIES_ATTR))


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


def active_company_set(request: HttpRequest, company: Company) -> None:
    """Make `company` the active one for this session (the caller checked membership)."""
    request.session[ACTIVE_COMPANY_SESSION_KEY] = company.pk
    setattr(request, ACTIVE_COMPANY_ATTR, company)
    # A company created in this request is not among those read before it.
    request.__dict__.pop(COMPANIES_ATTR, None)


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
    """The user's membership of a company, or None if they do not belong to it."""
    return (
        Membership.objects.filter(user=user, company_id=company_id)
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
