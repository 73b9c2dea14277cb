"""Views of the accounts app: sign-up, companies, connecting the accounting platform."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import requires
from accounts.forms import CompanyForm, HandOverForm, MemberRoleForm, PlatformForm, SignupForm
from accounts.models import Company, Connection, Membership
from accounts.permissions import (
    can_hand_over,
    can_manage_bank_accounts,
    can_manage_connection,
    can_manage_members,
    can_refresh,
    can_view,
    permission_check,
)
from accounts.services import (
    MemberError,
    OnboardingError,
    active_company,
    active_company_set,
    active_membership,
    company_connection,
    company_create,
    connection_create,
    connection_refresh,
    connection_unlink,
    membership_deactivate,
    membership_for,
    membership_reactivate,
    membership_role_change,
    onboarding_next_step,
    ownership_hand_over,
    user_signup,
)
from billpay.http import AuthenticatedRequest, HtmxHttpRequest, htmx_redirect
from payables.services.imports import payables_import_start

CANCELLED_MESSAGE = "You cancelled the connection to {platform}. Connect again when you are ready."


def _landing(request: HttpRequest) -> str:
    """Where a user goes after logging in or signing up: the next onboarding step, else home."""
    return onboarding_next_step(active_company(request)) or reverse("payables:bill-list")


def _get_connection(request: AuthenticatedRequest, connection_id: int) -> Connection:
    """A connection of the active company, or 404."""
    company = active_company(request)
    if company is None:
        raise Http404
    return get_object_or_404(
        Connection.objects.select_related("company"), pk=connection_id, company=company
    )


class LoginView(auth_views.LoginView):
    """Django's login, landing on the next onboarding step when there is no `next`."""

    template_name = "accounts/login.html"

    def get_default_redirect_url(self) -> str:
        return _landing(self.request)


