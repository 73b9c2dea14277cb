"""Placeholder until the inbox views land."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billpay.http import AuthenticatedRequest


@login_required
@require_GET
def bill_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "payables/home.html")


def bill_detail(request: AuthenticatedRequest, bill_id: int) -> HttpResponse:
    raise NotImplementedError
