"""Invitations by e-mail: invite, resend, revoke, accept (signing up or as an existing user).

The link carries a random token and the database keeps only its SHA-256. Accepting is a POST and
runs under a row lock, so a link works once however many tabs click it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.emails import email_send
from accounts.models import Company, Invitation, Membership, User
from accounts.services import audit_log_record, user_signup

INVITABLE_ROLES = [
    (value, label) for value, label in Membership.Role.choices if value != Membership.Role.OWNER
]


class InvitationError(Exception):
    """An invitation could not be made, changed or used; `message` is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvitationUnusable(InvitationError):
    """The link leads nowhere any more: unknown (or replaced by a resend), used, revoked, expired."""

    def __init__(self, message: str, *, invitation: Invitation | None) -> None:
        super().__init__(message)
        self.invitation = invitation


class InvitationWrongUser(InvitationError):
    """The signed-in user's e-mail address is not the one invited."""


NOT_FOUND_MESSAGE = (
    "This invitation link is not valid. If you were sent a newer invitation, use the link in "
    "that e-mail; otherwise ask for a new one."
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def invitation_url(token: str) -> str:
    """The absolute link an invitation e-mail carries."""
    return settings.SITE_URL + reverse("accounts:invitation-detail", args=[token])


def _snapshot(invitation: Invitation) -> dict[str, object]:
    return {
        "email": invitation.email,
        "role": invitation.role,
        "expires_at": invitation.expires_at.isoformat(),
    }


def _audit(
    invitation: Invitation,
    action: str,
    actor: User,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    audit_log_record(
        company=invitation.company,
        action=action,
        object_type="invitation",
        object_id=str(invitation.pk),
        object_repr=invitation.email,
        before=before,
        after=after,
        actor=actor,
    )


def _send(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    email_send(
        to=invitation.email,
        template="accounts/emails/invitation",
        context={
            "invitation": invitation,
            "company": invitation.company,
            "inviter": inviter.get_full_name() if inviter is not None else invitation.company.name,
            "role": invitation.get_role_display(),
            "url": invitation_url(token),
        },
    )


def invitation_create(*, company: Company, email: str, role: str, invited_by: User) -> Invitation:
    """Invite `email` to `company` with `role` and e-mail them the link (after commit)."""
    email = User.objects.normalize_email(email).lower()
    if role == Membership.Role.OWNER:
        raise InvitationError("Nobody is invited as owner: the owner hands over to a member.")
    if Membership.objects.filter(
        company=company, user__email__iexact=email, deactivated_at__isnull=True
    ).exists():
        raise InvitationError(f"{email} is already a member of {company.name}.")
    if Invitation.objects.for_company(company).open().filter(email=email).exists():
        raise InvitationError(
            f"{email} already has an open invitation: resend or revoke it instead."
        )
    token, hashed = _new_token()
    now = timezone.now()
    invitation = Invitation(
        company=company,
        email=email,
        role=role,
        invited_by_id=invited_by.pk,
        token_hash=hashed,
        created_at=now,
        sent_at=now,
        expires_at=now + Invitation.VALID_FOR,
    )
    try:
        invitation.full_clean()
    except ValidationError as exc:
        raise InvitationError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            invitation.save()
            _audit(invitation, "invitation.created", invited_by, after=_snapshot(invitation))
            _send(invitation, token)
    except IntegrityError:
        # Two invitations to the same address at once: the conditional unique constraint kept one.
        raise InvitationError(
            f"{email} already has an open invitation: resend or revoke it instead."
        ) from None
    return invitation


def _locked_open(invitation: Invitation, verb: str) -> Invitation:
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to invited_by.
    locked = Invitation.objects.select_for_update(of=("self",)).select_related(
        "company", "invited_by"
    )
    current = locked.get(pk=invitation.pk)
    if current.accepted_at is not None:
        raise InvitationError(f"The invitation to {current.email} was accepted: nothing to {verb}.")
    if current.revoked_at is not None:
        raise InvitationError(f"The invitation to {current.email} was revoked: nothing to {verb}.")
    return current


def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Send the invitation again with a new link (the old one stops working) and 7 more days."""
    with transaction.atomic():
        invitation = _locked_open(invitation, "resend")
        before = _snapshot(invitation)
        token, invitation.token_hash = _new_token()
        invitation.sent_at = timezone.now()
        invitation.expires_at = invitation.sent_at + Invitation.VALID_FOR
        invitation.full_clean()
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        _audit(invitation, "invitation.resent", actor, before=before, after=_snapshot(invitation))
        _send(invitation, token)
    return invitation


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw an open invitation: its link stops working."""
    with transaction.atomic():
        invitation = _locked_open(invitation, "revoke")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(invitation, "invitation.revoked", actor, before=_snapshot(invitation))
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, if it can still be accepted; else InvitationUnusable saying
    why (never changes anything: the landing page's GET calls it)."""
    invitation = (
        Invitation.objects.select_related("company", "invited_by", "accepted_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    _check_usable(invitation)
    assert invitation is not None
    return invitation


def _check_usable(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvitationUnusable(NOT_FOUND_MESSAGE, invitation=None)
    state = invitation.state()
    company = invitation.company.name
    if state == Invitation.State.ACCEPTED:
        message = f"This invitation to {company} has already been used."
    elif state == Invitation.State.REVOKED:
        message = f"This invitation to {company} was withdrawn."
    elif state == Invitation.State.EXPIRED:
        when = dateformat.format(timezone.localtime(invitation.expires_at), "j F Y")
        message = (
            f"This invitation to {company} expired on {when}. Ask whoever invited you to send it "
            "again."
        )
    else:
        return
    raise InvitationUnusable(message, invitation=invitation)


def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's company as `user`, whose e-mail address must be the one invited.

    A deactivated member is reactivated with the invitation's role."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("company")
            .filter(token_hash=token_hash(token))
            .first()
        )
        _check_usable(invitation)
        assert invitation is not None
        if user.email.lower() != invitation.email:
            raise InvitationWrongUser(
                f"This invitation is for {invitation.email}, and you are signed in as "
                f"{user.email}. Log out, then open the link again to sign in or sign up as "
                f"{invitation.email}."
            )
        company = invitation.company
        membership = Membership.objects.filter(user_id=user.pk, company=company).first()
        if membership is not None and membership.is_active:
            raise InvitationError(f"You are already a member of {company.name}.")
        before: dict[str, object] | None = None
        if membership is None:
            membership = Membership(user_id=user.pk, company=company, role=invitation.role)
        else:
            before = {"role": membership.role, "deactivated_at": str(membership.deactivated_at)}
            membership.role = invitation.role
            membership.deactivated_at = None
        membership.full_clean()
        membership.save()
        invitation.accepted_at = timezone.now()
        invitation.accepted_by_id = user.pk
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _audit(
            invitation,
            "invitation.accepted",
            user,
            before=before,
            after={**_snapshot(invitation), "membership_id": membership.pk},
        )
    return membership


def invitation_signup(*, token: str, full_name: str, password: str) -> Membership:
    """Create the invited address's account and accept the invitation with it, in one go."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        user = user_signup(email=invitation.email, full_name=full_name, password=password)
        return invitation_accept(token=token, user=user)
