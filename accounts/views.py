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

from accounts.forms import CompanyForm, PlatformForm, SignupForm
from accounts.invitations import can_invite
from accounts.models import Connection, Membership
from accounts.services import (
    OnboardingError,
    active_company,
    active_company_set,
    company_connection,
    company_create,
    connection_create,
    connection_refresh,
    connection_unlink,
    membership_for,
    onboarding_next_step,
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
def company_settings(request: AuthenticatedRequest) -> HttpResponse:
    company = active_company(request)
    if company is None:
        return redirect("accounts:company-create")
    memberships = list(Membership.objects.filter(company=company).select_related("user"))
    mine = next((m for m in memberships if m.user_id == request.user.pk), None)
    ctx = {
        "company": company,
        "connection": company_connection(company),
        "memberships": memberships,
        # Only for those who may invite (accounts.invitations decides; templates never do).
        "invitations_url": reverse("accounts:invitation-list") if can_invite(mine) else None,
    }
    template = "accounts/company_settings.html" + ("#connection-panel" if request.htmx else "")
    return render(request, template, ctx)


# ---------------------------------------------------------------------------------------------
# Connecting the accounting platform


@login_required
@require_http_methods(["GET", "POST"])
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
    )
    if request.GET.get("companyId"):
        connections = connections.filter(company__codat_company_id=request.GET["companyId"])
    connection = connections.first()
    if connection is None:
        raise Http404
    company = connection.company
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
    ctx = {"company": company, "connection": company_connection(company)}
    return render(request, "accounts/company_settings.html#connection-panel", ctx)


@login_required
@require_POST
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
def connection_reconnect(request: AuthenticatedRequest, connection_id: int) -> HttpResponse:
    connection = _get_connection(request, connection_id)
    return htmx_redirect(request, connection.link_url)
