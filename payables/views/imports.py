"""Placeholder until the imports views land."""

from __future__ import annotations

from django.http import HttpResponse

from billpay.http import AuthenticatedRequest


def import_progress(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    raise NotImplementedError


def import_status(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    raise NotImplementedError


def import_retry(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    raise NotImplementedError