# ---------------------------------------------------------------------------------------------
# Sign-up and companies


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_landing(request))
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = user_signup(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return htmx_redirect(request, reverse("accounts:company-create"))
    template = "accounts/signup.html" + ("#signup-form" if request.htmx else "")
    return render(request, template, {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def company_create_view(request: AuthenticatedRequest) -> HttpResponse:
    form = CompanyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_create(user=request.user, name=form.cleaned_data["name"])
        except OnboardingError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            active_company_set(request, company)
            messages.success(request, f"{company.name} is set up. Now connect its accounting.")
            return htmx_redirect(request, reverse("accounts:onboarding-platform"))
    template = "accounts/company_create.html" + ("#company-form" if request.htmx else "")
    return render(request, template, {"form": form})


@login_required
@require_POST
def company_switch(request: AuthenticatedRequest, company_id: int) -> HttpResponse:
    membership = membership_for(user=request.user, company_id=company_id)
    if membership is None:
        raise Http404
    active_company_set(request, membership.company)
    return htmx_redirect(request, _landing(request))


@login_required
@require_GET
@requires(can_view)
def company_settings(request: AuthenticatedRequest) -> HttpResponse:
    company = active_company(request)
    membership = active_membership(request)
    if company is None or membership is None:
        return redirect("accounts:company-create")
    ctx = {
        "company": company,
        "connection": company_connection(company),
        **_permission_flags(membership),
        **_members_ctx(company, membership),
        # Only for those who may invite (accounts.permissions decides; templates never do).
        "invitations_url": (
            reverse("accounts:invitation-list") if can_manage_members(membership) else None
        ),
    }
    template = "accounts/company_settings.html" + ("#connection-panel" if request.htmx else "")
    return render(request, template, ctx)


# ---------------------------------------------------------------------------------------------
# Connecting the accounting platform


@login_required
@require_http_methods(["GET", "POST"])
@requires(can_manage_connection)
def onboarding_platform(request: AuthenticatedRequest) -> HttpResponse:
    company = active_company(request)
    if company is None:
        return redirect("accounts:company-create")
    form = PlatformForm(request.POST if request.method == "POST" else None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            connection = connection_create(
                company=company, platform_key=form.cleaned_data["platform"]
            )
        except OnboardingError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return htmx_redirect(request, connection.link_url)
    ctx = {"company": company, "form": form, "connection": company_connection(company)}
    template = "accounts/onboarding_platform.html" + ("#platform-form" if request.htmx else "")
    return render(request, template, ctx)


@login_required
@require_GET
def onboarding_callback(request: AuthenticatedRequest) -> HttpResponse:
    """Where the consent page sends the user back; the status is read from Codat, not the URL."""
    connections = Connection.objects.select_related("company").filter(
        codat_connection_id=request.GET.get("connectionId", ""),
        company__memberships__user=request.user,
        company__memberships__deactivated_at__isnull=True,
    )
    if request.GET.get("companyId"):
        connections = connections.filter(company__codat_company_id=request.GET["companyId"])
    connection = connections.first()
    if connection is None:
        raise Http404
    company = connection.company
    # The connection's company, which need not be the active one: decided here, not by @requires.
    permission_check(
        can_manage_connection, membership_for(user=request.user, company_id=company.pk)
    )
    active_company_set(request, company)
    try:
        connection = connection_refresh(connection=connection)
    except OnboardingError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:company-settings")
    if connection.is_linked:
        run = payables_import_start(company=company, connection=connection)
        return redirect("payables:import-progress", run.pk)
    status_code = request.GET.get("statusCode", "")
    if status_code == "403" or "cancel" in request.GET.get("errorMessage", "").lower():
        messages.info(request, CANCELLED_MESSAGE.format(platform=connection.platform_name))
    else:
        error = request.GET.get("errorMessage") or connection.last_error
        messages.error(
            request,
            f"{connection.platform_name} did not connect: {error or connection.get_status_display()}",
        )
    return redirect("accounts:onboarding-platform")


def _connection_panel(request: AuthenticatedRequest, connection: Connection) -> HttpResponse:
    """After an action: the settings page (PRG), or for htmx its connection panel."""
    if not request.htmx:
        return redirect("accounts:company-settings")
    company = connection.company
    ctx = {
        "company": company,
        "connection": company_connection(company),
        **_permission_flags(active_membership(request)),
    }
    return render(request, "accounts/company_settings.html#connection-panel", ctx)


@login_required
@require_POST
@requires(can_manage_connection)
def connection_unlink_view(request: AuthenticatedRequest, connection_id: int) -> HttpResponse:
    connection = _get_connection(request, connection_id)
    try:
        connection = connection_unlink(connection=connection)
    except OnboardingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{connection.platform_name} is unlinked.")
    return _connection_panel(request, connection)


@login_required
@require_POST
@requires(can_refresh)
def connection_check(request: AuthenticatedRequest, connection_id: int) -> HttpResponse:
    connection = _get_connection(request, connection_id)
    try:
        connection = connection_refresh(connection=connection)
    except OnboardingError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, f"{connection.platform_name}: {connection.get_status_display()}.")
    return _connection_panel(request, connection)


@login_required
@require_POST
@requires(can_manage_connection)
def connection_reconnect(request: AuthenticatedRequest, connection_id: int) -> HttpResponse:
    connection = _get_connection(request, connection_id)
    return htmx_redirect(request, connection.link_url)


# ---------------------------------------------------------------------------------------------
# Members: roles, deactivation, hand-over


def _permission_flags(membership: Membership | None) -> dict[str, bool]:
    """What the settings page may offer this member (the template only hides buttons by these)."""
    return {
        "may_manage_connection": can_manage_connection(membership),
        "may_refresh": can_refresh(membership),
        "may_manage_bank_accounts": can_manage_bank_accounts(membership),
        "may_manage_members": can_manage_members(membership),
        "may_hand_over": can_hand_over(membership),
    }


def _members_ctx(company: Company, membership: Membership) -> dict[str, object]:
    members = list(Membership.objects.filter(company=company).select_related("user").order_by("id"))
    manage = can_manage_members(membership)
    return {
        "me": membership,
        # The owner's row offers no role change or deactivation: only the hand-over moves it.
        "members": [
            {
                "membership": m,
                "editable": manage and m.role != Membership.Role.OWNER and m.pk != membership.pk,
                "role_form": MemberRoleForm(initial={"role": m.role}, prefix=f"member-{m.pk}"),
            }
            for m in members
        ],
        "hand_over_form": HandOverForm(company=company) if can_hand_over(membership) else None,
        "heirs": any(m.is_active and m.role != Membership.Role.OWNER for m in members),
    }


MEMBERS_URL = "accounts:company-settings"


def _to_members() -> HttpResponse:
    return redirect(reverse(MEMBERS_URL) + "#members")


def _member_or_404(request: AuthenticatedRequest, membership_id: int) -> Membership:
    """A membership of the active company (active or not), or 404."""
    company = active_company(request)
    if company is None:
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("user", "company"), pk=membership_id, company=company
    )


def _acting(request: AuthenticatedRequest) -> Membership:
    membership = active_membership(request)
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
@requires(can_manage_members)
def member_role(request: AuthenticatedRequest, membership_id: int) -> HttpResponse:
    member = _member_or_404(request, membership_id)
    form = MemberRoleForm(request.POST, prefix=f"member-{member.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{member.user.email}: {error}")
        return _to_members()
    try:
        member = membership_role_change(
            membership=member, role=form.cleaned_data["role"], by=_acting(request)
        )
    except MemberError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{member.user.email} is now {member.get_role_display()}.")
    return _to_members()


@login_required
@require_POST
@requires(can_manage_members)
def member_deactivate(request: AuthenticatedRequest, membership_id: int) -> HttpResponse:
    member = _member_or_404(request, membership_id)
    try:
        member = membership_deactivate(membership=member, by=_acting(request))
    except MemberError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{member.user.email} is deactivated: they can no longer open this company."
        )
    return _to_members()


@login_required
@require_POST
@requires(can_manage_members)
def member_reactivate(request: AuthenticatedRequest, membership_id: int) -> HttpResponse:
    member = _member_or_404(request, membership_id)
    try:
        member = membership_reactivate(membership=member, by=_acting(request))
    except MemberError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{member.user.email} is active again, as {member.get_role_display()}."
        )
    return _to_members()


@login_required
@require_POST
@requires(can_hand_over)
def ownership_hand_over_view(request: AuthenticatedRequest) -> HttpResponse:
    me = _acting(request)
    form = HandOverForm(request.POST, company=me.company)
    if not form.is_valid():
        for error in form.errors.get("member", []):
            messages.error(request, str(error))
        return _to_members()
    try:
        heir = ownership_hand_over(to=form.cleaned_data["member"], by=me)
    except MemberError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{heir.user.email} is now the owner; you stay on as an admin.")
    return _to_members()
