"""The "reconnect" banner in base.html: shown while the company's connection is not linked."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import Connection
from accounts.permissions import can_manage_connection
from accounts.services import ACTIVE_COMPANY_SESSION_KEY, active_membership
from payables.services.connection import reconnect_message

register = template.Library()

NEEDS_RECONNECT = (Connection.Status.DEAUTHORIZED, Connection.Status.UNLINKED)


@register.inclusion_tag("payables/_reconnect_banner.html", takes_context=True)
def reconnect_banner(context: template.Context) -> dict[str, Any]:
    """One query on every page: the active company's connections (the view has already chosen
    the active company and stored it in the session), checked against the user's membership."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"connection": None}
    company_id = request.session.get(ACTIVE_COMPANY_SESSION_KEY)
    if company_id is None:
        return {"connection": None}
    connections = list(
        Connection.objects.filter(
            company_id=company_id,
            company__memberships__user=request.user,
            company__memberships__deactivated_at__isnull=True,
        ).only("pk", "status", "platform_name", "created_at")
    )
    # As company_connection(): the linked one if any, else the most recent one.
    if not connections or any(c.is_linked for c in connections):
        return {"connection": None}
    connection = connections[0]
    if connection.status not in NEEDS_RECONNECT:
        return {"connection": None}
    return {
        "connection": connection,
        "message": reconnect_message(connection),
        "csrf_token": context.get("csrf_token"),
        "may_reconnect": can_manage_connection(active_membership(request)),
    }
