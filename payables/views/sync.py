"""Refresh now (with its progress page) and the sync-health page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.services import company_connection
from billpay.http import AuthenticatedRequest, htmx_redirect, stop_polling
from payables.models import ImportRun
from payables.services.sync import (
    REFRESH_PHASE_LABELS,
    RefreshStopped,
    Trigger,
    payables_refresh_start,
    sync_health,
)
from payables.views.scoped import company_or_404

PROGRESS = "payables/refresh_progress.html"


def _get_run(request: AuthenticatedRequest, run_id: int) -> ImportRun:
    """The active company's run, or 404."""
    return get_object_or_404(
        ImportRun.objects.select_related("connection"), pk=run_id, company=company_or_404(request)
    )


@login_required
@require_POST
def refresh_now(request: AuthenticatedRequest) -> HttpResponse:
    company = company_or_404(request)
    connection = company_connection(company)
    if connection is None:
        messages.error(request, "Connect your accounting platform first.")
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


def _context(run: ImportRun) -> dict[str, object]:
    stalled = run.is_stalled()
    return {
        "run": run,
        "phase_label": REFRESH_PHASE_LABELS.get(run.phase, "Waiting to start"),
        # A stalled run is not polled: it waits for its Retry (or the sweeper's).
        "live": run.status in ImportRun.ACTIVE and not stalled,
        "stalled": stalled,
        "succeeded": run.status == ImportRun.Status.SUCCEEDED,
        "failed": run.status == ImportRun.Status.FAILED,
    }


@login_required
@require_GET
def refresh_progress(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = _get_run(request, run_id)
    template = f"{PROGRESS}#progress" if request.htmx else PROGRESS
    return render(request, template, _context(run))


@login_required
@require_GET
def refresh_status(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    """The fragment the progress page polls; polling stops once the run is over."""
    run = _get_run(request, run_id)
    ctx = _context(run)
    response = render(request, f"{PROGRESS}#progress", ctx)
    if not ctx["live"] and request.htmx:
        return stop_polling(response)
    return response


@login_required
@require_GET
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
