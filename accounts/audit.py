"""Who is acting, for the audit log: the logged-in user of the request being served.

Services keep their signatures (`supplier_create(*, company, name, ...)`); the audit log asks
`current_actor()` instead of every caller passing the user along. Outside a request (Celery tasks,
commands) there is no actor: the system did it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from accounts.models import User

# The request being served (its user is read only when an audit entry is written), or a user.
_actor: ContextVar[HttpRequest | User | None] = ContextVar("audit_actor", default=None)


def current_actor() -> User | None:
    actor = _actor.get()
    if isinstance(actor, HttpRequest):
        user = getattr(actor, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return unwrapped(user)  # type: ignore[arg-type]
    return actor


def unwrapped(user: User) -> User:
    """The user itself when given request.user, a lazy proxy that foreign keys refuse once the
    sandbox's database router compares the models of a relation."""
    user.pk  # noqa: B018  (evaluates the proxy)
    return getattr(user, "_wrapped", user)


def acting_user(user: User | None) -> User | None:
    """The given user, else the request's (current_actor), unwrapped."""
    return unwrapped(user) if user is not None else current_actor()


@contextmanager
def acting_as(actor: HttpRequest | User | None) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


class AuditActorMiddleware:
    """Makes the request's authenticated user the actor of audit entries written meanwhile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The request, not its user: reading request.user costs a query, paid only by requests
        # that write an audit entry.
        with acting_as(request):
            return self.get_response(request)
