"""The company switcher in base.html's top bar."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.services import active_company, request_companies

register = template.Library()


@register.inclusion_tag("accounts/_company_switcher.html", takes_context=True)
def company_switcher(context: template.Context) -> dict[str, Any]:
    """The user's companies, with the active one marked; empty for anonymous visitors."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"companies": [], "active": None}
    return {
        "companies": request_companies(request),
        "active": active_company(request),
        "csrf_token": context.get("csrf_token"),
    }
