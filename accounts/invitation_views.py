"""Views of invitations: the company's invitations page (invite, resend, revoke) and the link's
landing page (see the invitation, accept it, or sign up through it)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import requires
from accounts.invitation_forms import InvitationForm, InvitationSignupForm
from accounts.invitations import (
    InvitationError,
    InvitationUnusable,
    InvitationWrongUser,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_signup,
)
from accounts.models import Company, Invitation, User
from accounts.permissions import can_manage_members, permission_check
from accounts.services import active_company, active_company_set, active_membership
from billpay.http import AuthenticatedRequest, HtmxHttpRequest, htmx_redirect


def _managed_company(request: AuthenticatedRequest) -> Company:
    """The active company, when the user may manage its members (403 otherwise; 404 with no
    company, as for every company page: a deactivated member has none)."""
    company = active_company(request)
    if company is None:
        raise Http404("No company")
    permission_check(can_manage_members, active_membership(request))
    return company


def _get_invitation(request: AuthenticatedRequest, invitation_id: int) -> Invitation:
    company = _managed_company(request)
    return get_object_or_404(
        Invitation.objects.for_company(company).select_related("company", "invited_by"),
        pk=invitation_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_manage_members)
def invitation_list(request: AuthenticatedRequest) -> HttpResponse:
    if active_company(request) is None:  # a page of no object: as the members page, pick one
        return htmx_redirect(request, reverse("accounts:company-create"))
    company = _managed_company(request)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                company=company,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except InvitationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return htmx_redirect(request, reverse("accounts:invitation-list"))
    ctx = {
        "company": company,
        "form": form,
        "invitations": Invitation.objects.for_company(company).open().select_related("invited_by"),
    }
    template = "accounts/invitation_list.html" + ("#invite-form" if request.htmx else "")
    return render(request, template, ctx)


@login_required
@require_POST
@requires(can_manage_members)
def invitation_resend_view(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    invitation = _get_invitation(request, invitation_id)
    try:
        invitation = invitation_resend(invitation=invitation, actor=request.user)
    except InvitationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}, with a new link.")
    return htmx_redirect(request, reverse("accounts:invitation-list"))


@login_required
@require_POST
@requires(can_manage_members)
def invitation_revoke_view(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    invitation = _get_invitation(request, invitation_id)
    try:
        invitation = invitation_revoke(invitation=invitation, actor=request.user)
    except InvitationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} is revoked.")
    return htmx_redirect(request, reverse("accounts:invitation-list"))


# ---------------------------------------------------------------------------------------------
# The link's landing page: GET only shows; accepting and signing up are POSTs.


def _unusable(request: HttpRequest, exc: InvitationUnusable) -> HttpResponse:
    # 404 for a link that names nothing (never was, or replaced by a resend); 410 for one that did.
    status = 404 if exc.invitation is None else 410
    return render(request, "accounts/invitation_gone.html", {"message": exc.message}, status=status)


def _wrong_user(request: HttpRequest, exc: InvitationError) -> HttpResponse:
    return render(request, "accounts/invitation_refused.html", {"message": exc.message}, status=403)


@require_http_methods(["GET"])
def invitation_detail(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_for_token(token)
    except InvitationUnusable as exc:
        return _unusable(request, exc)
    here = reverse("accounts:invitation-detail", args=[token])
    user = request.user
    ctx = {
        "invitation": invitation,
        "token": token,
        "signed_in_as": user.email if user.is_authenticated else None,
        "mismatch": user.is_authenticated and user.email.lower() != invitation.email,
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": here}),
        "can_sign_up": not user.is_authenticated
        and not User.objects.filter(email__iexact=invitation.email).exists(),
    }
    return render(
        request, "accounts/invitation_detail.html", ctx, status=403 if ctx["mismatch"] else 200
    )


@require_POST
def invitation_accept_view(request: HtmxHttpRequest, token: str) -> HttpResponse:
    here = reverse("accounts:invitation-detail", args=[token])
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + "?" + urlencode({"next": here}))
    assert isinstance(request.user, User)
    try:
        membership = invitation_accept(token=token, user=request.user)
    except InvitationUnusable as exc:
        return _unusable(request, exc)
    except InvitationWrongUser as exc:
        return _wrong_user(request, exc)
    except InvitationError as exc:
        messages.error(request, exc.message)
        return redirect(here)
    active_company_set(request, membership.company)
    messages.success(
        request, f"Welcome to {membership.company.name}: you are {membership.get_role_display()}."
    )
    return htmx_redirect(request, reverse("payables:bill-list"))


@require_http_methods(["GET", "POST"])
def invitation_signup_view(request: HtmxHttpRequest, token: str) -> HttpResponse:
    here = reverse("accounts:invitation-detail", args=[token])
    if request.user.is_authenticated:
        return redirect(here)
    try:
        invitation = invitation_for_token(token)
    except InvitationUnusable as exc:
        return _unusable(request, exc)
    form = InvitationSignupForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitation_signup(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except InvitationUnusable as exc:
            return _unusable(request, exc)
        except InvitationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            active_company_set(request, membership.company)
            messages.success(
                request,
                f"Welcome to {membership.company.name}: you are {membership.get_role_display()}.",
            )
            return htmx_redirect(request, reverse("payables:bill-list"))
    ctx = {"invitation": invitation, "token": token, "form": form}
    template = "accounts/invitation_signup.html" + ("#signup-form" if request.htmx else "")
    return render(request, template, ctx)
