"""The one way a view decides who may use it: `@requires(can_pay)`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from accounts.permissions import Permission, permission_check
from accounts.services import active_membership

View = TypeVar("View", bound=Callable[..., Any])


def requires(permission: Permission) -> Callable[[View], View]:
    """Refuse the view (403, naming the role and the action: accounts.permissions.NotAllowed) to
    a member of the active company whose role lacks `permission`.

    A user with no active company (none yet, or every membership deactivated) passes through to
    the view, which sends them to create or pick one, or answers 404 for a company's object: with
    no company there is nothing of one to reach. Put it under @login_required and the method
    decorator (a wrong method is a 405 whoever asks).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            membership = active_membership(request)
            if membership is not None:
                permission_check(permission, membership)
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator
