"""Refresh now and the sync-health page (a refresh's progress page is views/runs.py')."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import requires
from accounts.permissions import can_refresh, can_view
from accounts.services import company_connection
from billpay.http import AuthenticatedRequest, htmx_redirect
from payables.errors import RefreshStopped
from payables.models import ImportRun
from payables.services.connection import NO_CONNECTION_MESSAGE
from payables.services.sync import (
    Trigger,
    payables_refresh_start,
    sync_health,
)
from payables.views.scoped import company_or_404


@login_required
@require_POST
@requires(can_refresh)
def refresh_now(request: AuthenticatedRequest) -> HttpResponse:
    company = company_or_404(request)
    connection = company_connection(company)
    if connection is None:
        messages.error(request, NO_CONNECTION_MESSAGE)
        return htmx_redirect(request, reverse("accounts:onboarding-platform"))
    try:
        run = payables_refresh_start(company=company, connection=connection, trigger=Trigger.USER)
    except RefreshStopped as exc:
        messages.error(request, exc.message)
        return htmx_redirect(request, reverse("payables:sync-health"))
    if run.kind == ImportRun.Kind.FIRST_LINK:
        # The first-link import is still running: its own page shows the progress.
        return htmx_redirect(request, reverse("payables:import-progress", args=[run.pk]))
    return htmx_redirect(request, reverse("payables:refresh-progress", args=[run.pk]))


@login_required
@require_GET
@requires(can_view)
def sync_health_view(request: AuthenticatedRequest) -> HttpResponse:
    company = company_or_404(request)
    connection = company_connection(company)
    last = ImportRun.objects.for_company(company).last_succeeded()
    ctx = {
        "items": sync_health(company),
        "connection": connection,
        "last_success": last,
        "runs": ImportRun.objects.filter(company=company).order_by("-created_at", "-id")[:10],
    }
    return render(request, "payables/sync_health.html", ctx)
