"""Typed request classes for views, and htmx response helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedRequest(HtmxHttpRequest):
    user: User


def stop_polling(response: HttpResponse) -> HttpResponse:
    """The same page fragment, answered so that htmx stops the polling that asked for it (286)."""
    stopped = HttpResponseStopPolling(response.content)
    stopped["Content-Type"] = response["Content-Type"]
    return stopped


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The `next` URL a form or link passed (POST, then GET), when it stays on this site; else
    `default`."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    return url if safe else default


def htmx_redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Leave the page: a plain redirect, or for htmx a client-side one (HX-Redirect), since htmx
    would swap a followed 302's page into its target."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
