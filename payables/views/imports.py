"""The import progress page: what the first-link import has brought in so far."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from billpay.http import AuthenticatedRequest, htmx_redirect, stop_polling
from payables.models import ImportRun
from payables.services.imports import PHASE_LABELS, not_imported_counts, payables_import_retry
from payables.views.scoped import company_or_404

TEMPLATE = "payables/import_progress.html"


def _get_run(request: AuthenticatedRequest, run_id: int) -> ImportRun:
    """The active company's import run, or 404."""
    return get_object_or_404(
        ImportRun.objects.select_related("connection"), pk=run_id, company=company_or_404(request)
    )


def _not_imported_text(run: ImportRun) -> str:
    """ "12 paid, 3 void and 2 draft bills in Xero are not shown: ...", or "" when none."""
    counts = [(n, status.lower()) for status, n in not_imported_counts(run).items() if n]
    if not counts:
        return ""
    parts = [f"{n} {status}" for n, status in counts]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    total = sum(n for n, _status in counts)
    noun, verb = ("bill", "is") if total == 1 else ("bills", "are")
    platform = run.connection.platform_name or "your accounting platform"
    return f"{listed} {noun} in {platform} {verb} not shown: the inbox lists unpaid bills only."


def _context(run: ImportRun) -> dict[str, object]:
    stalled = run.is_stalled()
    return {
        "run": run,
        "phase_label": PHASE_LABELS.get(run.phase, "Waiting to start"),
        # A stalled run is not polled: it waits for its Retry (or the sweeper's).
        "live": run.status in ImportRun.ACTIVE and not stalled,
        "stalled": stalled,
        "succeeded": run.status == ImportRun.Status.SUCCEEDED,
        "failed": run.status == ImportRun.Status.FAILED,
        "not_imported": _not_imported_text(run),
    }


@login_required
@require_GET
def import_progress(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = _get_run(request, run_id)
    template = f"{TEMPLATE}#progress" if request.htmx else TEMPLATE
    return render(request, template, _context(run))


@login_required
@require_GET
def import_status(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    """The progress fragment the page polls; it ends the polling once the run is over."""
    run = _get_run(request, run_id)
    if run.status == ImportRun.Status.SUCCEEDED and request.htmx:
        return HttpResponseClientRedirect(reverse("payables:bill-list"))
    ctx = _context(run)
    response = render(request, f"{TEMPLATE}#progress", ctx)
    if not ctx["live"] and request.htmx:
        return stop_polling(response)
    return response


@login_required
@require_POST
def import_retry(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = payables_import_retry(run=_get_run(request, run_id))
    url = reverse("payables:import-progress", args=[run.pk])
    return htmx_redirect(request, url)
