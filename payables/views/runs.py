"""One progress page for a run, whichever its kind: the first-link import or a refresh.

The page polls its status fragment (htmx, every 2 s) while the run is live; a finished import
sends the browser on to the inbox, a failed or stalled run stops the polling and offers Retry.
Without JavaScript the page reloads itself while the run is live."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import requires
from accounts.permissions import can_refresh, can_view
from billpay.http import AuthenticatedRequest, htmx_redirect, stop_polling
from payables.models import ImportRun
from payables.services.imports import payables_import_retry
from payables.services.runs import not_imported_counts, phase_label
from payables.views.scoped import run_or_404

TEMPLATE = "payables/run_progress.html"


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
    refresh = run.kind == ImportRun.Kind.REFRESH
    noun = "refresh" if refresh else "import"
    return {
        "run": run,
        "refresh": refresh,
        "noun": noun,
        "phase_label": phase_label(run),
        "progress_url": reverse(f"payables:{noun}-progress", args=[run.pk]),
        "status_url": reverse(f"payables:{noun}-status", args=[run.pk]),
        # A failed or stalled refresh is tried again by a new refresh (which resumes a stalled
        # one); an import is retried in place, from the page that failed.
        "retry_url": reverse("payables:refresh-now")
        if refresh
        else reverse("payables:import-retry", args=[run.pk]),
        # A stalled run is not polled: it waits for its Retry (or the sweeper's).
        "live": run.status in ImportRun.ACTIVE and not stalled,
        "stalled": stalled,
        "succeeded": run.status == ImportRun.Status.SUCCEEDED,
        "failed": run.status == ImportRun.Status.FAILED,
        "not_imported": "" if refresh else _not_imported_text(run),
    }


@login_required
@require_GET
@requires(can_view)
def run_progress(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = run_or_404(request, run_id)
    template = f"{TEMPLATE}#progress" if request.htmx else TEMPLATE
    return render(request, template, _context(run))


@login_required
@require_GET
@requires(can_view)
def run_status(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    """The progress fragment the page polls; it ends the polling once the run is over."""
    run = run_or_404(request, run_id)
    done = run.status == ImportRun.Status.SUCCEEDED
    if done and run.kind == ImportRun.Kind.FIRST_LINK and request.htmx:
        return HttpResponseClientRedirect(reverse("payables:bill-list"))
    ctx = _context(run)
    response = render(request, f"{TEMPLATE}#progress", ctx)
    if not ctx["live"] and request.htmx:
        return stop_polling(response)
    return response


@login_required
@require_POST
@requires(can_refresh)
def run_retry(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = payables_import_retry(run=run_or_404(request, run_id))
    url = reverse("payables:import-progress", args=[run.pk])
    return htmx_redirect(request, url)
