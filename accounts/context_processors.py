"""What the signed-in member may do in the active company, for templates to read as booleans:
`{% if may.pay %}`. The decision is accounts.permissions' (made from the request's membership,
read once per request); a template only shows or hides what a view would refuse anyway."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.permissions import PERMISSIONS
from accounts.services import active_membership


def permissions(request: HttpRequest) -> dict[str, object]:
    def flags() -> dict[str, bool]:
        user = getattr(request, "user", None)
        membership = active_membership(request) if user and user.is_authenticated else None
        return {perm.name.removeprefix("can_"): perm(membership) for perm in PERMISSIONS}

    return {"may": SimpleLazyObject(flags)}
